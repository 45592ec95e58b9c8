"""Properties of the XmR engine for any series, and its refusal of bad input."""

from __future__ import annotations

import decimal
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gainshare.domain.errors import FloatNotAllowedError, InvalidInputError
from gainshare.domain.monitoring import ImprovementDirection, PointType, SpcOptions, VariationIcon
from gainshare.engines.spc import observations, xmr_chart

values = st.lists(st.integers(min_value=-10_000, max_value=10_000), min_size=1, max_size=40)
TINY = Decimal("1e-40")


def series(data: list[int] | list[Decimal]) -> tuple:  # type: ignore[type-arg]
    return observations([f"m{i:02d}" for i in range(len(data))], list(data))


@given(values, st.booleans())
def test_limits_are_symmetric_and_ordered(data: list[int], screen: bool) -> None:
    for s in xmr_chart(series(data), SpcOptions(screen_outliers=screen)).segments:
        with decimal.localcontext(prec=80):
            assert abs((s.upper_process_limit - s.mean) - (s.mean - s.lower_process_limit)) <= TINY
            assert abs((s.upper_two_sigma - s.mean) - (s.mean - s.lower_two_sigma)) <= TINY
            assert abs((s.upper_one_sigma - s.mean) - (s.mean - s.lower_one_sigma)) <= TINY
            assert abs((s.upper_process_limit - s.mean) - (s.upper_one_sigma - s.mean) * 3) <= TINY * 10
        assert s.lower_process_limit <= s.lower_two_sigma <= s.lower_one_sigma <= s.mean
        assert s.mean <= s.upper_one_sigma <= s.upper_two_sigma <= s.upper_process_limit


@given(st.integers(min_value=-1000, max_value=1000), st.integers(min_value=1, max_value=40), st.booleans())
def test_a_constant_series_has_no_special_cause(level: int, length: int, screen: bool) -> None:
    data = [Decimal(level) / 7] * length
    chart = xmr_chart(series(data), SpcOptions(screen_outliers=screen))
    assert not any(point.special_cause for point in chart.points)
    assert chart.variation is VariationIcon.COMMON_CAUSE


@settings(max_examples=200)
@given(values, st.sampled_from(list(ImprovementDirection)))
def test_mirroring_the_series_and_the_direction_changes_nothing(
    data: list[int], direction: ImprovementDirection
) -> None:
    mirrored = {
        ImprovementDirection.INCREASE: ImprovementDirection.DECREASE,
        ImprovementDirection.DECREASE: ImprovementDirection.INCREASE,
        ImprovementDirection.NEUTRAL: ImprovementDirection.NEUTRAL,
    }[direction]
    chart = xmr_chart(series(data), SpcOptions(improvement=direction))
    other = xmr_chart(series([-v for v in data]), SpcOptions(improvement=mirrored))
    assert [p.rule for p in chart.points] == [p.rule for p in other.points]
    swap = {PointType.NEUTRAL_HIGH: PointType.NEUTRAL_LOW, PointType.NEUTRAL_LOW: PointType.NEUTRAL_HIGH}
    assert [swap.get(p.point_type, p.point_type) for p in chart.points] == [p.point_type for p in other.points]


@given(values)
def test_every_point_is_classified_and_common_cause_has_no_rule(data: list[int]) -> None:
    chart = xmr_chart(series(data))
    assert len(chart.points) == len(data)
    for point in chart.points:
        assert (point.point_type is PointType.COMMON_CAUSE) == (point.rule is None)
        assert not (point.outside_limits and point.close_to_limits)


@given(st.lists(st.integers(min_value=0, max_value=100), min_size=4, max_size=30), st.data())
def test_segments_tile_the_series(data: list[int], draw: st.DataObject) -> None:
    cuts = draw.draw(st.sets(st.integers(min_value=1, max_value=len(data) - 1), max_size=3))
    chart = xmr_chart(series(data), SpcOptions(change_points=tuple(f"m{c:02d}" for c in cuts)))
    assert len(chart.segments) == len(cuts) + 1
    assert sum(s.count for s in chart.segments) == len(data)
    assert [s.first for s in chart.segments] == sorted({0, *cuts})


def test_bad_series_are_refused_with_every_problem() -> None:
    data = observations(["a", "a", "b"], ["1", "2", "3"])
    with pytest.raises(InvalidInputError) as raised:
        xmr_chart(data, SpcOptions(change_points=("z",), shift_points=1))
    assert {issue.code for issue in raised.value.issues} == {"spc.duplicate", "spc.change_point", "spc.options"}
    with pytest.raises(InvalidInputError):
        xmr_chart(())


def test_floats_are_refused() -> None:
    with pytest.raises(FloatNotAllowedError):
        observations(["a"], [1.5])


def test_short_segments_are_reported_as_trial_limits() -> None:
    chart = xmr_chart(series(list(range(17))), SpcOptions(change_points=("m05",)))
    assert chart.short_segments() == (0,)
