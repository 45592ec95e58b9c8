from decimal import Decimal

import pytest

from gainshare.domain.errors import FloatNotAllowedError
from gainshare.domain.money import Money, format_rate, parse_rate, to_decimal


@pytest.mark.parametrize(
    ("text", "pence"),
    [("1234.56", 123456), ("£1,234.5", 123450), ("-12", -1200), ("0.01", 1), ("1,000,000", 100000000)],
)
def test_money_parses_pounds_text_exactly(text: str, pence: int) -> None:
    assert Money.parse(text) == Money(pence)


@pytest.mark.parametrize("text", ["12.345", "1,23.00", "abc", "", "£", "1.2.3", "12,34"])
def test_money_refuses_text_that_is_not_pence_exact(text: str) -> None:
    with pytest.raises(ValueError, match="not an amount of money"):
        Money.parse(text)


def test_money_refuses_floats_and_bools() -> None:
    with pytest.raises(TypeError):
        Money(1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money(True)


def test_money_formats_as_sterling() -> None:
    assert Money(123456789).format() == "£1,234,567.89"
    assert Money(-5).format() == "-£0.05"
    assert Money(-123456).plain() == "-1234.56"


def test_money_arithmetic_stays_in_pence() -> None:
    assert Money(150) + Money(-50) == Money(100)
    assert Money(150) - Money(200) == Money(-50)
    assert -Money(3) == Money(-3)
    assert abs(Money(-3)) == Money(3)
    assert Money(1) < Money(2)


def test_to_decimal_refuses_floats() -> None:
    with pytest.raises(FloatNotAllowedError):
        to_decimal(0.1)
    assert to_decimal("0.1") + to_decimal("0.2") == Decimal("0.3")


@pytest.mark.parametrize(("text", "rate"), [("50%", "0.5"), ("0.5", "0.5"), ("12.5%", "0.125"), ("100%", "1")])
def test_rates_parse_exactly(text: str, rate: str) -> None:
    assert parse_rate(text) == Decimal(rate)


def test_rate_text_must_look_like_a_rate() -> None:
    with pytest.raises(ValueError, match="not a rate"):
        parse_rate("fifty percent")


def test_format_rate() -> None:
    assert format_rate(Decimal("0.125")) == "12.5%"
    assert format_rate(Decimal("1")) == "100%"
