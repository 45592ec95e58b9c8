"""External reference rates from CSV (adapters/reference_rates.py): what is read, and each kind of mistake."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from gainshare.adapters.reference_rates import load_reference_rates
from gainshare.domain.errors import InvalidInputError
from gainshare.domain.population import AgeBand, Sex


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "national.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_rates_by_band_and_the_crude_rate_for_one_service(tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        "Service,Sex,Age band,Rate\n"
        "ecg,Male,0-4,1.5\necg,Female,95+,40\necg,Persons,All ages,12.25\n"
        "abpm,Male,0-4,999\nabpm,Persons,All ages,999\n",
    )
    rates = load_reference_rates(path, "ECG")
    assert rates.per_1000_per_year == {
        (Sex.MALE, AgeBand(0, 4)): Decimal("1.5"),
        (Sex.FEMALE, AgeBand(95, None)): Decimal(40),
    }
    assert rates.crude_per_1000_per_year == Decimal("12.25") and rates.name == "national.csv (ECG)"


def test_without_a_service_column_every_row_counts(tmp_path: Path) -> None:
    path = _file(tmp_path, "sex,age_band,rate_per_1000\nM,5_9,2\nall,all,3\n")
    rates = load_reference_rates(path, "anything")
    assert rates.per_1000_per_year == {(Sex.MALE, AgeBand(5, 9)): Decimal(2)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sex,rate\nMale,1\n", "row 1: missing column(s) age_band; the header has: sex, rate"),
        ("sex,age_band,rate\nMale,0-4,1.5\n", "no 'Persons, All ages' row (the crude rate)"),
        ("sex,age_band,rate\nMale,0-4,lots\nPersons,All ages,2\n", "row 2, column 'rate': 'lots' is not a rate"),
        ("sex,age_band,rate\nMale,0-4,-1\nPersons,All ages,2\n", "row 2, column 'rate': '-1': a rate must be"),
        ("sex,age_band,rate\nUnknown,0-4,1\nPersons,All ages,2\n", "row 2, column 'sex': 'unknown' is not a sex"),
        ("sex,age_band,rate\nMale,old,1\nPersons,All ages,2\n", "row 2, column 'age_band': 'old' is not an age band"),
        ("sex,age_band,rate\nMale,0-4,1\nMale,0_4,2\nPersons,All ages,2\n", "row 3, column 'age_band': a second rate"),
    ],
)
def test_each_mistake_names_its_row_and_column(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(InvalidInputError) as refused:
        load_reference_rates(_file(tmp_path, text), "ecg")
    assert expected in str(refused.value)
    assert "national.csv" in str(refused.value)
