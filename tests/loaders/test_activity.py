from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from gainshare.adapters.loaders._problems import ROWS_SHOWN
from gainshare.adapters.loaders.activity import load_activity, load_episodes
from gainshare.adapters.loaders.activity_schema import ACTIVITY_SCHEMA, EPISODE_SCHEMA
from tests.loaders.conftest import (
    ACTIVITY_HEADER,
    ACTIVITY_ROWS,
    EPISODE_HEADER,
    EPISODE_ROWS,
    issues_of,
    nhs_numbers,
    rendered,
    write_csv,
    write_xlsx,
)

PRACTICES = frozenset({"A81001", "P92001"})


def _activity(tmp_path: Path, rows: list[list[str]], header: list[str] = ACTIVITY_HEADER) -> Path:
    return write_csv(tmp_path / "activity.csv", rows, header)


def _changed(column: str, row: int, value: str) -> list[list[str]]:
    rows = [list(item) for item in ACTIVITY_ROWS]
    rows[row][ACTIVITY_HEADER.index(column)] = value
    return rows


def test_csv_loads_into_the_fixed_schema(activity_csv: Path) -> None:
    table = load_activity(activity_csv, PRACTICES)
    assert table.schema == ACTIVITY_SCHEMA
    assert table.column("month").to_pylist() == [date(2024, 4, 1), date(2024, 4, 1), date(2024, 5, 1)]
    assert table.column("activity").to_pylist() == [12, 30, 0]
    assert table.column("cost_pence").to_pylist() == [192000, 261050, 0]


def test_parquet_and_excel_load_the_same(tmp_path: Path, activity_csv: Path) -> None:
    expected = load_activity(activity_csv)
    typed = pa.table(
        {
            "practice_code": ["A81001", "A81001", "P92001"],
            "service_line": ["dermatology"] * 3,
            "pod": ["OPFA", "OPFUP", "OPFA"],
            "month": pa.array([date(2024, 4, 1), date(2024, 4, 1), date(2024, 5, 1)], pa.date32()),
            "activity": pa.array([12, 30, 0], pa.int64()),
            "cost": pa.array([Decimal("1920.00"), Decimal("2610.50"), Decimal("0.00")], pa.decimal128(12, 2)),
        }
    )
    pq.write_table(typed, tmp_path / "activity.parquet")
    assert load_activity(tmp_path / "activity.parquet").equals(expected)
    sheet = [["Activity extract, April to May 2024"], [], ACTIVITY_HEADER]
    sheet += [[r[0], r[1], r[2], r[3], int(r[4]), float(r[5])] for r in ACTIVITY_ROWS]
    assert load_activity(write_xlsx(tmp_path / "activity.xlsx", {"Data": sheet})).equals(expected)


def test_excel_error_names_the_sheet_row(tmp_path: Path) -> None:
    sheet = [["Activity extract"], ACTIVITY_HEADER, ["A81001", "dermatology", "OPFA", "2024-04", -3, 10]]
    issues = issues_of(lambda: load_activity(write_xlsx(tmp_path / "a.xlsx", {"Data": sheet})))
    assert rendered(issues) == (
        f"{tmp_path / 'a.xlsx'} (sheet 'Data'), row 3, column 'activity': -3 is negative; counts must be zero or more"
    )


def test_wrong_column_count(tmp_path: Path) -> None:
    rows = [list(ACTIVITY_ROWS[0]), [*ACTIVITY_ROWS[1], "extra"]]
    issues = issues_of(lambda: load_activity(_activity(tmp_path, rows)))
    assert rendered(issues) == f"{tmp_path / 'activity.csv'}, row 3: expected 6 columns, found 7"


