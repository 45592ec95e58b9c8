"""The agreement editor's form: values read and written at the agreement file's key paths, problems placed by them."""

from __future__ import annotations

import yaml

from gainshare.domain.issues import Issue, Source
from gainshare.interfaces.web import forms
from tests.web.conftest import AGREEMENT


def _form() -> tuple[dict[str, object], list[forms.Field]]:
    data = forms.parse_text(AGREEMENT)
    return data, forms.fields(forms.sections(data))


def test_values_come_from_their_key_paths() -> None:
    data, fields = _form()
    assert forms.value_at(data, "schemes[1].hospital_price") == "142.00"
    assert forms.value_at(data, "term.start") == "2025-04-01"
    assert forms.value_at(data, "sharing.gains.cap.percent_of_baseline") == "15%"
    assert "schemes[1].provision_price" in {field.path for field in fields}


def test_posted_values_are_written_back_and_an_emptied_limit_is_dropped() -> None:
    data, fields = _form()
    posted = {field.path: forms.value_at(data, field.path) for field in fields}
    posted["sharing.gains.provider_share"] = "60%"
    posted["sharing.gains.cap.percent_of_baseline"] = ""
    written = yaml.safe_load(forms.apply(data, fields, posted))
    assert written["sharing"]["gains"]["provider_share"] == "60%"
    assert "cap" not in written["sharing"]["gains"]
    assert written["sharing"]["gains"]["threshold"]["clause"] == "Schedule 2, 3.1"  # untouched keys are kept
    assert written["term"]["start"].isoformat() == "2025-04-01"


def test_problems_are_placed_next_to_the_field_their_key_path_names() -> None:
    _data, fields = _form()
    issues = [
        Issue("agreement.value_error", "not a rate", Source(clause="sharing.gains.provider_share")),
        Issue("agreement.missing", "needs a limit", Source(clause="sharing.gains.threshold")),
        Issue("agreement.party", "the parties disagree", Source(clause="parties")),
    ]
    placed = forms.place(issues, fields)
    assert placed.by_field["f-sharing-gains-provider-share"] == ["Provider's share of savings: not a rate"]
    assert "f-sharing-gains-threshold-percent-of-baseline" in placed.by_field
    assert placed.summary[-1] == ("parties: the parties disagree", "#form-start")
