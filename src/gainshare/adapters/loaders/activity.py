"""Activity extracts: aggregated counts by practice/service line/point of delivery/month, and patient-level
episodes. CSV, Parquet or Excel in; a pyarrow Table with the fixed schema of activity_schema out.

Every cell is checked with vectorised compute; a file with any problem is refused whole, each problem named by
file, row and column. Files must not carry patient identifiers (names, NHS numbers): see identifiers.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from gainshare.adapters.loaders import activity_schema as schema
from gainshare.adapters.loaders._columns import (
    as_text,
    by_distinct_value,
    codes,
    empty,
    known,
    parse_day,
    parse_month,
    pence,
    required_text,
    whole_numbers,
)
from gainshare.adapters.loaders._csv import TextTable, read_csv_text
from gainshare.adapters.loaders._excel import read_sheet_text
from gainshare.adapters.loaders._headers import Recognise, match_columns, require_columns
from gainshare.adapters.loaders._problems import ROWS_SHOWN, Problems, Rows
from gainshare.adapters.loaders.identifiers import check_no_identifiers
from gainshare.domain.errors import InvalidInputError
from gainshare.domain.issues import Issue, Source

CSV_SUFFIXES = (".csv", ".txt", ".zip")
PARQUET_SUFFIXES = (".parquet", ".pq")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")

_PRACTICE = ("practice_code", "practice", "gp_practice_code", "gp_practice")
_SERVICE_LINE = ("service_line",)
_COST = ("cost", "cost_pounds")
_COST_PENCE = ("cost_pence",)

ACTIVITY_COLUMNS: dict[str, Recognise] = {
    "practice_code": _PRACTICE,
    "service_line": _SERVICE_LINE,
    "pod": ("pod", "point_of_delivery"),
    "month": ("month", "activity_month"),
    "activity": ("activity", "activity_count", "count"),
    "cost": _COST,
    "cost_pence": _COST_PENCE,
}
ACTIVITY_REQUIRED = ("practice_code", "service_line", "pod", "month", "activity")

EPISODE_COLUMNS: dict[str, Recognise] = {
    "patient_id": ("patient_id", "pseudo_patient_id", "pseudonymised_patient_id"),
    "practice_code": _PRACTICE,
    "date": ("date", "episode_date", "activity_date", "attendance_date"),
    "hrg": ("hrg", "hrg_code"),
    "treatment_function": ("treatment_function", "treatment_function_code", "tfc"),
    "code": ("code",),
    "service_line": _SERVICE_LINE,
    "cost": _COST,
    "cost_pence": _COST_PENCE,
}
EPISODE_REQUIRED = ("patient_id", "practice_code", "date", "service_line")

_CODE = r"^[A-Z0-9]{3,8}$"
_HRG = r"^([A-Z]{2}[0-9]{2}[A-Z0-9]{1,2}|[A-Z]{4}[0-9]{2})$"  # WF01A, or DAPS08 (direct access)
_TFC = r"^[0-9]{3}$"


def load_activity(path: Path, practices: Collection[str] | None = None) -> pa.Table:
    """Aggregated activity as a Table of ACTIVITY_SCHEMA; practices, when given, are the known practice codes."""
    raw = read_raw(path, ACTIVITY_COLUMNS, ACTIVITY_REQUIRED, "activity")
    problems, found = _prepare(raw, ACTIVITY_COLUMNS, ACTIVITY_REQUIRED)
    table = raw.table
    columns = {
        schema.PRACTICE_CODE: _practice_codes(table.column(found["practice_code"]), found, problems, practices),
        schema.SERVICE_LINE: required_text(table.column(found["service_line"]), found["service_line"], problems),
        schema.POD: pc.utf8_upper(required_text(table.column(found["pod"]), found["pod"], problems)),
        schema.MONTH: by_distinct_value(
            table.column(found["month"]), found["month"], problems, parse_month, "a month written YYYY-MM"
        ),
        schema.ACTIVITY: whole_numbers(table.column(found["activity"]), found["activity"], problems),
        schema.COST_PENCE: _cost(table, found, problems),
    }
    problems.raise_if_any()
    result = pa.Table.from_arrays([columns[name] for name in schema.ACTIVITY_COLUMNS], schema=schema.ACTIVITY_SCHEMA)
    _check_duplicates(result, problems, found)
    problems.raise_if_any()
    return result


def load_episodes(path: Path, practices: Collection[str] | None = None) -> pa.Table:
    """Patient-level episodes as a Table of EPISODE_SCHEMA; refused if any column carries names or NHS numbers."""
    raw = read_raw(path, EPISODE_COLUMNS, EPISODE_REQUIRED, "episode")
    problems, found = _prepare(raw, EPISODE_COLUMNS, EPISODE_REQUIRED)
    table = raw.table
    columns = {
        schema.PATIENT_ID: required_text(table.column(found["patient_id"]), found["patient_id"], problems),
        schema.PRACTICE_CODE: _practice_codes(table.column(found["practice_code"]), found, problems, practices),
        schema.DATE: by_distinct_value(
            table.column(found["date"]), found["date"], problems, parse_day, "a date written YYYY-MM-DD or DD/MM/YYYY"
        ),
        schema.CODE: _episode_code(table, found, problems),
        schema.SERVICE_LINE: required_text(table.column(found["service_line"]), found["service_line"], problems),
        schema.COST_PENCE: _cost(table, found, problems),
    }
    problems.raise_if_any()
    return pa.Table.from_arrays([columns[name] for name in schema.EPISODE_COLUMNS], schema=schema.EPISODE_SCHEMA)


def read_raw(path: Path, recognised: Mapping[str, Recognise], required: Sequence[str], what: str) -> TextTable:
    """The file's table as it is (text from CSV and Excel, typed from Parquet), by its suffix."""
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return read_csv_text(path)
    if suffix in EXCEL_SUFFIXES:
        return read_sheet_text(path, recognised, required, what)
    if suffix in PARQUET_SUFFIXES:
        return _read_parquet(path)
    expected = ", ".join(CSV_SUFFIXES + PARQUET_SUFFIXES + EXCEL_SUFFIXES)
    raise InvalidInputError([Issue("file.format", f"unknown file type; expected one of {expected}", Source(str(path)))])


