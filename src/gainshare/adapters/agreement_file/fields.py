"""Field types for the agreement file: money and rates are written as text so they stay exact."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, WithJsonSchema

from gainshare.domain.money import Money, parse_rate

_FLOAT_MONEY = "write money as a quoted string such as '1234.56' (a bare decimal number is read as a float)"
_FLOAT_RATE = "write a rate as a quoted string such as '50%' or '0.5' (a bare decimal number is read as a float)"


def _money_text(value: object) -> str:
    if isinstance(value, float):
        raise ValueError(_FLOAT_MONEY)
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError("expected an amount of money such as '1234.56'")
    text = str(value)
    Money.parse(text)
    return text


def _rate_text(value: object) -> str:
    if isinstance(value, float):
        raise ValueError(_FLOAT_RATE)
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError("expected a rate such as '50%' or '0.5'")
    text = str(value)
    parse_rate(text)
    return text


def _amount_or_rate_text(value: object) -> str:
    if isinstance(value, float):
        raise ValueError("write a band limit as a quoted string such as '2%' or '50000' (a bare decimal is a float)")
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError("expected a rate such as '2%' or an amount such as '50000'")
    return str(value)


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
