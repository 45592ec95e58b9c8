"""National prices (NHS Payment Scheme / National Tariff workbooks, .xlsx) and local price lists (CSV).

Workbooks put title rows above their tables and name their sheets differently each year, so each table is found
by its header row: outpatient attendances by a treatment function code column and attendance price columns,
outpatient procedures by an HRG code column and an outpatient procedure price column.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from openpyxl.workbook.workbook import Workbook

from gainshare.adapters.loaders._columns import pence, required_text
from gainshare.adapters.loaders._csv import read_csv_text
from gainshare.adapters.loaders._excel import FoundTable, cell_text, data_rows, find_table, not_found, open_workbook
from gainshare.adapters.loaders._headers import Recognise, match_columns, require_columns
from gainshare.adapters.loaders._problems import Problems
from gainshare.domain.errors import InvalidInputError
from gainshare.domain.issues import Issue
from gainshare.domain.money import PENCE_PER_POUND, Money
from gainshare.domain.prices import AttendancePrice, LocalPrice, NationalPrices, ProcedurePrice


def _has(*words: str, without: tuple[str, ...] = ("non_face",)) -> Callable[[str], bool]:
    return lambda name: all(word in name for word in words) and not any(word in name for word in without)


ATTENDANCE_COLUMNS: dict[str, Recognise] = {
    "treatment_function": ("tfc", "tfc_code", "treatment_function_code", "treatment_function"),
    "name": ("tfc_name", "treatment_function_name", "treatment_function_title", "tfc_description", "name"),
    "first_single": (_has("first", "single"), "first attendance, single professional"),
    "first_multi": (_has("first", "multi"), "first attendance, multi-professional"),
    "follow_up_single": (_has("follow", "single"), "follow-up attendance, single professional"),
    "follow_up_multi": (_has("follow", "multi"), "follow-up attendance, multi-professional"),
}
PROCEDURE_COLUMNS: dict[str, Recognise] = {
    "hrg": ("hrg", "hrg_code"),
    "name": ("hrg_name", "hrg_description", "name"),
    "price": (_has("outpatient_procedure", without=()), "outpatient procedure tariff (or price)"),
}
LOCAL_COLUMNS: dict[str, Recognise] = {
    "service_line": ("service_line",),
    "unit": ("unit",),
    "price": ("price", "unit_price", "price_pounds"),
}
_TFC = re.compile(r"^[0-9]{3}$")
_HRG = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{1,2}$")
_NO_PRICE = {"", "-", "–", "n/a", "na", "none", "no price", "not applicable"}


def load_national_prices(path: Path) -> NationalPrices:
    """Attendance prices by treatment function and procedure prices by HRG, from an NHSPS / tariff workbook."""
    workbook = open_workbook(path)
    try:
        attendances_table = find_table(workbook, ATTENDANCE_COLUMNS, ("treatment_function", "first_single"))
        procedures_table = find_table(workbook, PROCEDURE_COLUMNS, ("hrg", "price"))
        if attendances_table is None or procedures_table is None:
            raise InvalidInputError(_missing(path, workbook, attendances_table, procedures_table))
        on_attendances = Problems(f"{path} (sheet {attendances_table.sheet!r})")
        on_procedures = Problems(f"{path} (sheet {procedures_table.sheet!r})")
        attendances = tuple(_attendances(workbook, attendances_table, on_attendances))
        procedures = tuple(_procedures(workbook, procedures_table, on_procedures))
    finally:
        workbook.close()
    issues = on_attendances.issues + on_procedures.issues
    if issues:
        raise InvalidInputError(issues)
    return NationalPrices(attendances, procedures, str(path))


def _missing(
    path: Path, workbook: Workbook, attendances: FoundTable | None, procedures: FoundTable | None
) -> list[Issue]:
    issues: list[Issue] = []
    if attendances is None:
        issues.append(
            not_found(
                path, workbook, "outpatient attendance", ATTENDANCE_COLUMNS, ("treatment_function", "first_single")
            )
        )
    if procedures is None:
        issues.append(not_found(path, workbook, "outpatient procedure", PROCEDURE_COLUMNS, ("hrg", "price")))
    return issues


def _cells(workbook: Workbook, table: FoundTable) -> Iterator[tuple[int, dict[str, Any]]]:
    """Rows of the table as {our name: cell}, up to a blank row or a row without a code (notes may follow)."""
    code_column = next(iter(table.columns.values()))
    for number, row in data_rows(workbook, table, stop_at_blank=True):
        cells = {ours: row[index] if index < len(row) else None for ours, index in table.columns.items()}
        if code_column >= len(row) or not cell_text(row[code_column]):
            return
        yield number, cells


def _attendances(workbook: Workbook, table: FoundTable, problems: Problems) -> Iterator[AttendancePrice]:
    for number, cells in _cells(workbook, table):
        code = cell_text(cells["treatment_function"]).zfill(3)
        if not _TFC.match(code):
            _add(problems, number, table, "treatment_function", f"{code!r} is not a treatment function code")
            continue
        prices = {
            key: _price(cells.get(key), number, table, key, problems)
            for key in ("first_single", "first_multi", "follow_up_single", "follow_up_multi")
        }
        yield AttendancePrice(code, cell_text(cells.get("name")), **prices)


def _procedures(workbook: Workbook, table: FoundTable, problems: Problems) -> Iterator[ProcedurePrice]:
    for number, cells in _cells(workbook, table):
        code = cell_text(cells["hrg"]).upper()
        if not _HRG.match(code):
            _add(problems, number, table, "hrg", f"{code!r} is not an HRG code (like WF01A)")
            continue
        price = _price(cells["price"], number, table, "price", problems)
        if price is not None:  # most HRGs have no outpatient procedure price
            yield ProcedurePrice(code, cell_text(cells.get("name")), price)


def _add(problems: Problems, number: int, table: FoundTable, ours: str, message: str) -> None:
    problems.add("value.price", message, row=number, column=table.header[table.columns[ours]] or ours)


def _price(value: Any, number: int, table: FoundTable, ours: str, problems: Problems) -> Money | None:
    if ours not in table.columns:
        return None
    text = cell_text(value).replace("£", "").replace(",", "").strip()
    if text.lower() in _NO_PRICE:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        _add(problems, number, table, ours, f"{text!r} is not a price")
        return None
    if not amount.is_finite() or amount < 0:
        _add(problems, number, table, ours, f"{text!r} is not a price in pounds and pence")
        return None
    if amount != amount.quantize(Decimal("0.01")):
        _add(problems, number, table, ours, f"{text!r} has more than two decimal places; prices are whole pence")
        return None
    return Money(int(amount * PENCE_PER_POUND))


def load_local_prices(path: Path) -> tuple[LocalPrice, ...]:
    """A local price list for out-of-hospital services: CSV with service_line, unit, price (pounds)."""
    text = read_csv_text(path)
    problems = text.problems()
    found = match_columns(text.header, LOCAL_COLUMNS)
    require_columns(found, LOCAL_COLUMNS, tuple(LOCAL_COLUMNS), problems)
    problems.raise_if_any()
    names = {ours: text.header[index] for ours, index in found.items()}
    service = required_text(text.table.column(names["service_line"]), names["service_line"], problems)
    unit = required_text(text.table.column(names["unit"]), names["unit"], problems)
    price = pence(text.table.column(names["price"]), names["price"], problems)
    first_row: dict[str, int] = {}
    for index, line in enumerate(service.to_pylist()):
        if line and line in first_row:
            problems.add(
                "value.duplicate",
                f"{line!r} already has a price at row {text.rows.number(first_row[line])}",
                row=text.rows.number(index),
                column=names["service_line"],
            )
        first_row.setdefault(line, index)
    problems.raise_if_any()
    return tuple(
        LocalPrice(line, per, Money(amount))
        for line, per, amount in zip(service.to_pylist(), unit.to_pylist(), price.to_pylist(), strict=True)
    )
