"""Year-end outturn forecasts from monthly actuals to date.

Two methods, both with a Student-t prediction interval for the sum of the months left (m of them), built
from the residual variance of the months used:

- LINEAR_TREND: ordinary least squares y = a + b t on months t = 1..n; the months left are forecast on the
  line; Var(sum) = s^2 (m + m^2 / n + (sum of (t_f - t_mean))^2 / Sxx), s^2 = SSE / (n - 2), n - 2 degrees of
  freedom. Needs at least three months.
- RECENT_MEAN: the mean of the last k months (k = `recent_months`, or fewer if fewer are known) for each
  month left; Var(sum) = s^2 (m + m^2 / k), s^2 the sample variance of those k months, k - 1 degrees of
  freedom. Needs at least two months.

The interval assumes independent, normally distributed residuals and no seasonality: with strong seasonal
patterns, forecast from a seasonally adjusted series instead. Amounts are exact Decimals in pence until the
Money fields of the result, each rounded half-up once.
"""

from __future__ import annotations

import decimal
import math
from collections.abc import Sequence
from decimal import Decimal

from gainshare.domain.errors import InvalidInputError
from gainshare.domain.forecast import ForecastMethod, OutturnForecast
from gainshare.domain.issues import Issue, Source
from gainshare.domain.money import Money
from gainshare.domain.terms import RoundingMode
from gainshare.engines.rounding import round_pence

_CONTEXT = decimal.Context(prec=50, rounding=decimal.ROUND_HALF_EVEN, traps=[decimal.InvalidOperation])


def forecast_outturn(
    actuals: Sequence[Money],
    months_in_year: int = 12,
    method: ForecastMethod = ForecastMethod.LINEAR_TREND,
    recent_months: int = 3,
    confidence: Decimal = Decimal("0.95"),
) -> OutturnForecast:
    """Forecast the year's outturn from the first len(actuals) months. Raises InvalidInputError if it cannot."""
    _check(actuals, months_in_year, method, recent_months, confidence)
    values = [Decimal(amount.pence) for amount in actuals]
    remaining = months_in_year - len(values)
    with decimal.localcontext(_CONTEXT):
        if method is ForecastMethod.LINEAR_TREND:
            estimate, variance, df, basis = _trend(values, remaining)
        else:
            estimate, variance, df, basis = _recent_mean(values[-recent_months:], remaining)
        error = variance.sqrt()
        half_width = student_t_quantile(confidence, df) * error
        to_date = sum(values, Decimal(0))
    outturn = to_date + estimate
    return OutturnForecast(
        method=method,
        months_observed=len(values),
        months_remaining=remaining,
        to_date=Money(int(to_date)),
        remaining=_money(estimate),
        outturn=_money(outturn),
        lower=_money(outturn - half_width),
        upper=_money(outturn + half_width),
        confidence=confidence,
        exact_remaining=estimate,
        standard_error=error,
        degrees_of_freedom=df,
        explanation=f"{basis}; {confidence * 100:f}% prediction interval from the residual variance "
        f"(Student t, {df} degrees of freedom).",
    )


def _trend(values: list[Decimal], remaining: int) -> tuple[Decimal, Decimal, int, str]:
    n = len(values)
    t_mean = Decimal(n + 1) / 2
    y_mean = sum(values, Decimal(0)) / n
    sxx = sum(((t - t_mean) ** 2 for t in range(1, n + 1)), Decimal(0))
    sxy = sum(((t - t_mean) * (y - y_mean) for t, y in enumerate(values, start=1)), Decimal(0))
    slope = sxy / sxx
    fitted = [y_mean + slope * (t - t_mean) for t in range(1, n + 1)]
    residual_variance = sum(((y - f) ** 2 for y, f in zip(values, fitted, strict=True)), Decimal(0)) / (n - 2)
    future = sum((Decimal(t) - t_mean for t in range(n + 1, n + remaining + 1)), Decimal(0))
    estimate = remaining * y_mean + slope * future
    variance = residual_variance * (remaining + Decimal(remaining**2) / n + future**2 / sxx)
    basis = f"least-squares trend through {n} months ({_pounds(slope)} a month) extended over {remaining} months"
    return estimate, variance, n - 2, basis


def _recent_mean(values: list[Decimal], remaining: int) -> tuple[Decimal, Decimal, int, str]:
    k = len(values)
    mean = sum(values, Decimal(0)) / k
    sample_variance = sum(((y - mean) ** 2 for y in values), Decimal(0)) / (k - 1)
    variance = sample_variance * (remaining + Decimal(remaining**2) / k)
    basis = f"mean of the last {k} months ({_pounds(mean)}) for each of the {remaining} months left"
    return remaining * mean, variance, k - 1, basis


def _check(actuals: Sequence[Money], months: int, method: ForecastMethod, recent: int, confidence: Decimal) -> None:
    needed = 3 if method is ForecastMethod.LINEAR_TREND else 2
    problems: list[str] = []
    if len(actuals) < needed:
        problems.append(f"the {method.value} method needs at least {needed} months of actuals, not {len(actuals)}")
    if len(actuals) > months:
        problems.append(f"{len(actuals)} months of actuals for a year of {months} months")
    if method is ForecastMethod.RECENT_MEAN and recent < 2:
        problems.append(f"the recent mean needs at least 2 months, not {recent}")
    if not Decimal(0) < confidence < Decimal(1):
        problems.append(f"confidence must be between 0 and 1, not {confidence}")
    if problems:
        raise InvalidInputError([Issue("forecast.input", text, Source(clause="forecast")) for text in problems])


def student_t_quantile(confidence: Decimal, df: int) -> Decimal:
    """t such that P(|T| <= t) = confidence for Student's t with df degrees of freedom (to 1e-9).

    Inverts the closed form of Abramowitz and Stegun 26.7.3-4 for whole degrees of freedom by bisection; the
    floats stay inside this function and the result is a Decimal read from a string of nine places.
    """
    target = float(confidence)
    low, high = 0.0, 1.0
    while _t_central(high, df) < target:
        low, high = high, high * 2
    for _ in range(200):
        middle = (low + high) / 2
        if _t_central(middle, df) < target:
            low = middle
        else:
            high = middle
    return Decimal(f"{high:.9f}")


def _t_central(t: float, df: int) -> float:
    """A(t | df) = P(|T| <= t)."""
    theta = math.atan(t / math.sqrt(df))
    cos2 = math.cos(theta) ** 2
    if df % 2 == 0:
        term, total = 1.0, 1.0
        for k in range(2, df, 2):
            term *= cos2 * (k - 1) / k
            total += term
        return math.sin(theta) * total
    if df == 1:
        return 2 * theta / math.pi
    term = math.cos(theta)
    total = term
    for k in range(3, df - 1, 2):
        term *= cos2 * (k - 1) / k
        total += term
    return 2 / math.pi * (theta + math.sin(theta) * total)


def _money(exact_pence: Decimal) -> Money:
    return Money(round_pence(exact_pence, RoundingMode.HALF_UP))


def _pounds(exact_pence: Decimal) -> str:
    return str(_money(exact_pence))