def _read_parquet(path: Path) -> TextTable:
    if not path.is_file():
        raise InvalidInputError([Issue("file.missing", "no such file", Source(file=str(path)))])
    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as error:
        raise InvalidInputError(
            [Issue("file.unreadable", f"cannot read the file as Parquet: {error}", Source(file=str(path)))]
        ) from None
    return TextTable(str(path), table, Rows(first=1), tuple(table.column_names))


def _prepare(
    raw: TextTable, recognised: Mapping[str, Recognise], required: Sequence[str]
) -> tuple[Problems, dict[str, str]]:
    """Identifier checks first (refused outright), then the header: {our name: the file's column name}."""
    problems = raw.problems()
    check_no_identifiers(raw.table, problems)
    problems.raise_if_any()
    header_row = raw.rows.number(0) - 1 if raw.table.num_rows else 1
    found = match_columns(raw.header, recognised)
    require_columns(found, recognised, required, problems, header_row)
    if ("cost" in found) == ("cost_pence" in found):
        problems.add(
            "file.header",
            "expected exactly one of the columns cost (pounds, like 1234.56) or cost_pence (whole pence)",
            row=header_row,
            column="cost",
        )
    if recognised is EPISODE_COLUMNS and not {"hrg", "treatment_function", "code"} & set(found):
        problems.add(
            "file.header", "expected an hrg, a treatment_function or a code column", row=header_row, column="hrg"
        )
    problems.raise_if_any()
    return problems, {ours: raw.header[index] for ours, index in found.items()}


def _practice_codes(
    values: pa.ChunkedArray, found: Mapping[str, str], problems: Problems, practices: Collection[str] | None
) -> pa.ChunkedArray:
    column = found["practice_code"]
    text = codes(values, column, problems, _CODE, "an ODS practice code (like A81001)")
    if practices is not None:  # malformed codes are reported once, above, not again as unknown
        well_formed = pc.if_else(pc.match_substring_regex(text, _CODE), text, "")
        known(well_formed, column, problems, frozenset(practices), "in the practice list")
    return text


