"""The SPC engine against NHSRplotthedots (github.com/nhs-r-community/NHSRplotthedots): its documented
examples, its test suite's cases and its snapshot values. Each test names the file it was taken from."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gainshare.domain.monitoring import (
    AssuranceIcon,
    ImprovementDirection,
    PointType,
    SegmentLimits,
    SpcOptions,
    SpecialCauseRule,
    VariationIcon,
)
from gainshare.engines.spc import (
    assurance_icon,
    observations,
    shift_marks,
    trend_directions,
    two_in_three_marks,
    xmr_chart,
)

# set.seed(123); rnorm(20): the series of tests/testthat/test-ptd_spc_standard.R, printed to 8 decimals in
# tests/testthat/_snaps/ptd_spc_standard.md.
RNORM_123 = [
    "-0.56047565", "-0.23017749", "1.55870831", "0.07050839", "0.12928774", "1.71506499", "0.46091621",
    "-1.26506123", "-0.68685285", "-0.44566197", "1.22408180", "0.35981383", "0.40077145", "0.11068272",
    "-0.55584113", "1.78691314", "0.49785048", "-1.96661716", "0.70135590", "-0.47279141",
]  # fmt: skip


def series(values: list[str] | list[int] | list[Decimal]) -> tuple:  # type: ignore[type-arg]
    return observations([f"p{i:02d}" for i in range(len(values))], list(values))


def close(actual: Decimal, expected: str, places: int) -> bool:
    return abs(actual - Decimal(expected)) <= Decimal(1).scaleb(-places) / 2


def test_snapshot_limits_of_rnorm_series() -> None:
    """tests/testthat/_snaps/ptd_spc_standard.md, r1: mean 0.1416238, lpl -3.01138, upl 3.294627."""
    chart = xmr_chart(series(RNORM_123))
    [limits] = chart.segments
    assert close(limits.mean, "0.1416238", 7)
    assert close(limits.lower_process_limit, "-3.01138", 5)
    assert close(limits.upper_process_limit, "3.294627", 6)
    assert [p.relative_to_mean for p in chart.points[:13]] == [-1, -1, 1, -1, -1, 1, 1, -1, -1, -1, 1, 1, 1]
    assert not any(p.outside_limits for p in chart.points)


@pytest.mark.parametrize(
    ("screen", "lower", "upper"),
    [(True, "-2.383666", "3.722497"), (False, "-4.596625", "5.935457")],
)
def test_snapshot_outlier_screening(screen: bool, lower: str, upper: str) -> None:
    """tests/testthat/_snaps/ptd_spc_standard.md, r2 and r3: y[15] <- 10, screen_outliers TRUE then FALSE;
    mean 0.6694159 either way, limits narrower when screened."""
    values = list(RNORM_123)
    values[14] = "10"
    [limits] = xmr_chart(series(values), SpcOptions(screen_outliers=screen)).segments
    assert close(limits.mean, "0.6694159", 7)
    assert close(limits.lower_process_limit, lower, 6)
    assert close(limits.upper_process_limit, upper, 6)
    assert limits.screened_moving_ranges == (2 if screen else 0)


@pytest.mark.parametrize(
    ("screen", "lower", "mean", "upper"),
    [(True, "-0.72", "1.94", "4.60"), (False, "-3.06", "1.94", "6.95")],
)
def test_deviations_vignette_example(screen: bool, lower: str, mean: str, upper: str) -> None:
    """vignettes/deviations.Rmd, "Treatment of outlying points": the caption of each chart gives the limits
    to two places, and the chart shows the fifth point alone as special cause improvement."""
    data = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]
    chart = xmr_chart(series(data), SpcOptions(screen_outliers=screen))
    [limits] = chart.segments
    assert close(limits.lower_process_limit, lower, 2)
    assert close(limits.mean, mean, 2)
    assert close(limits.upper_process_limit, upper, 2)
    types = [p.point_type for p in chart.points]
    assert types[4] is PointType.IMPROVEMENT
    assert chart.points[4].rule is SpecialCauseRule.OUTSIDE_LIMITS
    assert types[:4] + types[5:] == [PointType.COMMON_CAUSE] * 17


def test_two_in_three_on_opposite_sides_is_common_cause() -> None:
    """tests/testthat/test-ptd_spc_standard.R: symmetric data with two successive points close to the limits on
    opposite sides of the mean (issue #143) are common cause."""
    data = [Decimal(1), Decimal(-1)] * 8
    data[14], data[15] = Decimal("5.5"), Decimal("-5.5")
    chart = xmr_chart(series(data))
    assert chart.points[14].close_to_limits and chart.points[15].close_to_limits
    assert [p.point_type for p in chart.points[-2:]] == [PointType.COMMON_CAUSE] * 2


@pytest.mark.parametrize(
    ("sides", "expected"),
    [
        ([], []),
        ([1] * 6, [False] * 6),
        ([1] * 6 + [-1], [False] * 7),
        ([1] * 8 + [-1], [True] * 8 + [False]),
        ([-1] * 8 + [1], [True] * 8 + [False]),
    ],
)
def test_seven_points_one_side_of_the_mean(sides: list[int], expected: list[bool]) -> None:
    """tests/testthat/test-ptd_calculate_point_type.R: ptd_seven_point_one_side_mean and
    ptd_part_of_seven_trend (every point of the run is marked)."""
    assert shift_marks(sides, 7) == expected


def test_a_point_on_the_mean_breaks_a_shift() -> None:
    """R/ptd_calculate_point_type.R: a run needs vp[[i]] != 0, so a point exactly on the mean breaks it."""
    assert shift_marks([1, 1, 1, 0, 1, 1, 1, 1], 7) == [False] * 8


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], []),
        (list(range(1, 7)), [0] * 6),
        ([1, 2, 3, 3, 4, 5, 6], [0] * 7),
        (list(range(1, 8)), [1] * 7),
        ([2, *range(1, 8), 3], [0, *[1] * 7, 0]),
        (list(range(7, 0, -1)), [-1] * 7),
        ([2, *range(7, 0, -1), 3], [0, *[-1] * 7, 0]),
    ],
)
def test_seven_point_trend(values: list[int], expected: list[int]) -> None:
    """tests/testthat/test-ptd_calculate_point_type.R: ptd_seven_point_trend (ties break a trend; all seven
    points of the trend are marked)."""
    assert trend_directions([Decimal(v) for v in values], 7) == expected


