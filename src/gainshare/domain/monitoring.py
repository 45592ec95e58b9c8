"""Statistical process control (XmR) charts as values, following NHS England's "Making Data Count" rules.

The conventions are those of the NHS-R community's NHSRplotthedots package (see docs/monitoring.md); the
calculations live in gainshare.engines.spc. Values are exact Decimals so that a constant series has a mean
equal to every point and no spurious signal.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import Enum


class ImprovementDirection(Enum):
    INCREASE = "increase"
    DECREASE = "decrease"
    NEUTRAL = "neutral"

    @property
    def sign(self) -> int:
        return {"increase": 1, "decrease": -1, "neutral": 0}[self.value]


class SpecialCauseRule(Enum):
    """Which rule marked a point; when several apply, the first in this order wins (as NHSRplotthedots)."""

    OUTSIDE_LIMITS = "outside-limits"
    TREND = "trend"
    TWO_IN_THREE = "two-in-three"
    SHIFT = "shift"


class PointType(Enum):
    COMMON_CAUSE = "common-cause"
    IMPROVEMENT = "special-cause-improvement"
    CONCERN = "special-cause-concern"
    NEUTRAL_HIGH = "special-cause-neutral-high"
    NEUTRAL_LOW = "special-cause-neutral-low"


class VariationIcon(Enum):
    COMMON_CAUSE = "common-cause"
    IMPROVEMENT_HIGH = "improvement-high"
    IMPROVEMENT_LOW = "improvement-low"
    CONCERN_HIGH = "concern-high"
    CONCERN_LOW = "concern-low"
    NEUTRAL_HIGH = "neutral-high"
    NEUTRAL_LOW = "neutral-low"


class AssuranceIcon(Enum):
    CONSISTENT_PASS = "consistent-pass"
    CONSISTENT_FAIL = "consistent-fail"
    INCONSISTENT = "inconsistent"


@dataclass(frozen=True, slots=True)
class Observation:
    """One point of a series: a label (usually a month, '2025-04') and its value."""

    label: str
    value: Decimal


@dataclass(frozen=True, slots=True)
class SpcOptions:
    """How to draw the chart. Defaults are NHSRplotthedots' defaults.

    change_points: labels of the first point of each new segment (NHSRplotthedots' `rebase`).
    fix_after_n_points: the mean and limits of each segment come from its first n points only.
    screen_outliers: leave moving ranges of 3.267 x the mean moving range or more out of the limits.
    shift_points: consecutive points on one side of the mean that make a shift (a run).
    trend_points: consecutive points each strictly above (or below) the one before that make a trend;
        7 points are 6 consecutive increases.
    """

    improvement: ImprovementDirection = ImprovementDirection.INCREASE
    target: Decimal | None = None
    change_points: tuple[str, ...] = ()
    fix_after_n_points: int | None = None
    screen_outliers: bool = True
    shift_points: int = 7
    trend_points: int = 7
    short_segment: int = 12


@dataclass(frozen=True, slots=True)
class SegmentLimits:
    """The centre line and limits of one segment (between change points)."""

    first: int  # index of the first point of the segment in the series
    count: int  # points in the segment
    baseline_points: int  # points the mean and limits were computed from (fix_after_n_points)
    mean: Decimal
    mean_moving_range: Decimal
    screened_moving_ranges: int  # moving ranges left out by outlier screening
    lower_process_limit: Decimal
    upper_process_limit: Decimal
    lower_two_sigma: Decimal
    upper_two_sigma: Decimal
    lower_one_sigma: Decimal
    upper_one_sigma: Decimal


@dataclass(frozen=True, slots=True)
class SpcPoint:
    label: str
    value: Decimal
    segment: int
    relative_to_mean: int  # 1 above, -1 below, 0 on the mean
    outside_limits: bool
    close_to_limits: bool  # beyond two sigma but inside the process limits
    rule: SpecialCauseRule | None
    direction: int  # 1 high or increasing, -1 low or decreasing, 0 common cause
    point_type: PointType

    @property
    def special_cause(self) -> bool:
        return self.rule is not None


@dataclass(frozen=True, slots=True)
class SpcChart:
    options: SpcOptions
    points: tuple[SpcPoint, ...]
    segments: tuple[SegmentLimits, ...]
    variation: VariationIcon
    assurance: AssuranceIcon | None  # None without a target or with a neutral direction

    def limits_of(self, point: SpcPoint) -> SegmentLimits:
        return self.segments[point.segment]

    def short_segments(self) -> tuple[int, ...]:
        """Segments with fewer points than options.short_segment: their limits are trial limits."""
        return tuple(i for i, s in enumerate(self.segments) if s.count < self.options.short_segment)
