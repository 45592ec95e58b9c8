"""The one place where exact amounts become whole pence."""

from __future__ import annotations

import decimal
from decimal import Decimal

from gainshare.domain.terms import RoundingMode

_MODES = {
    RoundingMode.HALF_UP: decimal.ROUND_HALF_UP,
    RoundingMode.HALF_EVEN: decimal.ROUND_HALF_EVEN,
    RoundingMode.DOWN: decimal.ROUND_DOWN,
    RoundingMode.UP: decimal.ROUND_UP,
}

EXACT = decimal.Context(prec=60, rounding=decimal.ROUND_HALF_EVEN, traps=[decimal.InvalidOperation])


def round_pence(exact_pence: Decimal, mode: RoundingMode) -> int:
    """Round an exact amount of pence to a whole penny. Half-up rounds halves away from zero."""
    return int(exact_pence.quantize(Decimal(1), rounding=_MODES[mode]))


def floor_pence(exact_pence: Decimal) -> int:
    """Round towards minus infinity: for caps and limits, so a rounded share can never exceed them."""
    return int(exact_pence.to_integral_value(rounding=decimal.ROUND_FLOOR))


def largest_remainder(total_pence: int, weights: list[Decimal]) -> list[int]:
    """Split whole pence by weight so the parts add up exactly (Hamilton's method).

    Each part gets the floor of its exact quota; the pennies left over go to the largest fractional
    remainders, ties to the earlier weight. A negative total is split as its mirror image.
    """
    if not weights:
        raise ValueError("nothing to split between")
    if any(weight < 0 for weight in weights):
        raise ValueError("weights must not be negative")
    weight_sum = sum(weights, Decimal(0))
    if weight_sum == 0:
        raise ValueError("weights must not all be zero")
    sign = -1 if total_pence < 0 else 1
    magnitude = abs(total_pence)
    with decimal.localcontext(EXACT):
        quotas = [Decimal(magnitude) * weight / weight_sum for weight in weights]
    parts = [int(quota) for quota in quotas]
    leftover = magnitude - sum(parts)
    order = sorted(range(len(weights)), key=lambda index: (-(quotas[index] - parts[index]), index))
    for index in order[:leftover]:
        parts[index] += 1
    return [sign * part for part in parts]
