from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from gainshare.adapters.loaders.list_sizes import load_registered_patients, load_registered_patients_files
from gainshare.domain.population import AgeBand, Sex, weighted_population
from tests.loaders.conftest import (
    QUINARY_HEADER,
    TOTALS_HEADER,
    TOTALS_ROWS,
    issues_of,
    quinary_rows,
    rendered,
    write_csv,
)


def test_practice_totals_old_header(totals_file: Path) -> None:
    patients = load_registered_patients(totals_file)
    assert [(x.practice_code, x.patients, x.commissioner_code) for x in patients.list_sizes] == [
        ("A81001", 7412, "16C"),
        ("P92001", 9120, "02H"),
    ]
    assert patients.extract_dates() == (date(2021, 1, 1),)
    assert patients.list_size("P92001", date(2021, 1, 1)) == 9120


def test_quinary_new_header_reads_gp_rows_only(quinary_file: Path) -> None:
    patients = load_registered_patients(quinary_file)
    assert len(patients.bands) == 2 * 2 * 20
    assert {x.practice_code for x in patients.list_sizes} == {"A81001", "P92001"}  # not the sub-ICB row
    oldest = [b for b in patients.bands if b.band == AgeBand(95, None)]
    assert len(oldest) == 4 and oldest[0].band.label == "95+"
    weights = {(sex, band.band): Decimal("0.5") for sex in Sex for band in patients.bands}
    a81001 = tuple(b for b in patients.bands if b.practice_code == "A81001")
    assert weighted_population(a81001, weights) == Decimal(2000)


def test_several_months_combine(totals_file: Path, quinary_file: Path) -> None:
    both = load_registered_patients_files([totals_file, quinary_file])
    assert both.extract_dates() == (date(2021, 1, 1), date(2024, 4, 1))


def test_missing_header_column(tmp_path: Path) -> None:
    header = [name if name != "NUMBER_OF_PATIENTS" else "PATIENTS" for name in TOTALS_HEADER]
    issues = issues_of(lambda: load_registered_patients(write_csv(tmp_path / "t.csv", TOTALS_ROWS, header)))
    assert "t.csv, row 1, column 'patients': no patients column: expected a column named one of number_of_patients" in (
        rendered(issues)
    )


def test_negative_count(tmp_path: Path) -> None:
    rows = [list(row) for row in TOTALS_ROWS]
    rows[1][9] = "-5"
    issues = issues_of(lambda: load_registered_patients(write_csv(tmp_path / "t.csv", rows, TOTALS_HEADER)))
    assert (
        rendered(issues)
        == f"{tmp_path / 't.csv'}, row 3, column 'NUMBER_OF_PATIENTS': -5 is negative; counts must be zero or more"
    )


def test_non_integer_count(tmp_path: Path) -> None:
    rows = [list(row) for row in TOTALS_ROWS]
    rows[0][9] = "7412.5"
    issues = issues_of(lambda: load_registered_patients(write_csv(tmp_path / "t.csv", rows, TOTALS_HEADER)))
    assert [(i.source.row, i.source.column, i.code) for i in issues] == [(2, "NUMBER_OF_PATIENTS", "value.fraction")]


def test_bad_extract_date(tmp_path: Path) -> None:
    rows = [list(row) for row in TOTALS_ROWS]
    rows[1][1] = "JAN2021"
    issues = issues_of(lambda: load_registered_patients(write_csv(tmp_path / "t.csv", rows, TOTALS_HEADER)))
    assert "row 3, column 'EXTRACT_DATE': 'JAN2021' is not a date like 01JAN2021" in rendered(issues)


def test_bad_age_band_row_counts_the_skipped_non_gp_rows(tmp_path: Path) -> None:
    rows = quinary_rows()
    rows[5][8] = "5to9"  # file row 7 (header, then the sub-ICB row, then GP rows)
    issues = issues_of(lambda: load_registered_patients(write_csv(tmp_path / "q.csv", rows, QUINARY_HEADER)))
    assert [(i.source.row, i.source.column) for i in issues] == [(7, "AGE_GROUP_5")]


def test_duplicate_rows(tmp_path: Path) -> None:
    rows = [*TOTALS_ROWS, TOTALS_ROWS[0]]
    issues = issues_of(lambda: load_registered_patients(write_csv(tmp_path / "t.csv", rows, TOTALS_HEADER)))
    assert issues[0].source.row == 4 and "first at row 2" in issues[0].message


@pytest.mark.parametrize(("text", "band"), [("0_4", AgeBand(0, 4)), ("95+", AgeBand(95, None)), ("5-9", AgeBand(5, 9))])
def test_age_band_parse(text: str, band: AgeBand) -> None:
    assert AgeBand.parse(text) == band


def test_age_band_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="not an age band"):
        AgeBand.parse("9_5")
