from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gainshare.domain.terms import RoundingMode
from gainshare.engines.rounding import floor_pence, largest_remainder, round_pence


@pytest.mark.parametrize(
    ("exact", "mode", "expected"),
    [
        ("2.5", RoundingMode.HALF_UP, 3),
        ("-2.5", RoundingMode.HALF_UP, -3),
        ("2.5", RoundingMode.HALF_EVEN, 2),
        ("3.5", RoundingMode.HALF_EVEN, 4),
        ("2.9", RoundingMode.DOWN, 2),
        ("2.1", RoundingMode.UP, 3),
        ("2.4999", RoundingMode.HALF_UP, 2),
    ],
)
def test_round_pence_modes(exact: str, mode: RoundingMode, expected: int) -> None:
    assert round_pence(Decimal(exact), mode) == expected


def test_floor_pence_rounds_toward_minus_infinity() -> None:
    assert floor_pence(Decimal("2.99")) == 2
    assert floor_pence(Decimal("-2.01")) == -3


def test_largest_remainder_gives_leftover_pennies_to_largest_remainders() -> None:
    assert largest_remainder(100, [Decimal(1), Decimal(1), Decimal(1)]) == [34, 33, 33]
    assert largest_remainder(101, [Decimal("0.5"), Decimal("0.5")]) == [51, 50]
    assert largest_remainder(10, [Decimal("0.16"), Decimal("0.84")]) == [2, 8]
    assert largest_remainder(-100, [Decimal(1), Decimal(2)]) == [-33, -67]


def test_largest_remainder_refuses_nonsense_weights() -> None:
    with pytest.raises(ValueError):
        largest_remainder(10, [])
    with pytest.raises(ValueError):
        largest_remainder(10, [Decimal(0)])
    with pytest.raises(ValueError):
        largest_remainder(10, [Decimal(-1), Decimal(2)])


@given(
    total=st.integers(min_value=-(10**12), max_value=10**12),
    weights=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=12).filter(any),
)
def test_largest_remainder_always_adds_up_and_is_fair(total: int, weights: list[int]) -> None:
    parts = largest_remainder(total, [Decimal(weight) for weight in weights])
    assert sum(parts) == total
    weight_sum = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        quota = Decimal(total) * weight / weight_sum
        assert abs(Decimal(part) - quota) < 1
