"""A year-end outturn forecast from monthly actuals to date, with a prediction interval."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from gainshare.domain.money import Money


class ForecastMethod(Enum):
    LINEAR_TREND = "linear-trend"  # least-squares line through the months to date, extended to the year end
    RECENT_MEAN = "recent-mean"  # mean of the last n months for each month left


@dataclass(frozen=True, slots=True)
class OutturnForecast:
    """Outturn = actual to date + forecast of the months left; the interval is for the outturn.

    Money fields are rounded half-up to the penny from the exact values kept alongside (in pence).
    """

    method: ForecastMethod
    months_observed: int
    months_remaining: int
    to_date: Money
    remaining: Money
    outturn: Money
    lower: Money
    upper: Money
    confidence: Decimal
    exact_remaining: Decimal
    standard_error: Decimal  # of the forecast of the months left, in pence
    degrees_of_freedom: int
    explanation: str
