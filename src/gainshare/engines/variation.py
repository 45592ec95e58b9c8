"""Variation engine: indirectly standardised rates per practice, funnel-plot limits, outliers and the opportunity.

Indirect standardisation: a practice's expected count is the sum over sex and age bands of the reference rate in
the band times the practice's patients in the band; the standardised ratio is observed / expected; the
standardised rate is the ratio times the reference crude rate. Exact in Decimal.

Funnel limits follow Public Health England's Fingertips method as implemented in PHEindicatormethods
(`funnel_ratio_significance`, `byars_lower`, `byars_upper`): the confidence interval of the observed count O is

    O < 10:   exact Poisson limits via the chi-square relation
              lower = chi2_inv(alpha / 2; 2 O) / 2,   upper = chi2_inv(1 - alpha / 2; 2 O + 2) / 2
    O >= 10:  Byar's approximation (Breslow and Day 1987)
              lower = O (1 - 1/(9 O) - z / (3 sqrt O))^3,   upper = (O + 1)(1 - 1/(9 (O + 1)) + z / (3 sqrt(O + 1)))^3

with z the standard normal quantile at 1 - alpha / 2; dividing by the expected count gives the interval of the
ratio. A practice is above the 95% (99.8%) limit when the lower end of its 95% (99.8%) interval is above the
expected count, below when the upper end is under it. The funnel lines for a chart are the same boundary seen
the other way: at expected = lower(O) the ratio O / lower(O) is the upper limit, and likewise for the lower line.
LimitMethod.EXACT uses the chi-square relation for every count. chi2_inv(q; 2k) / 2 is the gamma(k) quantile,
computed here with the regularised incomplete gamma function (series and continued fraction) and bisection.
"""

from __future__ import annotations

import decimal
import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from statistics import NormalDist

from gainshare.domain.catalogue import Assumption, Evidence
from gainshare.domain.money import Money
from gainshare.domain.population import AgeBand, Sex
from gainshare.domain.terms import RoundingMode
from gainshare.domain.variation import (
    CONFIDENCE_95,
    CONFIDENCE_99_8,
    BandKey,
    CountInterval,
    FunnelLines,
    FunnelPoint,
    LimitMethod,
    PracticeObservation,
    PracticeReduction,
    PracticeVariation,
    ReferenceKind,
    ReferenceRates,
    Significance,
    VariationOpportunity,
    VariationResult,
)
from gainshare.engines.rounding import EXACT, round_pence

PER_1000 = Decimal(1000)
MONTHS_PER_YEAR = 12
BYAR_FROM = 10  # PHE uses exact limits below 10 events and Byar's approximation from 10
_SIGNIFICANT = 10  # significant figures kept from floating-point limits
_EPS = 1e-15
_MAX_ITERATIONS = 10_000

PHE_METHOD = Evidence(
    "PHE Fingertips funnel method: exact Poisson limits (chi-square relation) below 10 events, Byar's "
    "approximation from 10; outside a limit when the count's confidence interval excludes the expected count",
    "PHEindicatormethods (UKHSA/PHE R package), R/Funnels.R funnel_ratio_significance and R/utils.R byars_lower/"
    "byars_upper; Breslow NE, Day NE (1987) Statistical methods in cancer research vol. II",
)


# --- Reference rates ------------------------------------------------------------------------------------------


def band_midpoint(band: AgeBand) -> Decimal:
    """The middle age of a band in years: 0-4 -> 2.5; an open band (95+) -> lower + 2.5."""
    if band.upper is None:
        return Decimal(band.lower) + Decimal("2.5")
    return (Decimal(band.lower) + Decimal(band.upper) + 1) / 2


def federation_reference(
    observations: Sequence[PracticeObservation], weights: Mapping[BandKey, Decimal], name: str = "the federation"
) -> ReferenceRates:
    """Rates by band proportional to `weights`, scaled so the practices' expected counts add up to their observed.

    This is indirect standardisation against the federation when activity is known only per practice: the age
    and sex profile of the rates comes from the weights, their level from the federation's own total.
    """
    total_observed = sum(item.observed for item in observations)
    total_patients = sum(item.registered for item in observations)
    if total_patients == 0:
        raise ValueError("the practices have no registered patients")
    with decimal.localcontext(EXACT):
        weighted = sum(
            (_weight(weights, sex, band) * patients for item in observations for sex, band, patients in item.bands),
            Decimal(0),
        )
        if weighted == 0:
            raise ValueError("the weights give every band a rate of zero")
        scale = Decimal(total_observed) / weighted
        rates = {key: value * scale for key, value in weights.items()}
        crude = Decimal(total_observed) / total_patients
    how = (
        "band rates proportional to an age/sex profile, scaled so that the federation's expected total equals its "
        "observed total"
    )
    return ReferenceRates(ReferenceKind.FEDERATION, name, rates, crude, how)


