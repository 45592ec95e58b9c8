"""XmR charts with the Making Data Count rules, as implemented by NHSRplotthedots (R, NHS-R community).

Per segment (the points between change points, NHSRplotthedots' `rebase`):

- mean of the segment's first n points (all of them unless fix_after_n_points), moving ranges |x[i] - x[i-1]|
  of those points and their mean mR-bar; with screen_outliers (the default), moving ranges of 3.267 x mR-bar
  or more are left out and mR-bar is taken again;
- process limits mean +/- 2.66 x mR-bar; sigma lines mean +/- (2.66 / 3) x mR-bar x 1 and x 2.

Rules, applied within each segment (runs and trends never cross a change point); a point marked by more than
one rule takes the first: outside the process limits (strictly beyond); a trend of trend_points points each
strictly above (or below) the one before, across the mean or not, all of them marked, an equal value breaking
it; two of three consecutive points beyond two sigma but inside the limits, all three on the same side of the
mean, only the points beyond two sigma marked; a shift of shift_points points on one side of the mean, all
marked, a point on the mean breaking it. A marked point is high or low: by its side of the mean, except in a
trend, where it takes the trend's direction. The improvement direction makes it improvement or concern.
"""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from decimal import Decimal
from itertools import pairwise

from gainshare.domain.errors import InvalidInputError
from gainshare.domain.issues import Issue, Source
from gainshare.domain.money import to_decimal
from gainshare.domain.monitoring import (
    AssuranceIcon,
    ImprovementDirection,
    Observation,
    PointType,
    SegmentLimits,
    SpcChart,
    SpcOptions,
    SpcPoint,
    SpecialCauseRule,
    VariationIcon,
)

LIMIT = Decimal("2.66")
SCREEN = Decimal("3.267")
_CONTEXT = decimal.Context(prec=50, rounding=decimal.ROUND_HALF_EVEN, traps=[decimal.InvalidOperation])


def observations(labels: Sequence[str], values: Sequence[object]) -> tuple[Observation, ...]:
    """Observations from labels and exact values (str, int or Decimal; floats are refused)."""
    if len(labels) != len(values):
        raise ValueError(f"{len(labels)} labels but {len(values)} values")
    return tuple(Observation(label, to_decimal(value)) for label, value in zip(labels, values, strict=True))


def xmr_chart(series: Sequence[Observation], options: SpcOptions | None = None) -> SpcChart:
    """The XmR chart of a series in time order. Raises InvalidInputError naming every problem."""
    options = options or SpcOptions()
    issues = check_series(series, options)
    if issues:
        raise InvalidInputError(issues)
    with decimal.localcontext(_CONTEXT):
        segments: list[SegmentLimits] = []
        points: list[SpcPoint] = []
        for index, (first, stop) in enumerate(segment_bounds(series, options.change_points)):
            values = [observation.value for observation in series[first:stop]]
            limits = segment_limits(values, first, options)
            segments.append(limits)
            points.extend(classify(series[first:stop], index, limits, options))
    return SpcChart(
        options,
        tuple(points),
        tuple(segments),
        variation_icon(points[-1].point_type, options.improvement),
        assurance_icon(segments[-1], options),
    )


def check_series(series: Sequence[Observation], options: SpcOptions) -> list[Issue]:
    where = Source(clause="spc")
    issues: list[Issue] = []
    if not series:
        issues.append(Issue("spc.empty", "the series has no points", where))
    labels = [observation.label for observation in series]
    duplicates = sorted({label for label in labels if labels.count(label) > 1})
    if duplicates:
        issues.append(Issue("spc.duplicate", f"labels appear more than once: {', '.join(duplicates)}", where))
    unknown = [label for label in options.change_points if label not in labels]
    if unknown:
        issues.append(Issue("spc.change_point", f"change points not in the series: {', '.join(unknown)}", where))
    for name in ("shift_points", "trend_points", "fix_after_n_points"):
        value = getattr(options, name)
        if value is not None and value < 2:
            issues.append(Issue("spc.options", f"{name} must be at least 2, not {value}", Source(clause=name)))
    return issues


