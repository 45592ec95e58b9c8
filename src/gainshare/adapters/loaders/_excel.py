"""Reading Excel workbooks (openpyxl, read-only): find a table by its header row, whatever sits above it."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook.workbook import Workbook

from gainshare.adapters.loaders._csv import TextTable
from gainshare.adapters.loaders._headers import Recognise, describe, match_columns
from gainshare.adapters.loaders._problems import Rows
from gainshare.domain.errors import InvalidInputError
from gainshare.domain.issues import Issue, Source

HEADER_SCAN_ROWS = 40  # title rows, notes and blank rows above the header


@dataclass(frozen=True)
class FoundTable:
    sheet: str
    header_row: int
    header: tuple[str, ...]
    columns: dict[str, int]  # our name -> index in the sheet row


def open_workbook(path: Path) -> Workbook:
    if not path.is_file():
        raise InvalidInputError([Issue("file.missing", "no such file", Source(file=str(path)))])
    try:
        return load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as error:
        raise InvalidInputError(
            [Issue("file.unreadable", f"cannot read the file as an Excel workbook (.xlsx): {error}", Source(str(path)))]
        ) from None


def find_table(workbook: Workbook, recognised: Mapping[str, Recognise], required: Sequence[str]) -> FoundTable | None:
    """The first sheet and row (within the first rows of each sheet) whose cells name every required column."""
    for sheet in workbook.worksheets:
        for number, row in enumerate(sheet.iter_rows(max_row=HEADER_SCAN_ROWS, values_only=True), start=1):
            columns = match_columns(row, recognised)
            if all(name in columns for name in required):
                header = tuple(cell_text(cell) for cell in row)
                return FoundTable(sheet.title, number, header, columns)
    return None


def not_found(
    path: Path, workbook: Workbook, what: str, recognised: Mapping[str, Recognise], required: Sequence[str]
) -> Issue:
    wanted = "; ".join(f"{name} ({describe(recognised[name])})" for name in required)
    sheets = ", ".join(repr(sheet.title) for sheet in workbook.worksheets)
    return Issue(
        "file.header",
        f"no {what} table found: no header row in the first {HEADER_SCAN_ROWS} rows of any sheet ({sheets}) "
        f"names the columns {wanted}",
        Source(file=str(path)),
    )


def data_rows(
    workbook: Workbook, table: FoundTable, *, stop_at_blank: bool = False
) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """(sheet row number, cells) for the rows under the header; fully blank rows are left out, or end the table."""
    sheet = workbook[table.sheet]
    for number, row in enumerate(sheet.iter_rows(min_row=table.header_row + 1, values_only=True), table.header_row + 1):
        if any(cell is not None and str(cell).strip() for cell in row):
            yield number, row
        elif stop_at_blank:
            return


def cell_text(value: Any) -> str:
    """A cell as the text a person sees: whole floats without '.0', dates as ISO, None as ''."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else format(Decimal(repr(value)), "f")
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def read_sheet_text(path: Path, recognised: Mapping[str, Recognise], required: Sequence[str], what: str) -> TextTable:
    """The table under the first header row naming the required columns, as text columns with sheet row numbers."""
    workbook = open_workbook(path)
    try:
        found = find_table(workbook, recognised, required)
        if found is None:
            raise InvalidInputError([not_found(path, workbook, what, recognised, required)])
        names = [cell or f"column_{index + 1}" for index, cell in enumerate(found.header)]
        cells: list[list[str]] = [[] for _ in names]
        numbers: list[int] = []
        for number, row in data_rows(workbook, found):
            numbers.append(number)
            for index in range(len(names)):
                cells[index].append(cell_text(row[index]) if index < len(row) else "")
    finally:
        workbook.close()
    table = pa.table({name: pa.array(values, pa.string()) for name, values in zip(names, cells, strict=True)})
    return TextTable(f"{path} (sheet {found.sheet!r})", table, Rows(explicit=tuple(numbers)), tuple(names))