def federation_reference_from_band_counts(
    events: Mapping[BandKey, int], observations: Sequence[PracticeObservation], name: str = "the federation"
) -> ReferenceRates:
    """Band rates = the federation's events in the band / its patients in the band (activity known by band)."""
    patients: dict[BandKey, int] = {}
    for item in observations:
        for sex, band, count in item.bands:
            patients[(sex, band)] = patients.get((sex, band), 0) + count
    with decimal.localcontext(EXACT):
        rates = {key: Decimal(events.get(key, 0)) / count for key, count in patients.items() if count > 0}
        crude = Decimal(sum(events.values())) / sum(patients.values())
    return ReferenceRates(
        ReferenceKind.FEDERATION, name, rates, crude, "band rates from the federation's events by band"
    )


def national_reference(
    rates_per_1000_per_year: Mapping[BandKey, Decimal],
    crude_per_1000_per_year: Decimal,
    period_months: int,
    name: str = "national",
) -> ReferenceRates:
    """External band rates (per 1,000 patients per year) as rates per patient over the period."""
    with decimal.localcontext(EXACT):
        factor = Decimal(period_months) / MONTHS_PER_YEAR / PER_1000
        rates = {key: value * factor for key, value in rates_per_1000_per_year.items()}
        crude = crude_per_1000_per_year * factor
    return ReferenceRates(ReferenceKind.NATIONAL, name, rates, crude, "band rates from an external reference")


def _weight(weights: Mapping[BandKey, Decimal], sex: Sex, band: AgeBand) -> Decimal:
    value = weights.get((sex, band))
    if value is None:
        raise ValueError(f"the reference has no rate for {sex.value} {band.label}")
    return value


def expected_count(observation: PracticeObservation, reference: ReferenceRates) -> Decimal:
    """Sum over bands of the reference rate x the practice's patients in the band."""
    with decimal.localcontext(EXACT):
        return sum(
            (_weight(reference.rates, sex, band) * patients for sex, band, patients in observation.bands), Decimal(0)
        )


# --- Poisson limits -------------------------------------------------------------------------------------------


def _gamma_p(shape: float, x: float) -> float:
    """The regularised lower incomplete gamma function P(shape, x) (series below shape + 1, else continued fraction)."""
    if x <= 0:
        return 0.0
    log_front = shape * math.log(x) - x - math.lgamma(shape)
    if x < shape + 1:
        term = total = 1.0 / shape
        denominator = shape
        for _ in range(_MAX_ITERATIONS):
            denominator += 1
            term *= x / denominator
            total += term
            if abs(term) < abs(total) * _EPS:
                break
        return min(1.0, total * math.exp(log_front))
    return max(0.0, 1.0 - _gamma_q_fraction(shape, x) * math.exp(log_front))


def _gamma_q_fraction(shape: float, x: float) -> float:
    """The continued fraction of Q(shape, x), without its front factor (modified Lentz)."""
    tiny = 1e-300
    b = x + 1 - shape
    c = 1 / tiny
    d = 1 / b
    result = d
    for index in range(1, _MAX_ITERATIONS):
        an = -index * (index - shape)
        b += 2
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1 / d
        step = d * c
        result *= step
        if abs(step - 1) < _EPS:
            break
    return result


def gamma_quantile(probability: float, shape: float) -> float:
    """x with P(shape, x) = probability: chi2_inv(probability; 2 shape) / 2."""
    if not 0 < probability < 1:
        raise ValueError("the probability must be strictly between 0 and 1")
    low, high = 0.0, shape + 10 * math.sqrt(shape) + 10
    while _gamma_p(shape, high) < probability:
        low, high = high, high * 2
    for _ in range(200):
        middle = (low + high) / 2
        if _gamma_p(shape, middle) < probability:
            low = middle
        else:
            high = middle
        if high - low <= _EPS * max(1.0, high):
            break
    return (low + high) / 2


