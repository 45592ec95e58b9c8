"""Funnel-plot limits, computed independently here from the published formulas with scipy.stats.

The method is PHE Fingertips' as implemented in PHEindicatormethods (R/Funnels.R funnel_ratio_significance, R/utils.R
byars_lower/byars_upper): exact Poisson limits via the chi-square relation below 10 events, Byar's approximation
from 10; a practice is outside a limit when its count's interval excludes the expected count.
"""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pytest
from scipy import stats

from gainshare.domain.variation import CONFIDENCE_95, CONFIDENCE_99_8, LimitMethod, Significance
from gainshare.engines.variation import byar_interval, classify, count_interval, exact_interval, funnel_lines

CONFIDENCES = (CONFIDENCE_95, CONFIDENCE_99_8)


def scipy_exact(observed: int, confidence: float) -> tuple[float, float]:
    alpha = 1 - confidence
    lower = 0.0 if observed == 0 else stats.chi2.ppf(alpha / 2, 2 * observed) / 2
    return float(lower), float(stats.chi2.ppf(1 - alpha / 2, 2 * observed + 2) / 2)


def scipy_byar(observed: int, confidence: float) -> tuple[float, float]:
    z = stats.norm.ppf(0.5 + confidence / 2)
    lower = observed * (1 - 1 / (9 * observed) - z / (3 * math.sqrt(observed))) ** 3
    upper = (observed + 1) * (1 - 1 / (9 * (observed + 1)) + z / (3 * math.sqrt(observed + 1))) ** 3
    return float(lower), float(upper)


def scipy_phe(observed: int, confidence: float) -> tuple[float, float]:
    return scipy_exact(observed, confidence) if observed < 10 else scipy_byar(observed, confidence)


COUNTS = [*range(0, 40), 65, 99, 100, 250, 1045, 5000, 12_345, 100_000, 1_000_000]


@pytest.mark.parametrize("confidence", CONFIDENCES)
@pytest.mark.parametrize("observed", COUNTS)
def test_exact_limits_match_the_chi_square_relation(observed: int, confidence: Decimal) -> None:
    lower, upper = exact_interval(observed, confidence)
    expected_lower, expected_upper = scipy_exact(observed, float(confidence))
    assert lower == pytest.approx(expected_lower, rel=1e-10, abs=1e-12)
    assert upper == pytest.approx(expected_upper, rel=1e-10)


@pytest.mark.parametrize("confidence", CONFIDENCES)
@pytest.mark.parametrize("observed", [o for o in COUNTS if o > 0])
def test_exact_limits_are_the_poisson_tail_definition(observed: int, confidence: Decimal) -> None:
    """P(X >= O | lower) = alpha / 2 and P(X <= O | upper) = alpha / 2 (Garwood)."""
    alpha = 1 - float(confidence)
    lower, upper = exact_interval(observed, confidence)
    assert stats.poisson.sf(observed - 1, lower) == pytest.approx(alpha / 2, rel=1e-7)
    assert stats.poisson.cdf(observed, upper) == pytest.approx(alpha / 2, rel=1e-7)


@pytest.mark.parametrize("confidence", CONFIDENCES)
@pytest.mark.parametrize("observed", [o for o in COUNTS if o >= 10])
def test_byar_limits_match_the_formula(observed: int, confidence: Decimal) -> None:
    assert byar_interval(observed, confidence) == pytest.approx(scipy_byar(observed, float(confidence)), rel=1e-12)


@pytest.mark.parametrize("confidence", CONFIDENCES)
@pytest.mark.parametrize("observed", COUNTS)
def test_phe_method_switches_to_byar_at_ten_events(observed: int, confidence: Decimal) -> None:
    assert count_interval(observed, confidence, LimitMethod.PHE) == pytest.approx(
        scipy_phe(observed, float(confidence)), rel=1e-10, abs=1e-12
    )


def test_published_value_exact_upper_limit_for_zero_events() -> None:
    # epitools pois.conf.int documentation: "When x = 0, for the upper confidence limit pois.exact returns 3.689".
    assert exact_interval(0, CONFIDENCE_95)[1] == pytest.approx(3.689, abs=5e-4)
    # The same limit is -ln(0.025) exactly, since P(X = 0 | m) = exp(-m).
    assert exact_interval(0, CONFIDENCE_95)[1] == pytest.approx(-math.log(0.025), rel=1e-12)
    assert exact_interval(0, CONFIDENCE_99_8)[1] == pytest.approx(-math.log(0.001), rel=1e-12)


def scipy_classify(observed: int, expected: float) -> Significance:
    low_wide, high_wide = scipy_phe(observed, 0.998)
    low, high = scipy_phe(observed, 0.95)
    if low_wide > expected:
        return Significance.HIGH_99_8
    if high_wide < expected:
        return Significance.LOW_99_8
    if low > expected:
        return Significance.HIGH_95
    if high < expected:
        return Significance.LOW_95
    return Significance.NOT_SIGNIFICANT


def test_classification_matches_an_independent_computation() -> None:
    rng = np.random.default_rng(7)
    for _ in range(2000):
        expected = float(rng.uniform(0.5, 2000))
        observed = int(rng.poisson(expected * rng.choice([0.5, 0.8, 1.0, 1.2, 2.0])))
        expected_decimal = Decimal(str(round(expected, 6)))
        assert classify(observed, expected_decimal) is scipy_classify(observed, float(expected_decimal))


def test_classification_of_clear_cases() -> None:
    assert classify(200, Decimal(100)) is Significance.HIGH_99_8
    assert classify(40, Decimal(100)) is Significance.LOW_99_8
    assert classify(100, Decimal(100)) is Significance.NOT_SIGNIFICANT
    # 121 events against 100 expected: the 95% interval starts above 100, the 99.8% one does not
    low95, _ = scipy_byar(121, 0.95)
    low998, _ = scipy_byar(121, 0.998)
    assert low95 > 100 > low998
    assert classify(121, Decimal(100)) is Significance.HIGH_95


def test_funnel_lines_are_the_significance_boundary() -> None:
    lines = funnel_lines(Decimal(500))
    assert lines.upper_99_8[-1].expected > Decimal(500)
    for point in lines.upper_95:
        observed = round(float(point.ratio * point.expected))
        low, _ = scipy_phe(observed, 0.95)
        assert float(point.expected) == pytest.approx(low, rel=1e-9)
    # The limits narrow towards 1 as the expected count grows.
    ratios = [float(point.ratio) for point in lines.upper_99_8]
    assert ratios[0] > ratios[-1] > 1
    assert all(float(point.ratio) < 1 for point in lines.lower_95)