@pytest.mark.parametrize(
    ("close_points", "sides", "expected"),
    [
        ([1, 0, 1], [1, 1, 1], [1, 0, 1]),
        ([0, 1, 1], [1, 1, 1], [0, 1, 1]),
        ([1, 1, 0], [1, 1, 1], [1, 1, 0]),
        ([0, 0, 1, 0, 1, 0, 0], [1] * 7, [0, 0, 1, 0, 1, 0, 0]),
        ([0, 0, 1, 1, 0, 0, 0], [1] * 7, [0, 0, 1, 1, 0, 0, 0]),
        ([1, 0, 0, 1], [1] * 4, [0, 0, 0, 0]),
        ([1, 0, 0, 1, 1], [1] * 5, [0, 0, 0, 1, 1]),
        ([1, 0, 1], [1, -1, 1], [0, 0, 0]),
        ([0, 1, 1], [1, -1, 1], [0, 0, 0]),
        ([0, 0, 1, 0, 1, 0, 0], [1, -1, 1, -1, 1, -1, 1], [0] * 7),
        ([0, 0, 1, 1, 0, 0, 0], [-1, 1, -1, 1, -1, 1, -1], [0] * 7),
    ],
)
def test_two_in_three(close_points: list[int], sides: list[int], expected: list[int]) -> None:
    """tests/testthat/test-ptd_calculate_point_type.R: ptd_two_in_three and ptd_part_of_two_in_three (only the
    points beyond two sigma are marked; all three points must be on the same side of the mean)."""
    assert two_in_three_marks([bool(c) for c in close_points], sides) == [bool(e) for e in expected]


def limits(lower: int, mean: int, upper: int) -> SegmentLimits:
    d = Decimal
    return SegmentLimits(0, 12, 12, d(mean), d(0), 0, d(lower), d(upper), d(0), d(0), d(0), d(0))


