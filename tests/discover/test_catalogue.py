"""The packaged service catalogue: every default has a note, sourced or plainly an assumption."""

from __future__ import annotations

from pathlib import Path

import pytest

from gainshare.adapters.catalogue import load_catalogue
from gainshare.domain.catalogue import DEFAULT_FIELDS
from gainshare.domain.errors import InvalidInputError

EXPECTED_LINES = {
    "anticoag", "joint-injections", "minor-surgery", "dermatology", "ecg", "spirometry", "abpm", "phlebotomy",
    "ear-care", "wound-care",
}  # fmt: skip


def test_packaged_catalogue_has_the_common_service_lines_with_evidence() -> None:
    catalogue = load_catalogue()
    assert {entry.id for entry in catalogue} >= EXPECTED_LINES
    sourced = 0
    for entry in catalogue:
        assert entry.currencies, entry.id
        assert entry.hospital_price > entry.out_of_hospital_cost, entry.id
        for name in DEFAULT_FIELDS:
            evidence = entry.evidence[name]
            assert evidence.note, (entry.id, name)
            sourced += not evidence.is_assumption
            assert evidence.render().startswith("assumption:") == evidence.is_assumption
    assert sourced >= 4  # the few defaults with a public source say so; the rest are plainly assumptions


def test_catalogue_refuses_floats_and_missing_notes(tmp_path: Path) -> None:
    text = (Path(__file__).parents[2] / "src/gainshare/data/service_catalogue.yaml").read_text(encoding="utf-8")
    broken = text.replace('value: "0.70"', "value: 0.70", 1).replace(
        "note: a hospital direct-access ECG at 2024-25 price levels", "other: x", 1
    )
    path = tmp_path / "catalogue.yaml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(InvalidInputError) as caught:
        load_catalogue(path)
    rendered = [issue.render() for issue in caught.value.issues]
    assert any("service_lines[0].movable_share" in line and "quoted" in line for line in rendered)
    assert any("service_lines[4].hospital_price" in line and "note" in line for line in rendered)


def test_a_catalogue_that_is_not_yaml_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("service_lines: [unclosed", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="not valid YAML"):
        load_catalogue(path)