def segment_bounds(series: Sequence[Observation], change_points: Sequence[str]) -> list[tuple[int, int]]:
    """(first, stop) index pairs of the segments; a change point names the first point of a new segment."""
    starts = sorted({0} | {i for i, observation in enumerate(series) if observation.label in change_points})
    return [(start, stop) for start, stop in zip(starts, [*starts[1:], len(series)], strict=True)]


def segment_limits(values: Sequence[Decimal], first: int, options: SpcOptions) -> SegmentLimits:
    baseline = list(values[: options.fix_after_n_points] if options.fix_after_n_points else values)
    mean = sum(baseline, Decimal(0)) / len(baseline)
    ranges = [abs(later - earlier) for earlier, later in pairwise(baseline)]
    mr_bar, screened = _mean_moving_range(ranges, options.screen_outliers)
    sigma = LIMIT * mr_bar / 3
    width = LIMIT * mr_bar
    return SegmentLimits(
        first=first,
        count=len(values),
        baseline_points=len(baseline),
        mean=mean,
        mean_moving_range=mr_bar,
        screened_moving_ranges=screened,
        lower_process_limit=mean - width,
        upper_process_limit=mean + width,
        lower_two_sigma=mean - 2 * sigma,
        upper_two_sigma=mean + 2 * sigma,
        lower_one_sigma=mean - sigma,
        upper_one_sigma=mean + sigma,
    )


def _mean_moving_range(ranges: list[Decimal], screen: bool) -> tuple[Decimal, int]:
    """mR-bar, and how many moving ranges screening left out (none when mR-bar is zero)."""
    if not ranges:
        return Decimal(0), 0
    mr_bar = sum(ranges, Decimal(0)) / len(ranges)
    if not screen or mr_bar == 0:
        return mr_bar, 0
    kept = [moving_range for moving_range in ranges if moving_range < SCREEN * mr_bar]
    return sum(kept, Decimal(0)) / len(kept), len(ranges) - len(kept)


def classify(series: Sequence[Observation], segment: int, limits: SegmentLimits, options: SpcOptions) -> list[SpcPoint]:
    """The points of one segment with the rule (if any) that marks each, its direction and its type."""
    values = [observation.value for observation in series]
    sides = [_sign(value - limits.mean) for value in values]
    outside = [value > limits.upper_process_limit or value < limits.lower_process_limit for value in values]
    close = [
        not beyond and (value > limits.upper_two_sigma or value < limits.lower_two_sigma)
        for value, beyond in zip(values, outside, strict=True)
    ]
    trend = trend_directions(values, options.trend_points)
    two_of_three = two_in_three_marks(close, sides)
    shift = shift_marks(sides, options.shift_points)
    points: list[SpcPoint] = []
    for i, observation in enumerate(series):
        rule, direction = _rule(outside[i], trend[i], two_of_three[i], shift[i], sides[i])
        points.append(
            SpcPoint(
                observation.label,
                observation.value,
                segment,
                sides[i],
                outside[i],
                close[i],
                rule,
                direction,
                point_type(direction, options.improvement),
            )
        )
    return points


def _rule(outside: bool, trend: int, two_of_three: bool, shift: bool, side: int) -> tuple[SpecialCauseRule | None, int]:
    high_or_low = 1 if side > 0 else -1
    if outside:
        return SpecialCauseRule.OUTSIDE_LIMITS, high_or_low
    if trend:
        return SpecialCauseRule.TREND, trend
    if two_of_three:
        return SpecialCauseRule.TWO_IN_THREE, high_or_low
    if shift:
        return SpecialCauseRule.SHIFT, high_or_low
    return None, 0