@pytest.mark.parametrize(
    ("direction", "expected"),
    [
        (
            ImprovementDirection.INCREASE,
            [AssuranceIcon.CONSISTENT_FAIL, AssuranceIcon.CONSISTENT_PASS, AssuranceIcon.INCONSISTENT],
        ),
        (
            ImprovementDirection.DECREASE,
            [AssuranceIcon.CONSISTENT_PASS, AssuranceIcon.CONSISTENT_FAIL, AssuranceIcon.INCONSISTENT],
        ),
        (ImprovementDirection.NEUTRAL, [None, None, None]),
    ],
)
def test_assurance(direction: ImprovementDirection, expected: list[AssuranceIcon | None]) -> None:
    """tests/testthat/test-ptd_calculate_assurance_type.R: limits (1, 2, 3), (5, 6, 7), (1, 4, 5), target 4."""
    options = SpcOptions(improvement=direction, target=Decimal(4))
    cases = [limits(1, 2, 3), limits(5, 6, 7), limits(1, 4, 5)]
    assert [assurance_icon(case, options) for case in cases] == expected


def test_no_target_no_assurance() -> None:
    """tests/testthat/test-ptd_calculate_assurance_type.R: NA without a target."""
    assert assurance_icon(limits(1, 2, 3), SpcOptions()) is None


def test_rebase_gives_each_segment_its_own_limits_and_the_last_segment_the_assurance() -> None:
    """R/ptd_spc_standard.R: rebase dates start new groups (cumsum of the rebase column), each with its own mean
    and limits; R/ptd_calculate_assurance_type.R takes the limits of the last point."""
    data = [10, 12, 11, 13, 10, 12, 11, 13, 10, 12, 11, 13, 30, 32, 31, 33, 30, 32, 31, 33, 30, 32, 31, 33]
    chart = xmr_chart(series(data), SpcOptions(change_points=("p12",), target=Decimal(20)))
    first, second = chart.segments
    assert (first.first, first.count, first.mean) == (0, 12, Decimal("11.5"))
    assert (second.first, second.count, second.mean) == (12, 12, Decimal("31.5"))
    assert {p.segment for p in chart.points[:12]} == {0} and {p.segment for p in chart.points[12:]} == {1}
    assert not any(p.special_cause for p in chart.points)
    assert chart.assurance is AssuranceIcon.CONSISTENT_PASS
    whole = xmr_chart(series(data))
    assert any(p.special_cause for p in whole.points)


def test_fix_after_n_points_uses_only_the_first_points() -> None:
    """R/ptd_spc_standard.R: fix_y keeps the first fix_after_n_points of each group for the mean and the moving
    ranges; the limits then apply to every point of the group."""
    data = [5, 6, 5, 6, 5, 6, 5, 6, 5, 6, 5, 6, 20, 21, 22]
    chart = xmr_chart(series(data), SpcOptions(fix_after_n_points=12))
    [limits_] = chart.segments
    assert limits_.mean == Decimal("5.5")
    assert limits_.mean_moving_range == Decimal(1)
    assert limits_.baseline_points == 12
    assert [p.rule for p in chart.points[12:]] == [SpecialCauseRule.OUTSIDE_LIMITS] * 3
    assert chart.variation is VariationIcon.IMPROVEMENT_HIGH


def test_a_trend_crossing_the_mean_takes_the_trend_direction() -> None:
    """NEWS.md 0.2.2, issue #171: "trends of 7 points crossing the mean are coloured incorrectly"; since then
    R/ptd_calculate_point_type.R labels trend points Increasing/Decreasing, not by side of the mean."""
    data = [20, 23, 18, 22, 19, 21, 17, 18, 19, 20, 21, 22, 23, 19, 22, 18]
    chart = xmr_chart(series(data), SpcOptions(screen_outliers=False))
    trend = chart.points[6:13]
    assert {p.rule for p in trend} == {SpecialCauseRule.TREND}
    assert any(p.relative_to_mean < 0 for p in trend) and any(p.relative_to_mean > 0 for p in trend)
    assert {p.point_type for p in trend} == {PointType.IMPROVEMENT}
    decrease = xmr_chart(series(data), SpcOptions(screen_outliers=False, improvement=ImprovementDirection.DECREASE))
    assert {p.point_type for p in decrease.points[6:13]} == {PointType.CONCERN}


def test_point_types_when_neutral() -> None:
    """R/ptd_calculate_point_type.R, ptd_point_type: neutral direction gives special_cause_neutral_high/low."""
    data = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, -7]
    chart = xmr_chart(series(data), SpcOptions(improvement=ImprovementDirection.NEUTRAL))
    assert chart.points[4].point_type is PointType.NEUTRAL_HIGH
    assert chart.points[-1].point_type is PointType.NEUTRAL_LOW
    assert chart.variation is VariationIcon.NEUTRAL_LOW