def exact_interval(observed: int, confidence: Decimal) -> tuple[float, float]:
    """Exact Poisson limits of a count (Garwood): chi2_inv(a/2; 2 O) / 2 and chi2_inv(1 - a/2; 2 O + 2) / 2."""
    alpha = 1 - float(confidence)
    lower = 0.0 if observed == 0 else gamma_quantile(alpha / 2, observed)
    return lower, gamma_quantile(1 - alpha / 2, observed + 1)


def byar_interval(observed: int, confidence: Decimal) -> tuple[float, float]:
    """Byar's approximation to the exact Poisson limits (as PHEindicatormethods byars_lower/byars_upper)."""
    z = NormalDist().inv_cdf(0.5 + float(confidence) / 2)
    lower = 0.0
    if observed > 0:
        lower = observed * (1 - 1 / (9 * observed) - z / (3 * math.sqrt(observed))) ** 3
    after = observed + 1
    upper = after * (1 - 1 / (9 * after) + z / (3 * math.sqrt(after))) ** 3
    return max(lower, 0.0), upper


def count_interval(observed: int, confidence: Decimal, method: LimitMethod = LimitMethod.PHE) -> tuple[float, float]:
    """The confidence interval of a Poisson count by the chosen method."""
    if observed < 0:
        raise ValueError("a count cannot be negative")
    if method is LimitMethod.PHE and observed >= BYAR_FROM:
        return byar_interval(observed, confidence)
    return exact_interval(observed, confidence)


def _to_decimal(value: float) -> Decimal:
    return Decimal(format(value, f".{_SIGNIFICANT}g"))


def interval(observed: int, expected: Decimal, confidence: Decimal, method: LimitMethod) -> CountInterval:
    lower, upper = count_interval(observed, confidence, method)
    low, high = _to_decimal(lower), _to_decimal(upper)
    if expected <= 0:
        raise ValueError("the expected count must be more than zero")
    with decimal.localcontext(EXACT):
        return CountInterval(confidence, low, high, low / expected, high / expected)


def classify(observed: int, expected: Decimal, method: LimitMethod = LimitMethod.PHE) -> Significance:
    """Above or below the 95% and 99.8% limits, judged on the unrounded limits of the count."""
    exp = float(expected)
    wide_low, wide_high = count_interval(observed, CONFIDENCE_99_8, method)
    if wide_low > exp:
        return Significance.HIGH_99_8
    if wide_high < exp:
        return Significance.LOW_99_8
    low, high = count_interval(observed, CONFIDENCE_95, method)
    if low > exp:
        return Significance.HIGH_95
    if high < exp:
        return Significance.LOW_95
    return Significance.NOT_SIGNIFICANT


def funnel_lines(max_expected: Decimal, method: LimitMethod = LimitMethod.PHE) -> FunnelLines:
    """Points of the four control limits (ratio against expected count) up to a little past `max_expected`."""
    return FunnelLines(
        upper_95=_line(max_expected, CONFIDENCE_95, method, upper=True),
        lower_95=_line(max_expected, CONFIDENCE_95, method, upper=False),
        upper_99_8=_line(max_expected, CONFIDENCE_99_8, method, upper=True),
        lower_99_8=_line(max_expected, CONFIDENCE_99_8, method, upper=False),
    )


def _counts_grid() -> list[int]:
    counts = list(range(0, 101))
    while counts[-1] < 10_000_000:
        counts.append(max(counts[-1] + 1, round(counts[-1] * 1.03)))
    return counts


def _line(max_expected: Decimal, confidence: Decimal, method: LimitMethod, *, upper: bool) -> tuple[FunnelPoint, ...]:
    points: list[FunnelPoint] = []
    stop = float(max_expected) * 1.1 + 1
    for observed in _counts_grid():
        lower_limit, upper_limit = count_interval(observed, confidence, method)
        at = lower_limit if upper else upper_limit
        if at <= 0:
            continue
        points.append(FunnelPoint(_to_decimal(at), _to_decimal(observed / at)))
        if at > stop:
            break
    return tuple(points)


# --- Per practice, and the opportunity ------------------------------------------------------------------------


