from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from gainshare.domain.money import Money
from gainshare.reports import formatting


@pytest.mark.parametrize(
    ("pence", "text"),
    [
        (0, "£0.00"),
        (5, "£0.05"),
        (123456, "£1,234.56"),
        (-123456, "(£1,234.56)"),
        (-1, "(£0.01)"),
        (100000000000, "£1,000,000,000.00"),
    ],
)
def test_money_shows_negatives_in_brackets(pence: int, text: str) -> None:
    assert formatting.money(Money(pence)) == text


def test_signed_money_for_prose() -> None:
    assert formatting.signed_money(Money(-250)) == "minus £2.50"
    assert formatting.signed_money(Money(250)) == "£2.50"


def test_exact_pounds_keeps_the_part_penny() -> None:
    assert formatting.exact_pounds(Decimal("6699941.5")) == "£66,999.4150"
    assert formatting.exact_pounds(Decimal("-250.25")) == "(£2.5025)"


def test_rates_quantities_and_dates() -> None:
    assert formatting.rate(Decimal("0.125")) == "12.5%"
    assert formatting.quantity(Decimal("9800")) == "9,800"
    assert formatting.quantity(Decimal("9917.6112")) == "9,917.61"
    assert formatting.long_date(date(2025, 4, 1)) == "1 April 2025"
    assert formatting.timestamp(datetime(2026, 5, 1, 9, 5)) == "1 May 2026 at 09:05"


def test_excel_money_format_matches_the_brackets_rule() -> None:
    positive, negative, zero = formatting.EXCEL_MONEY.split(";")
    assert positive == "£#,##0.00"
    assert negative == "(£#,##0.00)"
    assert zero == "£0.00"
