"""The scheme file: a good one loads exactly; bad ones name the key path and what is wrong."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from gainshare.adapters.incentives_file import YamlSchemeParser, load_scheme, register_from_data
from gainshare.domain.errors import InvalidInputError

GOOD = """
gainshare_incentive_scheme: 1
id: elr
name: ELR federation development
commissioner: {ods_code: 03W, name: NHS East Leicestershire and Rutland CCG}
federation: {ods_code: Y02345, name: ELR GP Federation}
rate_per_patient: "2.50"
list_snapshot: 2015-04-01
stages:
  - {id: up-front, label: Up-front payment, share: "20%", due: 2015-07-01}
  - id: year-1
    share: "40%"
    due: 2016-03-31
    conditions:
      - {id: plan, text: "A plan showing the geography, leadership, vision, objectives and governance"}
  - id: year-2
    share: "40%"
    due: 2017-03-31
    conditions:
      - {id: legal, text: Formal legal set-up}
      - {id: delivery, text: Delivery of the plan}
eligibility: {commissioner_codes: [03W]}
members: [C82001, C82002]
mergers: [{from: [C82002], into: C82001, date: 2016-01-01}]
"""


def problems(text: str) -> list[str]:
    with pytest.raises(InvalidInputError) as caught:
        YamlSchemeParser().parse(text, "scheme.yaml")
    return [issue.render() for issue in caught.value.issues]


def test_a_good_scheme_loads_exactly(tmp_path: Path) -> None:
    path = tmp_path / "scheme.yaml"
    path.write_text(GOOD, encoding="utf-8")
    scheme = load_scheme(path)
    assert scheme.rate_per_patient == Decimal("2.50")
    assert [stage.share for stage in scheme.stages] == [Decimal("0.2"), Decimal("0.4"), Decimal("0.4")]
    assert scheme.stage("year-2").conditions[0].text == "Formal legal set-up"
    assert scheme.mergers[0].successor == "C82001" and scheme.mergers[0].on == date(2016, 1, 1)
    assert scheme.members == {"C82001", "C82002"}


def test_a_bare_decimal_rate_is_refused_with_a_hint() -> None:
    [message] = problems(GOOD.replace('"2.50"', "2.50"))
    assert message.startswith("scheme.yaml, rate_per_patient: write it as a quoted string such as '2.50'")


def test_shares_that_do_not_add_up_are_refused() -> None:
    [message] = problems(GOOD.replace('share: "20%"', 'share: "25%"'))
    assert message == "scheme.yaml, stages: the stage shares add up to 105%, not 100%"


def test_unknown_keys_missing_keys_and_bad_codes_are_all_named() -> None:
    text = GOOD.replace("list_snapshot: 2015-04-01\n", "snapshot: 2015-04-01\n").replace(
        "ods_code: 03W,", "ods_code: '0-3W',"
    )
    found = problems(text)
    assert "scheme.yaml, list_snapshot: is required but missing" in found
    assert "scheme.yaml, snapshot: 'snapshot' is not a known key" in found
    assert any(item.startswith("scheme.yaml, commissioner.ods_code: '0-3W' is not an ODS code") for item in found)


def test_a_bad_date_and_a_bad_rule_name_are_named() -> None:
    text = GOOD.replace("due: 2015-07-01", "due: 2015-13-01") + "closed_practices: sometimes\n"
    assert problems(text) == ["scheme.yaml: month must be in 1..12: write dates as real dates like 2015-07-01"]
    found = problems(GOOD + "closed_practices: sometimes\n")
    assert len(found) == 1
    assert found[0].startswith("scheme.yaml, closed_practices:") and "pro_rata" in found[0]


def test_members_only_without_members_is_refused() -> None:
    assert "scheme.yaml, members: eligibility.members_only needs the list of member practices" in problems(
        GOOD.replace("members: [C82001, C82002]\n", "")
    )


def test_not_a_mapping_and_a_missing_file(tmp_path: Path) -> None:
    assert problems("- just a list\n") == [
        "scheme.yaml: a incentive scheme file must be a mapping of keys (YAML or JSON object) at the top level"
    ]
    with pytest.raises(InvalidInputError, match="no such file"):
        load_scheme(tmp_path / "missing.yaml")


def test_register_dates_and_people_are_checked() -> None:
    data = {
        "gainshare_conflicts_register": 1,
        "declarations": [
            {
                "person": "Dr A",
                "name": "Dr A",
                "organisation": {"ods_code": "C82001"},
                "nature": "financial",
                "description": "Partner",
                "from": date(2016, 1, 1),
                "to": date(2015, 1, 1),
            }
        ],
    }
    with pytest.raises(InvalidInputError) as caught:
        register_from_data(data, "register.yaml")
    assert [issue.render() for issue in caught.value.issues] == [
        "register.yaml, declarations[0].person: 'Dr A' is not an email address: the register is keyed by email",
        "register.yaml, declarations[0].to: the interest ends before it starts",
    ]
