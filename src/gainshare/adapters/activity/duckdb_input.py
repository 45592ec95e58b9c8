"""Reading activity and episode files (CSV, Parquet or an Excel workbook; one file or a folder of chunks) into
typed DuckDB SQL.

Every value is checked before anything is written: whole numbers only for counts and pence (a CSV "3.5" is
refused, never rounded), dates as YYYY-MM-DD, no empty keys, nothing negative, months on the first day, and
no patient identifiers in a file of aggregates. Problems come back as Issues naming the file and column.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from gainshare.adapters.loaders._excel import read_sheet_text
from gainshare.adapters.loaders._problems import Problems
from gainshare.adapters.loaders.activity_schema import (
    ACTIVITY,
    ACTIVITY_COLUMNS,
    COST_PENCE,
    DATE,
    EPISODE_COLUMNS,
    MONTH,
    PATIENT_ID,
    POD,
    PRACTICE_CODE,
    SERVICE_LINE,
)
from gainshare.adapters.loaders.identifiers import SCAN_ROWS, check_no_identifiers
from gainshare.domain.errors import InvalidInputError
from gainshare.domain.issues import Issue, Source
from gainshare.services.ports import ActivityKind

SUFFIXES = (".csv", ".parquet", ".xlsx")
INTEGER_COLUMNS = frozenset({ACTIVITY, COST_PENCE})
DATE_COLUMNS = frozenset({MONTH, DATE})
_INTEGER_TYPES = frozenset({"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER"})
_TEXT_TYPES = frozenset({"VARCHAR"})


def sql_text(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def input_files(path: Path) -> list[Path]:
    """The file itself, or the .csv/.parquet/.xlsx files of a folder in name order; InvalidInputError otherwise."""
    name = str(path)
    if path.is_dir():
        files = sorted(item for item in path.iterdir() if item.is_file() and item.suffix.lower() in SUFFIXES)
        if not files:
            raise InvalidInputError(
                [Issue("file.empty", "the folder has no .csv, .parquet or .xlsx files", Source(name))]
            )
        if len({item.suffix.lower() for item in files}) > 1:
            message = "the folder mixes file formats: use one of .csv, .parquet or .xlsx"
            raise InvalidInputError([Issue("file.mixed", message, Source(name))])
        return files
    if not path.exists():
        raise InvalidInputError([Issue("file.missing", "no such file or folder", Source(name))])
    if path.suffix.lower() not in SUFFIXES:
        raise InvalidInputError(
            [Issue("file.format", "activity files must be .csv, .parquet or .xlsx (or a folder of them)", Source(name))]
        )
    return [path]


def raw_relation(con: duckdb.DuckDBPyConnection, path: Path, kind: ActivityKind) -> str:
    """SQL for the file's rows as they are (CSV and Excel read as text, so nothing is guessed or rounded)."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return f"read_csv({sql_text(str(path))}, header = true, all_varchar = true)"
    if suffix == ".xlsx":
        return _workbook_view(con, path, kind)
    return f"read_parquet({sql_text(str(path))})"


def _workbook_view(con: duckdb.DuckDBPyConnection, path: Path, kind: ActivityKind) -> str:
    """The workbook's table (the first sheet with a header row naming the columns, whatever sits above it) as
    text, registered on the connection under a name of its own."""
    required = expected_columns(kind)
    recognised = {column: (column,) for column in (*required, PATIENT_ID)}
    text = read_sheet_text(path, recognised, required, "activity")
    name = f"workbook_{hashlib.sha256(str(path).encode()).hexdigest()[:16]}"
    table = text.table
    blank = [c for c in table.column_names if not any(table.column(c).to_pylist()) and c not in recognised]
    con.register(name, table.drop_columns(blank))  # empty columns beside the table are not data
    return name


@dataclass(frozen=True, slots=True)
class TypedInput:
    """SQL selecting the expected columns with their proper types, and the checks to run on the raw rows."""

    select: str
    raw: str  # the raw relation the checks run on
    checks: tuple[tuple[str, str, str], ...]  # (column, SQL condition on the raw row that marks it bad, what is wrong)


def expected_columns(kind: ActivityKind) -> tuple[str, ...]:
    return EPISODE_COLUMNS if kind is ActivityKind.EPISODES else ACTIVITY_COLUMNS


def typed_input(con: duckdb.DuckDBPyConnection, path: Path, kind: ActivityKind) -> TypedInput:
    """Check the file's columns and their types; InvalidInputError naming each wrong column."""
    raw = raw_relation(con, path, kind)
    described = con.execute(f"DESCRIBE SELECT * FROM {raw}").fetchall()
    types = {str(row[0]): str(row[1]) for row in described}
    issues = _column_issues(kind, types, str(path)) or _identifier_issues(con, raw, str(path))
    if issues:
        raise InvalidInputError(issues)
    typed: dict[str, str] = {}
    checks: list[tuple[str, str, str]] = []
    for column in expected_columns(kind):
        typed[column], column_checks = _typed_column(column, types[column])
        checks.extend(column_checks)
    checks.extend(_value_checks(kind, typed))
    select = f"SELECT {', '.join(f'{expression} AS {column}' for column, expression in typed.items())} FROM {raw}"
    return TypedInput(select, raw, tuple(checks))