def practice_variation(
    observation: PracticeObservation, reference: ReferenceRates, period_months: int, method: LimitMethod
) -> PracticeVariation:
    expected = expected_count(observation, reference)
    registered = observation.registered
    if registered == 0 or expected <= 0:
        raise ValueError(f"{observation.practice_code}: no registered patients (or an expected count of zero)")
    with decimal.localcontext(EXACT):
        annualise = PER_1000 * MONTHS_PER_YEAR / period_months
        ratio = Decimal(observation.observed) / expected
        crude = Decimal(observation.observed) / registered * annualise
        standardised = ratio * reference.crude_rate * annualise
    return PracticeVariation(
        practice_code=observation.practice_code,
        registered=registered,
        observed=observation.observed,
        expected=expected,
        ratio=ratio,
        crude_rate=crude,
        standardised_rate=standardised,
        interval_95=interval(observation.observed, expected, CONFIDENCE_95, method),
        interval_99_8=interval(observation.observed, expected, CONFIDENCE_99_8, method),
        significance=classify(observation.observed, expected, method),
    )


def percentile(values: Sequence[Decimal], quantile: Decimal) -> Decimal:
    """Linear interpolation between closest ranks (Excel PERCENTILE.INC, numpy's default); 0.5 is the median."""
    if not values:
        raise ValueError("no values to take a percentile of")
    if not Decimal(0) <= quantile <= Decimal(1):
        raise ValueError("the percentile must be between 0 and 1")
    ordered = sorted(values)
    with decimal.localcontext(EXACT):
        position = quantile * (len(ordered) - 1)
        below = int(position)
        if below == len(ordered) - 1:
            return ordered[-1]
        return ordered[below] + (ordered[below + 1] - ordered[below]) * (position - below)


def variation_opportunity(
    practices: Sequence[PracticeVariation], quantile: Decimal, unit_price: Money, period_months: int
) -> VariationOpportunity:
    """A year's activity (and its value at `unit_price`) above the target ratio, practice by practice.

    The target is the chosen percentile of the practices' standardised ratios (each practice counts once). A
    practice above it would come down to target x its expected count; each practice's value is rounded half-up
    to the penny, and the total is their sum.
    """
    target = percentile([item.ratio for item in practices], quantile)
    reductions: list[PracticeReduction] = []
    with decimal.localcontext(EXACT):
        per_year = Decimal(MONTHS_PER_YEAR) / period_months
        for item in practices:
            if item.ratio > target:
                excess = (item.observed - target * item.expected) * per_year
                value = round_pence(excess * unit_price.pence, RoundingMode.HALF_UP)
                reductions.append(PracticeReduction(item.practice_code, excess, Money(value)))
        activity = sum((item.activity for item in reductions), Decimal(0))
    label = "the median" if quantile == Decimal("0.5") else f"the {quantile * 100:f}th percentile"
    return VariationOpportunity(
        target=f"{label} standardised ratio",
        target_ratio=target,
        unit_price=unit_price,
        activity=activity,
        value=Money(sum(item.value.pence for item in reductions)),
        practices=tuple(sorted(reductions, key=lambda item: item.activity, reverse=True)),
    )


def analyse_variation(
    service_line: str,
    observations: Sequence[PracticeObservation],
    reference: ReferenceRates,
    period_months: int,
    unit_price: Money,
    *,
    quantile: Decimal = Decimal("0.5"),
    method: LimitMethod = LimitMethod.PHE,
    assumptions: Sequence[Assumption] = (),
) -> VariationResult:
    """Standardise every practice against the reference, flag those outside the limits, size the opportunity."""
    if period_months < 1:
        raise ValueError("the period must be at least one month")
    if not observations:
        raise ValueError(f"no practices have data for {service_line}")
    practices = tuple(practice_variation(item, reference, period_months, method) for item in observations)
    max_expected = max(item.expected for item in practices)
    method_assumption = Assumption("funnel_limits", method.value, PHE_METHOD)
    return VariationResult(
        service_line=service_line,
        period_months=period_months,
        reference=reference,
        method=method,
        practices=practices,
        funnel=funnel_lines(max_expected, method),
        opportunity=variation_opportunity(practices, quantile, unit_price, period_months),
        assumptions=(*assumptions, method_assumption),
    )