def _cost(table: pa.Table, found: Mapping[str, str], problems: Problems) -> pa.ChunkedArray:
    if "cost_pence" in found:
        return whole_numbers(table.column(found["cost_pence"]), found["cost_pence"], problems)
    return pence(table.column(found["cost"]), found["cost"], problems)


def _episode_code(table: pa.Table, found: Mapping[str, str], problems: Problems) -> pa.ChunkedArray:
    """The HRG where there is one, else the treatment function code; each checked where given."""
    if "code" in found and "hrg" not in found and "treatment_function" not in found:
        return _combined_code(table, found["code"], problems)
    rows = table.num_rows
    hrg = pc.utf8_upper(as_text(table.column(found["hrg"]))) if "hrg" in found else pa.array([""] * rows)
    tfc = as_text(table.column(found["treatment_function"])) if "treatment_function" in found else pa.array([""] * rows)
    if "hrg" in found:
        bad = pc.and_(pc.invert(empty(hrg)), pc.invert(pc.match_substring_regex(hrg, _HRG)))
        problems.add_rows("value.code", found["hrg"], bad, hrg, lambda v: f"{v!r} is not an HRG code (like WF01A)")
    if "treatment_function" in found:
        bad = pc.and_(pc.invert(empty(tfc)), pc.invert(pc.match_substring_regex(tfc, _TFC)))
        column = found["treatment_function"]
        problems.add_rows(
            "value.code", column, bad, tfc, lambda v: f"{v!r} is not a treatment function code (like 110)"
        )
    neither = pc.and_(empty(hrg), empty(tfc))
    column = found.get("hrg") or found["treatment_function"]
    problems.add_rows(
        "value.missing", column, neither, hrg, lambda _: "the episode has neither an HRG nor a treatment function"
    )
    return pc.if_else(empty(hrg), tfc, hrg)


def _check_duplicates(table: pa.Table, problems: Problems, found: Mapping[str, str]) -> None:
    """Two rows for the same practice, service line, point of delivery and month would count activity twice."""
    keys = [schema.PRACTICE_CODE, schema.SERVICE_LINE, schema.POD, schema.MONTH]
    groups = table.select(keys).group_by(keys).aggregate([([], "count_all")])
    if groups.num_rows == table.num_rows:
        return
    indexed = table.select(keys).append_column("row_index", pa.array(range(table.num_rows), pa.int64()))
    firsts = indexed.group_by(keys).aggregate([("row_index", "min"), ("row_index", "count")])
    firsts = firsts.filter(pc.greater(firsts.column("row_index_count"), 1))
    if firsts.num_rows == 0:
        return
    joined = indexed.join(firsts, keys=keys, join_type="inner")
    later = joined.filter(pc.not_equal(joined.column("row_index"), joined.column("row_index_min")))
    later = later.sort_by("row_index")
    pairs = zip(later.column("row_index").to_pylist(), later.column("row_index_min").to_pylist(), strict=True)
    for shown, (index, first) in enumerate(pairs):
        if shown == ROWS_SHOWN:
            problems.add(
                "value.duplicate", f"{later.num_rows - ROWS_SHOWN:,} more duplicate rows", column=found["month"]
            )
            break
        problems.add(
            "value.duplicate",
            "the same practice, service line, point of delivery and month as row "
            f"{problems.rows.number(first)}; give each combination once",
            row=problems.rows.number(index),
            column=found["month"],
        )


def _combined_code(table: pa.Table, column: str, problems: Problems) -> pa.ChunkedArray:
    """A `code` column already holding the HRG or treatment function (the loaded episode schema)."""
    code = pc.utf8_upper(as_text(table.column(column)))
    valid = pc.or_(pc.match_substring_regex(code, _HRG), pc.match_substring_regex(code, _TFC))
    problems.add_rows(
        "value.code", column, pc.invert(valid), code, lambda v: f"{v!r} is neither an HRG code nor a treatment function"
    )
    return code
