"""Money as integer pence, and exact rates as Decimal.

Floats never become money or rates: they carry binary rounding errors that do not add up to the penny.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import total_ordering

from gainshare.domain.errors import FloatNotAllowedError

_MONEY_TEXT = re.compile(r"^(?P<sign>-)?£?(?P<units>\d{1,3}(,\d{3})+|\d+)(\.(?P<frac>\d{1,2}))?$")
_RATE_TEXT = re.compile(r"^-?\d+(\.\d+)?%?$")
PENCE_PER_POUND = 100


def to_decimal(value: object) -> Decimal:
    """An exact Decimal from a str, int or Decimal; floats are refused."""
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number")
    if isinstance(value, float):
        raise FloatNotAllowedError(value)
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"{value!r} is not a number") from None
        if not result.is_finite():
            raise ValueError(f"{value!r} is not a finite number")
        return result
    raise TypeError(f"{type(value).__name__} is not a number")


def parse_rate(text: str) -> Decimal:
    """'50%' -> Decimal('0.5'); '0.5' -> Decimal('0.5'). Exact, no floats."""
    cleaned = text.strip().replace(" ", "")
    if not _RATE_TEXT.match(cleaned):
        raise ValueError(f"{text!r} is not a rate: write it like '50%' or '0.5'")
    if cleaned.endswith("%"):
        return Decimal(cleaned[:-1]) / 100
    return Decimal(cleaned)


def format_rate(rate: Decimal) -> str:
    """Decimal('0.125') -> '12.5%'."""
    percent = (rate * 100).normalize()
    text = format(percent, "f")
    return f"{text}%"


@total_ordering
@dataclass(frozen=True, slots=True)
class Money:
    """An amount of sterling in whole pence. Immutable; arithmetic stays in pence."""

    pence: int

    def __post_init__(self) -> None:
        if isinstance(self.pence, bool) or not isinstance(self.pence, int):
            raise TypeError(f"Money holds whole pence as int, not {type(self.pence).__name__}")

    @classmethod
    def zero(cls) -> Money:
        return cls(0)

    @classmethod
    def parse(cls, text: str) -> Money:
        """'£1,234.50', '1234.5', '-12' (pounds) -> Money. More than two decimal places is refused."""
        cleaned = text.strip().replace(" ", "")
        match = _MONEY_TEXT.match(cleaned)
        if not match:
            raise ValueError(f"{text!r} is not an amount of money: write it like '1234.56' or '£1,234.56'")
        units = int(match["units"].replace(",", ""))
        frac = (match["frac"] or "0").ljust(2, "0")
        pence = units * PENCE_PER_POUND + int(frac)
        return cls(-pence if match["sign"] else pence)

    @classmethod
    def from_pounds(cls, pounds: int) -> Money:
        return cls(pounds * PENCE_PER_POUND)

    def as_decimal_pounds(self) -> Decimal:
        return Decimal(self.pence).scaleb(-2)

    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        return Money(self.pence + other.pence)

    def __sub__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        return Money(self.pence - other.pence)

    def __neg__(self) -> Money:
        return Money(-self.pence)

    def __abs__(self) -> Money:
        return Money(abs(self.pence))

    def __lt__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        return self.pence < other.pence

    def __bool__(self) -> bool:
        return self.pence != 0

    def __str__(self) -> str:
        return self.format()

    def format(self) -> str:
        """'£1,234.56' or '-£1,234.56'."""
        sign = "-" if self.pence < 0 else ""
        pounds, pence = divmod(abs(self.pence), PENCE_PER_POUND)
        return f"{sign}£{pounds:,}.{pence:02d}"

    def plain(self) -> str:
        """'1234.56': for CSV and JSON decimal strings."""
        sign = "-" if self.pence < 0 else ""
        pounds, pence = divmod(abs(self.pence), PENCE_PER_POUND)
        return f"{sign}{pounds}.{pence:02d}"


def total(amounts: list[Money] | tuple[Money, ...]) -> Money:
    return Money(sum(amount.pence for amount in amounts))
