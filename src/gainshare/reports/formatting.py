"""How money, rates, quantities and dates are shown in documents (HTML, PDF, Excel).

NHS finance statements show a negative amount in brackets: a loss of £1,234.56 is '(£1,234.56)'. Every writer
uses these helpers (and EXCEL_MONEY for workbook cells), so the page, the PDF and the workbook agree.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from gainshare.domain.money import PENCE_PER_POUND, Money, format_rate

EXCEL_MONEY = "£#,##0.00;(£#,##0.00);£0.00"  # positive; negative in brackets; zero
EXCEL_EXACT = "£#,##0.00####;(£#,##0.00####);£0.00"  # unrounded intermediates: up to six decimal places
EXCEL_RATE = "0.00##%"
EXCEL_FACTOR = "0.000000####"
EXCEL_COUNT = "#,##0.##"

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def money(amount: Money) -> str:
    """Money(123456) -> '£1,234.56'; Money(-123456) -> '(£1,234.56)'."""
    pounds, pence = divmod(abs(amount.pence), PENCE_PER_POUND)
    text = f"£{pounds:,}.{pence:02d}"
    return f"({text})" if amount.pence < 0 else text


def signed_money(amount: Money) -> str:
    """For prose: '£1,234.56' or 'minus £1,234.56'."""
    return f"minus {money(-amount)}" if amount.pence < 0 else money(amount)


def exact_pounds(exact_pence: Decimal, places: int = 4) -> str:
    """An unrounded amount of pence as pounds with more places: Decimal('6699941.5') -> '£66,999.4150'."""
    pounds = (exact_pence / PENCE_PER_POUND).quantize(Decimal(1).scaleb(-places))
    text = f"£{abs(pounds):,.{places}f}"
    return f"({text})" if pounds < 0 else text


def pounds(amount: Money) -> Decimal:
    """Money as exact Decimal pounds, for writers that take numbers (Excel)."""
    return amount.as_decimal_pounds()


def rate(value: Decimal) -> str:
    """Decimal('0.125') -> '12.5%'."""
    return format_rate(value)


def quantity(value: Decimal) -> str:
    """Decimal('9917.6112') -> '9,917.61'; Decimal('9800') -> '9,800'."""
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value.quantize(Decimal('0.01')):,}"


def long_date(day: date) -> str:
    """date(2025, 4, 1) -> '1 April 2025' (the NHS style: day, month name, year)."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def timestamp(moment: datetime) -> str:
    """datetime(2026, 5, 1, 9, 30) -> '1 May 2026 at 09:30'."""
    return f"{long_date(moment.date())} at {moment:%H:%M}"
