"""Shared helpers of the geo loaders: reading a few named columns of a CSV as text, and checking numbers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from gainshare.adapters.loaders._columns import as_text, empty
from gainshare.adapters.loaders._csv import read_csv_text
from gainshare.adapters.loaders._headers import Recognise, match_columns, require_columns
from gainshare.adapters.loaders._problems import Problems, Rows
from gainshare.domain.errors import InvalidInputError
from gainshare.domain.issues import Issue, Source

_NUMBER = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$"


@dataclass(frozen=True)
class Columns:
    """The recognised columns found, as text, by our name; `names` gives each one's name in the file."""

    values: dict[str, Any]
    names: dict[str, str]
    rows: int

    def __contains__(self, ours: str) -> bool:
        return ours in self.values

    def __getitem__(self, ours: str) -> Any:
        return self.values[ours]


def read_columns(path: Path, recognised: Mapping[str, Recognise], required: Sequence[str]) -> tuple[Columns, Problems]:
    """The recognised columns found and the file's Problems. Missing required columns are refused at once,
    naming the header row."""
    raw = read_csv_text(path)
    problems = raw.problems()
    found = match_columns(raw.header, recognised)
    require_columns(found, recognised, required, problems)
    problems.raise_if_any()
    values = {ours: as_text(raw.table.column(index)) for ours, index in found.items()}
    names = {ours: raw.header[index] for ours, index in found.items()}
    return Columns(values, names, raw.table.num_rows), problems


def read_selected(path: Path, wanted: Sequence[str]) -> tuple[pa.Table, Problems]:
    """Only the named columns (case-insensitive) of a large CSV, as text; for the ONS Postcode Directory."""
    if not path.is_file():
        raise InvalidInputError([Issue("file.missing", "no such file", Source(file=str(path)))])
    with path.open("rb") as handle:
        header = [cell.strip().strip('"') for cell in handle.readline().decode("utf-8-sig").strip().split(",")]
    by_lower = {name.lower(): name for name in header}
    names = [by_lower[name] for name in wanted if name in by_lower]
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(use_threads=True, block_size=1 << 24),
            convert_options=pacsv.ConvertOptions(
                include_columns=names,
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                null_values=[],
            ),
        )
    except pa.ArrowInvalid as error:
        raise InvalidInputError(
            [Issue("file.unreadable", f"cannot read the file as CSV: {error}", Source(file=str(path)))]
        ) from None
    table = table.rename_columns([name.lower() for name in table.column_names])
    return table, Problems(str(path), Rows(first=2))


def numbers(
    values: Any, column: str, problems: Problems, *, low: float, high: float, what: str, optional: bool = False
) -> Any:
    """Decimal numbers within [low, high] as float64 (null where empty or bad); each bad cell is an Issue."""
    text = as_text(values)
    blank = empty(text)
    good = pc.match_substring_regex(text, _NUMBER)
    if not optional:
        problems.add_rows("value.missing", column, blank, text, lambda _: f"the cell is empty; expected {what}")
    bad = pc.and_(pc.invert(good), pc.invert(blank))
    problems.add_rows("value.number", column, bad, text, lambda v: f"{v!r} is not a number: expected {what}")
    parsed = pc.cast(pc.if_else(good, text, None), pa.float64())
    out_of_range = pc.or_(pc.less(parsed, low), pc.greater(parsed, high))
    problems.add_rows("value.range", column, out_of_range, text, lambda v: f"{v} is outside {low:g} to {high:g}")
    return pc.if_else(pc.fill_null(out_of_range, False), None, parsed)


def whole(values: Any, column: str, problems: Problems, *, low: int, what: str) -> Any:
    """Optional whole numbers of at least `low` (null where empty)."""
    text = as_text(values)
    good = pc.match_substring_regex(text, r"^[0-9]{1,12}$")
    bad = pc.and_(pc.invert(good), pc.invert(empty(text)))
    problems.add_rows("value.number", column, bad, text, lambda v: f"{v!r} is not a whole number: expected {what}")
    parsed = pc.cast(pc.if_else(good, text, None), pa.int64())
    small = pc.less(parsed, low)
    problems.add_rows("value.range", column, small, text, lambda v: f"{v} is less than {low}: expected {what}")
    return parsed
