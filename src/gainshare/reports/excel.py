"""Workbook plumbing for XlsxWriter: exact numbers at the boundary, shared formats, cell references.

XlsxWriter stores every number as an IEEE double. Money is written as pounds with two decimal places from exact
Decimal values; a double holds any such amount exactly enough to round-trip (its shortest repr is the same
decimal) for amounts up to 2^53 pence, about £90 trillion. number() checks the round trip and refuses anything
else, so no value in a workbook is a silently altered float.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from gainshare.domain.money import Money
from gainshare.reports import formatting

NOT_GIVEN = "9E+307"  # stands for "no limit" inside MIN(): larger than any amount a limit can take


def number(value: Decimal | int) -> float:
    """The one place a Decimal becomes a double, checked to read back as the same decimal."""
    result = float(value)
    if Decimal(repr(result)) != Decimal(value):
        raise ValueError(f"{value} cannot be written to a workbook exactly")
    return result


def pounds(amount: Money) -> float:
    return number(amount.as_decimal_pounds())


def cell(row: int, col: int, sheet: str | None = None) -> str:
    """An absolute reference, 'Inputs!$B$4' (or '$B$4' on the same sheet)."""
    ref = xl_rowcol_to_cell(row, col, row_abs=True, col_abs=True)
    return f"{sheet}!{ref}" if sheet else ref


def span(first: str, last: str) -> str:
    """'Inputs!$A$2' and 'Inputs!$A$5' -> 'Inputs!$A$2:$A$5'."""
    return f"{first}:{last.rsplit('!', maxsplit=1)[-1]}"


@dataclass(frozen=True)
class Formats:
    title: Any
    heading: Any
    header: Any
    text: Any
    wrap: Any
    clause: Any
    money: Any
    money_bold: Any
    exact: Any
    rate: Any
    factor: Any
    count: Any
    check: Any
    input_money: Any
    input_rate: Any
    input_count: Any
    input_text: Any


def formats(workbook: Workbook) -> Formats:
    """Fonts, number formats and the input style (light yellow, as finance models mark inputs)."""
    base = {"font_name": "Arial", "font_size": 10, "valign": "top"}
    inputs = {**base, "bg_color": "#FFF9C4", "border": 1, "border_color": "#D8DDE0"}

    def fmt(**options: Any) -> Any:
        return workbook.add_format({**base, **options})

    def input_fmt(**options: Any) -> Any:
        return workbook.add_format({**inputs, **options})

    return Formats(
        title=fmt(bold=True, font_size=14, font_color="#005EB8"),
        heading=fmt(bold=True, font_size=11, bottom=2, bottom_color="#005EB8"),
        header=fmt(bold=True, bottom=1, text_wrap=True),
        text=fmt(),
        wrap=fmt(text_wrap=True),
        clause=fmt(text_wrap=True, font_color="#4C6272", font_size=9),
        money=fmt(num_format=formatting.EXCEL_MONEY),
        money_bold=fmt(num_format=formatting.EXCEL_MONEY, bold=True, top=1),
        exact=fmt(num_format=formatting.EXCEL_EXACT, font_color="#4C6272"),
        rate=fmt(num_format=formatting.EXCEL_RATE),
        factor=fmt(num_format=formatting.EXCEL_FACTOR),
        count=fmt(num_format=formatting.EXCEL_COUNT),
        check=fmt(bold=True, font_color="#007F3B", align="right"),
        input_money=input_fmt(num_format=formatting.EXCEL_MONEY),
        input_rate=input_fmt(num_format=formatting.EXCEL_RATE),
        input_count=input_fmt(num_format=formatting.EXCEL_COUNT),
        input_text=input_fmt(),
    )


class Sheet:
    """A worksheet written top to bottom; `row` is the next free row."""

    def __init__(self, workbook: Workbook, name: str, styles: Formats, widths: tuple[float, ...]) -> None:
        self.name = name
        self.ws: Worksheet = workbook.add_worksheet(name)
        self.f = styles
        self.row = 0
        for col, width in enumerate(widths):
            self.ws.set_column(col, col, width)

    def ref(self, row: int, col: int) -> str:
        return cell(row, col, self.name)

    def title(self, text: str) -> None:
        self.ws.write_string(self.row, 0, text, self.f.title)
        self.row += 1

    def heading(self, text: str) -> None:
        self.row += 1
        self.ws.write_string(self.row, 0, text, self.f.heading)
        self.row += 1

    def note(self, text: str) -> None:
        self.ws.write_string(self.row, 0, text, self.f.wrap)
        self.row += 1

    def headers(self, *names: str) -> None:
        for col, name in enumerate(names):
            self.ws.write_string(self.row, col, name, self.f.header)
        self.row += 1
