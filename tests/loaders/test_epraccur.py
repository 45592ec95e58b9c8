from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

from gainshare.adapters.loaders.epraccur import load_epraccur
from gainshare.domain.practices import PracticeStatus
from tests.loaders.conftest import EPRACCUR_ROWS, issues_of, rendered, write_csv


def test_loads_every_practice_with_its_fields(epraccur_file: Path) -> None:
    practices = load_epraccur(epraccur_file)
    assert len(practices) == 3
    first = practices.get("A81001")
    assert first is not None
    assert first.name == "THE DENSHAM SURGERY"
    assert first.postcode == "TS18 1HU"
    assert first.address == ("THE HEALTH CENTRE", "LAWSON STREET", "STOCKTON ON TEES", "CLEVELAND")
    assert first.open_date == date(1974, 4, 1)
    assert first.close_date is None
    assert first.commissioner_code == "16C"
    assert first.is_gp_practice
    closed = practices.get("A81003")
    assert closed is not None and closed.status is PracticeStatus.CLOSED
    assert closed.close_date == date(2017, 10, 31)
    assert not closed.open_on(date(2020, 1, 1))
    assert [p.code for p in practices.where(commissioner="02H")] == ["P92001"]


def test_reads_the_published_zip(tmp_path: Path, epraccur_file: Path) -> None:
    archive = tmp_path / "epraccur.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.write(epraccur_file, "epraccur.csv")
    assert load_epraccur(archive).codes() == {"A81001", "A81003", "P92001"}


def test_wrong_column_count_names_the_row(tmp_path: Path) -> None:
    rows = [list(EPRACCUR_ROWS[0]), EPRACCUR_ROWS[1][:26], list(EPRACCUR_ROWS[2])]
    issues = issues_of(lambda: load_epraccur(write_csv(tmp_path / "epraccur.csv", rows)))
    assert len(issues) == 1
    assert issues[0].source.row == 2
    assert "epraccur.csv, row 2: expected 27 columns, found 26" in rendered(issues)


def test_bad_date_names_row_and_column(tmp_path: Path) -> None:
    rows = [list(row) for row in EPRACCUR_ROWS]
    rows[2][10] = "1974-04-01"
    issues = issues_of(lambda: load_epraccur(write_csv(tmp_path / "epraccur.csv", rows)))
    assert rendered(issues).endswith(
        "epraccur.csv, row 3, column 'open_date': '1974-04-01' is not a date written YYYYMMDD (or empty)"
    )


def test_bad_status_code_names_row_and_column(tmp_path: Path) -> None:
    rows = [list(row) for row in EPRACCUR_ROWS]
    rows[1][12] = "X"
    issues = issues_of(lambda: load_epraccur(write_csv(tmp_path / "epraccur.csv", rows)))
    assert [(i.source.row, i.source.column) for i in issues] == [(2, "status_code")]
    assert "'X' is not a status code (A, C, D, P)" in issues[0].message


def test_blank_lines_are_skipped_without_shifting_row_numbers(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "epraccur.csv", EPRACCUR_ROWS)
    lines = path.read_text().splitlines()
    bad = lines[2].replace('"A","B","02H"', '"Q","B","02H"')
    path.write_text("\n".join([lines[0], "", lines[1], bad]) + "\n\n")
    issues = issues_of(lambda: load_epraccur(path))
    assert [(i.source.row, i.source.column) for i in issues] == [(4, "status_code")]


def test_missing_file(tmp_path: Path) -> None:
    issues = issues_of(lambda: load_epraccur(tmp_path / "nope.csv"))
    assert issues[0].code == "file.missing"