def _identifier_issues(con: duckdb.DuckDBPyConnection, raw: str, name: str) -> list[Issue]:
    """Columns whose values are NHS numbers (the loaders' check, on the file's first rows)."""
    sample = con.sql(f"SELECT * FROM {raw} LIMIT {SCAN_ROWS}").to_arrow_table()
    problems = Problems(name)
    check_no_identifiers(sample, problems)
    return problems.issues


def _column_issues(kind: ActivityKind, types: dict[str, str], name: str) -> list[Issue]:
    expected = expected_columns(kind)
    issues: list[Issue] = []
    if kind is ActivityKind.AGGREGATED and PATIENT_ID in types:
        issues.append(
            Issue(
                "activity.patient_level",
                "this file has patient identifiers, but activity files hold aggregates only; import "
                "patient-level data with --kind episodes (it is summed to months and the identifiers are not kept)",
                Source(name, column=PATIENT_ID),
            )
        )
    issues += [
        Issue("activity.column", "required column is missing", Source(name, row=1, column=column))
        for column in expected
        if column not in types
    ]
    issues += [
        Issue("activity.column", f"unknown column; expected {', '.join(expected)}", Source(name, row=1, column=column))
        for column in types
        if column not in expected and column != PATIENT_ID
    ]
    for column in expected:
        found = types.get(column)
        if found is not None and not _type_fits(column, found):
            issues.append(Issue("activity.type", _type_message(column, found), Source(name, column=column)))
    return issues


def _type_fits(column: str, found: str) -> bool:
    if found in _TEXT_TYPES:
        return True
    if column in INTEGER_COLUMNS:
        return found in _INTEGER_TYPES
    if column in DATE_COLUMNS:
        return found in {"DATE", "TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S"}
    return False


def _type_message(column: str, found: str) -> str:
    if column in INTEGER_COLUMNS:
        return f"the column holds {found} values; counts and pence must be whole numbers (integers), never fractions"
    if column in DATE_COLUMNS:
        return f"the column holds {found} values; expected dates"
    return f"the column holds {found} values; expected text"


def _typed_column(column: str, found: str) -> tuple[str, list[tuple[str, str, str]]]:
    """The typed SQL expression for a raw column, and the checks on its raw values."""
    quoted = f'"{column}"'
    if found not in _TEXT_TYPES:
        cast = "BIGINT" if column in INTEGER_COLUMNS else "DATE"
        return f"CAST({quoted} AS {cast})", [(column, f"{quoted} IS NULL", "is empty")]
    text = f"trim({quoted})"
    empty = f"({quoted} IS NULL OR {text} = '')"
    checks = [(column, empty, "is empty")]
    if column in INTEGER_COLUMNS:
        pattern = f"regexp_full_match({text}, '-?[0-9]{{1,18}}')"
        checks.append((column, f"NOT {empty} AND NOT {pattern}", "is not a whole number"))
        return f"CASE WHEN {pattern} THEN CAST({text} AS BIGINT) END", checks
    if column in DATE_COLUMNS:
        parsed = (
            f"CASE WHEN regexp_full_match({text}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}') THEN TRY_CAST({text} AS DATE) END"
        )
        checks.append((column, f"NOT {empty} AND ({parsed}) IS NULL", "is not a date written YYYY-MM-DD"))
        return parsed, checks
    return f"NULLIF({text}, '')", checks


def _value_checks(kind: ActivityKind, typed: dict[str, str]) -> list[tuple[str, str, str]]:
    checks = [(COST_PENCE, f"({typed[COST_PENCE]}) < 0", "is negative; costs must be zero or more")]
    if kind is ActivityKind.AGGREGATED:
        checks += [
            (ACTIVITY, f"({typed[ACTIVITY]}) < 0", "is negative; activity counts must be zero or more"),
            (MONTH, f"day({typed[MONTH]}) <> 1", "is not the first day of a month"),
        ]
    return checks


def check_values(con: duckdb.DuckDBPyConnection, typed: TypedInput, name: str) -> int:
    """Rows in the input; InvalidInputError with one Issue per kind of bad value (how many, and an example)."""
    parts = ["count(*)"]
    for _, condition, _ in typed.checks:
        parts.append(f"count(*) FILTER (WHERE {condition})")
        parts.append(f'any_value(CAST("{PRACTICE_CODE}" AS VARCHAR)) FILTER (WHERE {condition})')
    row = con.execute(f"SELECT {', '.join(parts)} FROM {typed.raw}").fetchone()
    if row is None:  # an aggregate always returns a row
        raise RuntimeError("DuckDB returned no row for an aggregate")
    issues = list(_value_issues(typed.checks, row[1:], name))
    if issues:
        raise InvalidInputError(issues)
    return int(row[0])


def _value_issues(checks: Iterable[tuple[str, str, str]], results: tuple[object, ...], name: str) -> Iterable[Issue]:
    for index, (column, _, problem) in enumerate(checks):
        count, practice = results[2 * index], results[2 * index + 1]
        if count:
            example = f" (one at practice {practice})" if practice else ""
            rows = "row" if count == 1 else "rows"
            yield Issue("activity.value", f"{count} {rows}: the value {problem}{example}", Source(name, column=column))


def key_columns() -> tuple[str, ...]:
    return (PRACTICE_CODE, SERVICE_LINE, POD, MONTH)