def shift_marks(sides: Sequence[int], length: int) -> list[bool]:
    """Points in a run of at least `length` consecutive points on the same side of the mean (0 breaks a run)."""
    marks = [False] * len(sides)
    start = 0
    for i in range(1, len(sides) + 1):
        if i < len(sides) and sides[i] == sides[start]:
            continue
        if sides[start] != 0 and i - start >= length:
            marks[start:i] = [True] * (i - start)
        start = i
    return marks


def trend_directions(values: Sequence[Decimal], length: int) -> list[int]:
    """1 or -1 for points in `length` consecutive strictly rising or falling points, else 0.

    A point in a trend takes the direction of the step to the next point when that point is in a trend too,
    else of the step from the previous point (NHSRplotthedots: "if a point is part of a trend either side,
    use right side").
    """
    steps = [_sign(later - earlier) for earlier, later in pairwise(values)]
    marked = [False] * len(values)
    for end in range(length - 1, len(values)):
        window = steps[end - length + 1 : end]
        if window and window[0] != 0 and all(step == window[0] for step in window):
            marked[end - length + 1 : end + 1] = [True] * length
    directions = [0] * len(values)
    for i, in_trend in enumerate(marked):
        if in_trend:
            next_too = i + 1 < len(values) and marked[i + 1]
            directions[i] = steps[i] if next_too else steps[i - 1]
    return directions


def two_in_three_marks(close: Sequence[bool], sides: Sequence[int]) -> list[bool]:
    """Points beyond two sigma in any three consecutive points with at least two beyond two sigma, all three
    on the same side of the mean (NHSRplotthedots issue #143)."""
    marks = [False] * len(close)
    for first in range(len(close) - 2):
        window = range(first, first + 3)
        same_side = sides[first] != 0 and all(sides[i] == sides[first] for i in window)
        if same_side and sum(close[i] for i in window) >= 2:
            for i in window:
                marks[i] = marks[i] or close[i]
    return marks


def point_type(direction: int, improvement: ImprovementDirection) -> PointType:
    if direction == 0:
        return PointType.COMMON_CAUSE
    if improvement is ImprovementDirection.NEUTRAL:
        return PointType.NEUTRAL_HIGH if direction > 0 else PointType.NEUTRAL_LOW
    return PointType.IMPROVEMENT if direction * improvement.sign > 0 else PointType.CONCERN


def variation_icon(last: PointType, improvement: ImprovementDirection) -> VariationIcon:
    """The Making Data Count variation icon, from the type of the last point."""
    increase = improvement is ImprovementDirection.INCREASE
    icons = {
        PointType.COMMON_CAUSE: VariationIcon.COMMON_CAUSE,
        PointType.NEUTRAL_HIGH: VariationIcon.NEUTRAL_HIGH,
        PointType.NEUTRAL_LOW: VariationIcon.NEUTRAL_LOW,
        PointType.IMPROVEMENT: VariationIcon.IMPROVEMENT_HIGH if increase else VariationIcon.IMPROVEMENT_LOW,
        PointType.CONCERN: VariationIcon.CONCERN_LOW if increase else VariationIcon.CONCERN_HIGH,
    }
    return icons[last]


def assurance_icon(limits: SegmentLimits, options: SpcOptions) -> AssuranceIcon | None:
    """Target beyond the last segment's process limits: consistently passing or failing; inside: inconsistent."""
    if options.target is None or options.improvement is ImprovementDirection.NEUTRAL:
        return None
    increase = options.improvement is ImprovementDirection.INCREASE
    if options.target > limits.upper_process_limit:
        return AssuranceIcon.CONSISTENT_FAIL if increase else AssuranceIcon.CONSISTENT_PASS
    if options.target < limits.lower_process_limit:
        return AssuranceIcon.CONSISTENT_PASS if increase else AssuranceIcon.CONSISTENT_FAIL
    return AssuranceIcon.INCONSISTENT


def _sign(value: Decimal) -> int:
    return (value > 0) - (value < 0)