@pytest.mark.parametrize(
    ("column", "value", "code", "words"),
    [
        ("month", "2024-13", "value.date", "'2024-13' is not a month written YYYY-MM"),
        ("month", "April 2024", "value.date", "is not a month"),
        ("activity", "-1", "value.negative", "-1 is negative"),
        ("activity", "2.5", "value.fraction", "'2.5' is not a whole number"),
        ("activity", "twelve", "value.number", "'twelve' is not a number"),
        ("cost", "12.505", "value.precision", "'12.505' has more than two decimal places"),
        ("cost", "1.2e3", "value.money", "'1.2e3' is not an amount of money"),
        ("cost", "-5.00", "value.negative", "-5.00 is negative"),
        ("practice_code", "A8100!", "value.code", "is not an ODS practice code"),
        ("practice_code", "Y99999", "value.unknown", "'Y99999' is not in the practice list"),
        ("pod", "", "value.missing", "the cell is empty"),
    ],
)
def test_bad_cell_names_file_row_and_column(tmp_path: Path, column: str, value: str, code: str, words: str) -> None:
    issues = issues_of(lambda: load_activity(_activity(tmp_path, _changed(column, 1, value)), PRACTICES))
    assert [(i.source.file, i.source.row, i.source.column, i.code) for i in issues] == [
        (str(tmp_path / "activity.csv"), 3, column, code)
    ]
    assert words in issues[0].message


def test_many_bad_rows_are_counted_not_listed(tmp_path: Path) -> None:
    rows = [["A81001", "dermatology", "OPFA", f"2024-{month:02d}", "-1", "1"] for month in range(1, 13)] * 2
    rows = [[r[0], f"{r[1]}{i}", *r[2:]] for i, r in enumerate(rows)]
    issues = issues_of(lambda: load_activity(_activity(tmp_path, rows)))
    assert len(issues) == ROWS_SHOWN + 1
    assert issues[-1].message == f"{24 - ROWS_SHOWN:,} more rows have the same problem (the next is row 12)"


def test_duplicate_combination(tmp_path: Path) -> None:
    rows = [*ACTIVITY_ROWS, ACTIVITY_ROWS[0]]
    issues = issues_of(lambda: load_activity(_activity(tmp_path, rows)))
    assert [(i.source.row, i.code) for i in issues] == [(5, "value.duplicate")]
    assert "as row 2" in issues[0].message


def test_missing_header_column(tmp_path: Path) -> None:
    header = ["practice_code", "service_line", "point of delivery", "when", "activity", "cost"]
    issues = issues_of(lambda: load_activity(_activity(tmp_path, ACTIVITY_ROWS, header)))
    assert "row 1, column 'month': no month column: expected a column named one of month, activity_month" in rendered(
        issues
    )


def test_headerless_file_is_refused(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "activity.csv", ACTIVITY_ROWS)
    issues = issues_of(lambda: load_activity(path))
    assert {i.source.column for i in issues} >= {"practice_code", "service_line", "month"}
    assert all(i.source.row == 1 for i in issues)


def test_cost_pence_instead_of_pounds(tmp_path: Path) -> None:
    header = [*ACTIVITY_HEADER[:-1], "cost_pence"]
    rows = [[*row[:-1], "100"] for row in ACTIVITY_ROWS]
    assert load_activity(_activity(tmp_path, rows, header)).column("cost_pence").to_pylist() == [100, 100, 100]


def test_parquet_float_money_is_refused(tmp_path: Path) -> None:
    table = pa.table(
        {
            "practice_code": ["A81001"],
            "service_line": ["dermatology"],
            "pod": ["OPFA"],
            "month": ["2024-04"],
            "activity": [1],
            "cost": pa.array([12.5], pa.float64()),
        }
    )
    pq.write_table(table, tmp_path / "a.parquet")
    issues = issues_of(lambda: load_activity(tmp_path / "a.parquet"))
    assert [(i.source.column, i.code) for i in issues] == [("cost", "value.float")]


def test_unknown_suffix(tmp_path: Path) -> None:
    path = tmp_path / "activity.json"
    path.write_text("{}")
    assert issues_of(lambda: load_activity(path))[0].code == "file.format"


