"""Each kind of mistake in an agreement file gets its own clear message naming the key path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from gainshare.adapters.agreement_file.loader import agreement_from_data, load_agreement
from gainshare.domain.errors import InvalidInputError
from gainshare.domain.money import Money

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "agreement.yaml"


def example() -> dict[str, Any]:
    return yaml.safe_load(EXAMPLE.read_text())


def problems(data: dict[str, Any]) -> list[str]:
    with pytest.raises(InvalidInputError) as caught:
        agreement_from_data(data, "deal.yaml")
    return [issue.render() for issue in caught.value.issues]


def test_the_example_is_valid() -> None:
    assert load_agreement(EXAMPLE).id == "northvale-msk"


def test_missing_key() -> None:
    data = example()
    del data["term"]["start"]
    assert problems(data) == ["deal.yaml, term.start: is required but missing"]


def test_unknown_key_suggests_the_right_one() -> None:
    data = example()
    data["sharing"]["gains"]["provder_share"] = data["sharing"]["gains"].pop("provider_share")
    found = problems(data)
    assert any(
        "sharing.gains.provder_share: 'provder_share' is not a known key; did you mean 'provider_share'" in p
        for p in found
    )


def test_wrong_type() -> None:
    data = example()
    data["version"] = "second"
    [problem] = problems(data)
    assert problem.startswith("deal.yaml, version: Input should be a valid integer")


def test_share_above_100_percent() -> None:
    data = example()
    data["sharing"]["gains"]["provider_share"] = "120%"
    assert problems(data) == ["deal.yaml, sharing.gains.provider_share: 120% is outside 0% to 100%"]


def test_overlapping_bands() -> None:
    data = example()
    del data["sharing"]["gains"]["provider_share"]
    data["sharing"]["gains"]["bands"] = [
        {"from": "0%", "to": "3%", "provider_share": "50%"},
        {"from": "2%", "provider_share": "40%"},
    ]
    [problem] = problems(data)
    assert "sharing.gains.bands[2].from: band 2 overlaps the band before it" in problem


def test_negative_cap() -> None:
    data = example()
    data["sharing"]["gains"]["cap"] = {"amount": "-5000"}
    assert problems(data) == [
        "deal.yaml, sharing.gains.cap.amount: -£5,000.00 is negative; a limit must be zero or more"
    ]


def test_unknown_practice_code() -> None:
    data = example()
    data["parties"][2]["ods_code"] = "XYZ"
    [problem] = problems(data)
    assert "parties[2].ods_code" in problem and "'XYZ', which is not a GP practice code" in problem


def test_practice_member_of_unknown_provider() -> None:
    data = example()
    data["parties"][2]["member_of"] = "NOPE"
    [problem] = problems(data)
    assert "parties[2].member_of" in problem and "'NOPE', which is not a provider" in problem


def test_setup_period_outside_the_term() -> None:
    data = example()
    data["schemes"][0]["setup_funding"]["period"] = "2030-31"
    [problem] = problems(data)
    assert "schemes[0].setup_funding.period: '2030-31' is not a settlement period in the term" in problem


def test_float_where_money_belongs() -> None:
    data = example()
    data["schemes"][0]["hospital_price"] = 34.5
    [problem] = problems(data)
    assert problem.startswith("deal.yaml, schemes[0].hospital_price: write money as a quoted string")


def test_float_where_a_rate_belongs() -> None:
    data = example()
    data["sharing"]["gains"]["provider_share"] = 0.5
    [problem] = problems(data)
    assert "sharing.gains.provider_share: write a rate as a quoted string" in problem


def test_money_with_fractions_of_a_penny() -> None:
    data = example()
    data["schemes"][1]["provision_price"] = "85.005"
    [problem] = problems(data)
    assert "schemes[1].provision_price" in problem and "not an amount of money" in problem


def test_split_must_add_up_and_name_real_parties() -> None:
    data = example()
    data["sharing"]["provider_split"] = {"FED": "60%", "GHOST": "30%"}
    found = problems(data)
    assert "deal.yaml, sharing.provider_split.GHOST: 'GHOST' is not a provider in this agreement" in found
    assert "deal.yaml, sharing.provider_split: the weights add up to 90%, not 100%" in found


def test_flat_and_bands_together_is_refused() -> None:
    data = example()
    data["sharing"]["gains"]["bands"] = [{"from": "0%", "provider_share": "50%"}]
    [problem] = problems(data)
    assert "give either provider_share (a flat split) or bands" in problem


def test_term_ending_before_it_starts() -> None:
    data = example()
    data["term"]["end"] = data["term"]["start"]
    assert any("term.end: the term ends" in p for p in problems(data))


def test_every_problem_is_reported_at_once() -> None:
    data = example()
    data["sharing"]["gains"]["provider_share"] = "150%"
    data["sharing"]["gains"]["cap"] = {"amount": "-1"}
    assert len(problems(data)) == 2


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("gainshare: 1\nid: [unclosed\n")
    with pytest.raises(InvalidInputError) as caught:
        load_agreement(path)
    [issue] = caught.value.issues
    assert issue.source.file == str(path) and issue.source.row is not None


def test_duplicate_keys_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "dupe.yaml"
    path.write_text(EXAMPLE.read_text() + "\ntitle: Another title\n")
    with pytest.raises(InvalidInputError, match="the key 'title' appears twice"):
        load_agreement(path)


def test_missing_file() -> None:
    with pytest.raises(InvalidInputError, match="no such file"):
        load_agreement(Path("/nonexistent/agreement.yaml"))


def test_planned_saving_must_name_a_settlement_period() -> None:
    data = example()
    data["schemes"][0]["planned_saving"] = {"2025-26": "50000", "2031-32": "1"}
    [problem] = problems(data)
    assert "schemes[0].planned_saving.2031-32: '2031-32' is not a settlement period in the term" in problem


def test_planned_saving_adds_up_across_schemes() -> None:
    data = example()
    data["schemes"][0]["planned_saving"] = {"2025-26": "50000"}
    data["schemes"][1]["planned_saving"] = {"2025-26": "25000.50", "2026-27": "30000"}
    agreement = agreement_from_data(data, "deal.yaml")
    assert agreement.planned_saving("2025-26") == Money.parse("75000.50")
    assert agreement.planned_saving("2026-27") == Money.parse("30000")
    assert agreement.planned_saving("2027-28") is None
