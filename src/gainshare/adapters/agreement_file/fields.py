"""Field types for the agreement file: money and rates are written as text so they stay exact."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from pydantic import BeforeValidator, WithJsonSchema

from gainshare.domain.money import Money, parse_rate

_FLOAT = " (a bare decimal number is read as a float)"


def _exact_text(noun: str, example: str, check: Callable[[str], object]) -> Callable[[object], str]:
    """A validator that keeps a value as text, refusing floats and booleans, and checks it parses."""

    def validate(value: object) -> str:
        if isinstance(value, float):
            raise ValueError(f"write {noun} as a quoted string such as {example}{_FLOAT}")
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ValueError(f"expected {noun} such as {example}")
        text = str(value)
        check(text)
        return text

    return validate


_money_text = _exact_text("money", "'1234.56'", Money.parse)
_rate_text = _exact_text("a rate", "'50%' or '0.5'", parse_rate)
_amount_or_rate_text = _exact_text("a band limit", "'2%' or '50000'", str)


MoneyText = Annotated[
    str,
    BeforeValidator(_money_text),
    WithJsonSchema(
        {
            "type": ["string", "integer"],
            "format": "money",
            "pattern": r"^-?£?(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?$",
            "description": "Pounds, exact to the penny: '1234.56', '£1,234.56' or a whole number of pounds.",
        }
    ),
]
RateText = Annotated[
    str,
    BeforeValidator(_rate_text),
    WithJsonSchema(
        {
            "type": ["string", "integer"],
            "format": "rate",
            "pattern": r"^-?\d+(\.\d+)?%?$",
            "description": "A rate: '50%' or '0.5' (quoted, so it stays exact).",
        }
    ),
]
BandLimitText = Annotated[
    str,
    BeforeValidator(_amount_or_rate_text),
    WithJsonSchema(
        {
            "type": ["string", "integer"],
            "format": "rate-or-money",
            "description": "A rate of the baseline ('2%') or an amount ('50000'), per the band basis.",
        }
    ),
]
