"""Outturn forecasts on constructed series whose answers are worked out by hand."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gainshare.domain.errors import InvalidInputError
from gainshare.domain.forecast import ForecastMethod
from gainshare.domain.money import Money
from gainshare.engines.forecast import forecast_outturn, student_t_quantile


def pounds(*amounts: int) -> list[Money]:
    return [Money.from_pounds(amount) for amount in amounts]


@pytest.mark.parametrize(
    ("confidence", "df", "expected"),
    [("0.95", 1, "12.706205"), ("0.95", 2, "4.302653"), ("0.95", 10, "2.228139"), ("0.95", 30, "2.042272"),
     ("0.90", 4, "2.131847"), ("0.80", 3, "1.637744")],
)  # fmt: skip
def test_t_quantiles_match_published_tables(confidence: str, df: int, expected: str) -> None:
    assert abs(student_t_quantile(Decimal(confidence), df) - Decimal(expected)) < Decimal("0.000001")


def test_an_exact_line_is_extended_with_no_uncertainty() -> None:
    forecast = forecast_outturn(pounds(100, 110, 120))
    assert forecast.to_date == Money.from_pounds(330)
    assert forecast.remaining == Money.from_pounds(sum(range(130, 220, 10)))  # 130 .. 210, nine months
    assert forecast.outturn == Money.from_pounds(1860)
    assert forecast.lower == forecast.upper == forecast.outturn
    assert (forecast.months_observed, forecast.months_remaining, forecast.degrees_of_freedom) == (3, 9, 1)


def test_trend_with_noise_worked_by_hand() -> None:
    """y = 10, 14, 12, 16 (pounds) over a six-month year: slope 1.6, intercept 9, SSE 7.2, s^2 3.6 on 2 df;
    months 5 and 6 forecast 17 and 18.6; Var(sum) = 3.6 (2 + 4/4 + 6^2/5) = 36.72."""
    forecast = forecast_outturn(pounds(10, 14, 12, 16), months_in_year=6)
    assert forecast.exact_remaining == Decimal("3560")
    assert forecast.outturn == Money.parse("87.60")
    half = Decimal("4.302652730") * Decimal("367200").sqrt()  # in pence: 36.72 pounds^2 = 367200 pence^2
    assert forecast.upper == Money(int((Decimal(8760) + half).quantize(Decimal(1))))
    assert forecast.lower == Money(int((Decimal(8760) - half).quantize(Decimal(1))))
    assert "trend" in forecast.explanation and "2 degrees of freedom" in forecast.explanation


def test_recent_mean_worked_by_hand() -> None:
    """Last three of 5, 9, 11, 13 (pounds): mean 11, s^2 4 on 2 df; eight months left: 88, Var = 4 (8 + 64/3)."""
    forecast = forecast_outturn(pounds(5, 9, 11, 13), method=ForecastMethod.RECENT_MEAN, recent_months=3)
    assert forecast.remaining == Money.from_pounds(88)
    assert forecast.outturn == Money.from_pounds(38 + 88)
    variance = Decimal(40000) * (8 + Decimal(64) / 3)
    assert abs(forecast.standard_error - variance.sqrt()) < Decimal("1e-20")


def test_a_complete_year_is_its_own_outturn() -> None:
    forecast = forecast_outturn(pounds(*range(1, 13)))
    assert forecast.outturn == forecast.to_date == forecast.lower == forecast.upper == Money.from_pounds(78)


@given(st.lists(st.integers(min_value=-(10**7), max_value=10**7), min_size=3, max_size=11))
def test_trend_matches_numpy_least_squares(pence: list[int]) -> None:
    forecast = forecast_outturn([Money(p) for p in pence])
    slope, intercept = np.polyfit(np.arange(1, len(pence) + 1), np.array(pence, dtype=float), 1)
    expected = sum(intercept + slope * t for t in range(len(pence) + 1, 13))
    assert abs(float(forecast.exact_remaining) - expected) <= 1e-6 * max(1.0, abs(expected)) + 1e-3
    assert forecast.lower <= forecast.outturn <= forecast.upper


def test_too_little_data_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="at least 3 months"):
        forecast_outturn(pounds(1, 2))
    with pytest.raises(InvalidInputError, match="13 months"):
        forecast_outturn(pounds(*range(13)))