def test_episodes_load(episodes_csv: Path) -> None:
    table = load_episodes(episodes_csv, PRACTICES)
    assert table.schema == EPISODE_SCHEMA
    assert table.column("code").to_pylist() == ["330", "JC42B", "330"]
    assert table.column("date").to_pylist() == [date(2024, 4, 3), date(2024, 4, 17), date(2024, 5, 17)]
    assert table.column("cost_pence").to_pylist() == [16000, 14550, 8700]


def _episodes(tmp_path: Path, rows: list[list[str]], header: list[str] = EPISODE_HEADER) -> Path:
    return write_csv(tmp_path / "episodes.csv", rows, header)


def test_episode_without_hrg_or_treatment_function(tmp_path: Path) -> None:
    rows = [list(row) for row in EPISODE_ROWS]
    rows[2][3] = rows[2][4] = ""
    issues = issues_of(lambda: load_episodes(_episodes(tmp_path, rows)))
    assert [(i.source.row, i.source.column) for i in issues] == [(4, "hrg")]


def test_episode_bad_date(tmp_path: Path) -> None:
    rows = [list(row) for row in EPISODE_ROWS]
    rows[0][2] = "2024-02-30"
    issues = issues_of(lambda: load_episodes(_episodes(tmp_path, rows)))
    assert [(i.source.row, i.source.column, i.code) for i in issues] == [(2, "date", "value.date")]


def test_nhs_numbers_in_a_column_are_refused(tmp_path: Path) -> None:
    rows = [list(row) for row in EPISODE_ROWS]
    for row, number in zip(rows, nhs_numbers(3), strict=True):
        row[0] = number
    issues = issues_of(lambda: load_episodes(_episodes(tmp_path, rows)))
    assert [(i.source.column, i.code) for i in issues] == [("patient_id", "identifier.nhs_number")]
    assert "valid NHS numbers" in issues[0].message


def test_nhs_numbers_hidden_in_an_extra_column_are_refused(tmp_path: Path) -> None:
    rows = [[*row, number] for row, number in zip(ACTIVITY_ROWS, nhs_numbers(3), strict=True)]
    issues = issues_of(lambda: load_activity(_activity(tmp_path, rows, [*ACTIVITY_HEADER, "ref"])))
    assert [(i.source.column, i.code) for i in issues] == [("ref", "identifier.nhs_number")]


def test_ten_digit_pseudonyms_are_not_mistaken_for_nhs_numbers(tmp_path: Path) -> None:
    rows = [list(row) for row in EPISODE_ROWS]
    for row, number in zip(rows, nhs_numbers(3), strict=True):
        row[0] = number[:-1] + str((int(number[-1]) + 1) % 10)  # a wrong check digit
    assert load_episodes(_episodes(tmp_path, rows)).num_rows == 3


@pytest.mark.parametrize(("column", "code"), [("Surname", "identifier.name"), ("NHS No", "identifier.nhs_number")])
def test_identifier_named_columns_are_refused(tmp_path: Path, column: str, code: str) -> None:
    rows = [[*row, "x"] for row in EPISODE_ROWS]
    issues = issues_of(lambda: load_episodes(_episodes(tmp_path, rows, [*EPISODE_HEADER, column])))
    assert [(i.source.row, i.source.column, i.code) for i in issues] == [(1, column, code)]


def test_episodes_in_the_loaded_schema_with_a_code_column(tmp_path: Path) -> None:
    path = tmp_path / "episodes.csv"
    path.write_text(
        "patient_id,practice_code,date,code,service_line,cost_pence\n"
        "a1b2c3,A81001,2025-04-02,DAPS08,phlebotomy,300\n"
        "d4e5f6,A81002,2025-04-03,320,cardiology,15000\n"
    )
    table = load_episodes(path)
    assert table.column("code").to_pylist() == ["DAPS08", "320"]


def test_episode_code_column_refuses_nonsense(tmp_path: Path) -> None:
    path = tmp_path / "episodes.csv"
    path.write_text("patient_id,practice_code,date,code,service_line,cost_pence\na1,A81001,2025-04-02,X!,ecg,300\n")
    assert "'X!' is neither an HRG code nor a treatment function" in rendered(issues_of(lambda: load_episodes(path)))
