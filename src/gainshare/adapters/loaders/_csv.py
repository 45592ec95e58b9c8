"""Reading a CSV file into a table of text columns, quickly (pyarrow), with row numbers kept right."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from gainshare.adapters.loaders._problems import Problems, Rows
from gainshare.domain.errors import InvalidInputError
from gainshare.domain.issues import Issue, Source

_FALLBACK_ENCODING = "cp1252"  # older NHS extracts are Windows text, not UTF-8


@dataclass(frozen=True)
class TextTable:
    """Every column as text (empty cells are empty strings), and where each row is in the file."""

    name: str
    table: pa.Table
    rows: Rows
    header: tuple[str, ...]

    def problems(self) -> Problems:
        return Problems(self.name, self.rows)


def read_csv_text(path: Path, *, column_names: Sequence[str] | None = None) -> TextTable:
    """A CSV (or a .zip holding one CSV) as text columns; headerless when column_names are given.

    Rows with the wrong number of cells are refused, each named by its row number.
    """
    name, source = _open(path)
    if column_names is None:
        header = _header(source, name)
        names, skip, first = header, 1, 2
    else:
        header, names, skip, first = (), tuple(column_names), 0, 1
    _check_names(names, name)
    try:
        return _read(source, name, names, skip, first, header, "utf8")
    except pa.ArrowInvalid as error:
        if "UTF8" not in str(error) and "UTF-8" not in str(error):
            raise _unreadable(name, error) from None
    try:
        return _read(source, name, names, skip, first, header, _FALLBACK_ENCODING)
    except pa.ArrowInvalid as error:
        raise _unreadable(name, error) from None


def _open(path: Path) -> tuple[str, Path | io.BytesIO]:
    if not path.is_file():
        raise InvalidInputError([Issue("file.missing", "no such file", Source(file=str(path)))])
    if path.suffix.lower() != ".zip":
        return str(path), path
    try:
        with zipfile.ZipFile(path) as archive:
            members = [item for item in archive.namelist() if item.lower().endswith(".csv")]
            if len(members) != 1:
                found = ", ".join(members) or "none"
                raise InvalidInputError(
                    [Issue("file.zip", f"expected one .csv file in the zip, found {found}", Source(file=str(path)))]
                )
            return f"{path}:{members[0]}", io.BytesIO(archive.read(members[0]))
    except zipfile.BadZipFile:
        raise InvalidInputError([Issue("file.zip", "not a readable zip file", Source(file=str(path)))]) from None


def _first_line(source: Path | io.BytesIO) -> bytes:
    if isinstance(source, Path):
        with source.open("rb") as handle:
            return handle.readline()
    line = source.readline()
    source.seek(0)
    return line


def _header(source: Path | io.BytesIO, name: str) -> tuple[str, ...]:
    raw = _first_line(source)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode(_FALLBACK_ENCODING, errors="replace")
    cells = next(csv.reader([text]), [])
    header = tuple(cell.strip() for cell in cells)
    if not any(header):
        raise InvalidInputError([Issue("file.header", "the file is empty: expected a header row", Source(file=name))])
    return header


def _check_names(names: Sequence[str], name: str) -> None:
    seen: set[str] = set()
    issues: list[Issue] = []
    for column in names:
        if not column:
            issues.append(Issue("file.header", "a header cell is empty", Source(file=name, row=1)))
        elif column.lower() in seen:
            issues.append(Issue("file.header", "the column appears twice", Source(file=name, row=1, column=column)))
        seen.add(column.lower())
    if issues:
        raise InvalidInputError(issues)


def _read(
    source: Path | io.BytesIO,
    name: str,
    names: tuple[str, ...],
    skip: int,
    first: int,
    header: tuple[str, ...],
    encoding: str,
) -> TextTable:
    if isinstance(source, io.BytesIO):
        source.seek(0)
    problems = Problems(name)

    def bad_row(row: pacsv.InvalidRow) -> str:
        problems.add(
            "csv.columns", f"expected {row.expected_columns} columns, found {row.actual_columns}", row=row.number
        )
        return "skip"

    table = pacsv.read_csv(
        source,
        read_options=pacsv.ReadOptions(
            use_threads=False, column_names=list(names), skip_rows=skip, encoding=encoding, block_size=1 << 24
        ),
        parse_options=pacsv.ParseOptions(invalid_row_handler=bad_row, ignore_empty_lines=False),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
            null_values=[],
        ),
    )
    problems.raise_if_any()
    table, skipped = _without_blank_rows(table, first)
    return TextTable(name, table, Rows(first=first, skipped=skipped), header)


def _without_blank_rows(table: pa.Table, first: int) -> tuple[pa.Table, tuple[int, ...]]:
    """Blank lines are kept by the reader (so row numbers stay right) and dropped here, remembering where."""
    if table.num_columns == 0 or table.num_rows == 0:
        return table, ()
    candidates = pc.indices_nonzero(_blank(table.column(0)))  # few rows have an empty first cell: look at those
    if len(candidates) == 0:
        return table, ()
    suspects = table.take(candidates)
    blank = _blank(suspects.column(0))
    for name in suspects.column_names[1:]:
        blank = pc.and_(blank, _blank(suspects.column(name)))
    indices = pc.filter(candidates, blank)
    if len(indices) == 0:
        return table, ()
    keep = pc.invert(pc.is_in(pa.array(range(table.num_rows), pa.uint64()), value_set=indices))
    return table.filter(keep), tuple(first + index for index in indices.to_pylist())


def _blank(values: pa.ChunkedArray) -> pa.ChunkedArray:
    return pc.equal(pc.utf8_length(pc.utf8_trim_whitespace(values)), 0)


def _unreadable(name: str, error: Exception) -> InvalidInputError:
    return InvalidInputError([Issue("file.unreadable", f"cannot read the file as CSV: {error}", Source(file=name))])
