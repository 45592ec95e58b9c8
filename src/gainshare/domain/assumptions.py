"""Uncertain assumptions behind an agreement, as probability distributions, for simulation (negotiation).

These are estimates, not money owed: their parameters are floats, money-valued ones in pence. Simulation is the
one place floats are allowed, and it never posts to the ledger (DESIGN section 4).

Variables are named "<scheme>.<variable>" (e.g. "anticoag.shift_share"), "quality_score", "provider.setup" or
"provider.running_per_year"; correlations and the sensitivity (tornado) use these names.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from gainshare.domain.agreement import Agreement
from gainshare.domain.issues import Issue, Source

MONTHS_PER_YEAR = 12
MIN_GROWTH_SD = 0.01  # a floor on the default sd of yearly activity growth: history is never the whole story


@dataclass(frozen=True, slots=True)
class Fixed:
    value: float

    def scaled(self, factor: float) -> Fixed:
        return Fixed(self.value * factor)

    def problem(self) -> str | None:
        return _finite(self.value)


@dataclass(frozen=True, slots=True)
class Normal:
    """Normal with the given mean and sd, clipped to [minimum, maximum] where given."""

    mean: float
    sd: float
    minimum: float | None = None
    maximum: float | None = None

    def scaled(self, factor: float) -> Normal:
        return Normal(self.mean * factor, self.sd * factor, _times(self.minimum, factor), _times(self.maximum, factor))

    def problem(self) -> str | None:
        bounds = [value for value in (self.minimum, self.maximum) if value is not None]
        if self.sd < 0:
            return "a normal distribution's sd must not be negative"
        if len(bounds) == 2 and bounds[0] > bounds[1]:
            return "min must not be above max"
        return _finite(self.mean, self.sd, *bounds)


@dataclass(frozen=True, slots=True)
class LogNormal:
    """Lognormal stated by the mean and sd of the variable itself (not of its logarithm)."""

    mean: float
    sd: float

    def scaled(self, factor: float) -> LogNormal:
        return LogNormal(self.mean * factor, self.sd * factor)

    def problem(self) -> str | None:
        if not (self.mean > 0 and self.sd >= 0):
            return "a lognormal distribution needs a positive mean and a non-negative sd"
        return _finite(self.mean, self.sd)

    def log_parameters(self) -> tuple[float, float]:
        """(mu, sigma) of the underlying normal."""
        sigma2 = math.log1p((self.sd / self.mean) ** 2)
        return math.log(self.mean) - sigma2 / 2, math.sqrt(sigma2)


@dataclass(frozen=True, slots=True)
class Triangular:
    low: float
    mode: float
    high: float

    def scaled(self, factor: float) -> Triangular:
        return Triangular(self.low * factor, self.mode * factor, self.high * factor)

    def problem(self) -> str | None:
        if not self.low <= self.mode <= self.high:
            return "a triangular distribution needs low <= mode <= high"
        return _finite(self.low, self.mode, self.high)


@dataclass(frozen=True, slots=True)
class Uniform:
    low: float
    high: float

    def scaled(self, factor: float) -> Uniform:
        return Uniform(self.low * factor, self.high * factor)

    def problem(self) -> str | None:
        if not self.low <= self.high:
            return "a uniform distribution needs low <= high"
        return _finite(self.low, self.high)


@dataclass(frozen=True, slots=True)
class Beta:
    """Beta(alpha, beta) stretched from [0, 1] to [low, high]."""

    alpha: float
    beta: float
    low: float = 0.0
    high: float = 1.0

    def scaled(self, factor: float) -> Beta:
        return Beta(self.alpha, self.beta, self.low * factor, self.high * factor)

    def problem(self) -> str | None:
        if not (self.alpha > 0 and self.beta > 0 and self.low <= self.high):
            return "a beta distribution needs positive alpha and beta, and low <= high"
        return _finite(self.alpha, self.beta, self.low, self.high)


Distribution = Fixed | Normal | LogNormal | Triangular | Uniform | Beta

SCHEME_VARIABLES = (
    "baseline_activity",
    "activity_growth",
    "shift_share",
    "ramp_up",
    "hospital_price",
    "out_of_hospital_cost",
)


@dataclass(frozen=True, slots=True)
class SchemeAssumptions:
    """What is uncertain about one scheme.

    baseline_activity: units a year in the baseline year (before list growth).
    activity_growth: yearly growth of demand for the service, compounded by year of the term.
    shift_share: the share of demand that moves out of hospital once the scheme is fully running.
    ramp_up: the share of the full shift reached in the first year; after t years 1 - (1 - ramp_up)^t.
    hospital_price: pence per unit in the baseline year (uplifted by the agreement's price adjustments).
    out_of_hospital_cost: pence per unit the commissioner pays for out-of-hospital activity.
    """

    scheme: str
    baseline_activity: Distribution
    activity_growth: Distribution
    shift_share: Distribution
    ramp_up: Distribution
    hospital_price: Distribution
    out_of_hospital_cost: Distribution

    def variables(self) -> tuple[tuple[str, Distribution], ...]:
        return tuple((f"{self.scheme}.{name}", getattr(self, name)) for name in SCHEME_VARIABLES)


@dataclass(frozen=True, slots=True)
class ProviderCosts:
    """Costs the provider side bears itself, in pence: set-up once in the first period, running costs a year."""

    setup: Distribution = Fixed(0.0)
    running_per_year: Distribution = Fixed(0.0)


@dataclass(frozen=True, slots=True)
class Correlation:
    """A rank-style correlation between two named variables, applied through a Gaussian copula."""

    first: str
    second: str
    rho: float


@dataclass(frozen=True, slots=True)
class Assumptions:
    schemes: tuple[SchemeAssumptions, ...]
    quality_score: Distribution = Fixed(1.0)
    provider_costs: ProviderCosts = ProviderCosts()
    correlations: tuple[Correlation, ...] = ()
    population: int | None = None  # for population-table limits
    revenue_per_period: float | None = None  # pence, for limits stated as a share of revenue
    source: str = "assumptions"

    def variables(self) -> tuple[tuple[str, Distribution], ...]:
        """Every variable in a fixed order: schemes (in order), quality score, provider costs."""
        named = [pair for scheme in self.schemes for pair in scheme.variables()]
        named.append(("quality_score", self.quality_score))
        named.append(("provider.setup", self.provider_costs.setup))
        named.append(("provider.running_per_year", self.provider_costs.running_per_year))
        return tuple(named)


@dataclass(frozen=True, slots=True)
class HistoryDefaults:
    """Defaults derived from monthly history: yearly baseline activity and the sd of yearly growth."""

    baseline_activity: float
    monthly_cv: float
    growth_sd: float


def history_defaults(history: Sequence[float]) -> HistoryDefaults:
    """From monthly activity: the last 12 months (scaled up if fewer) and the coefficient of variation.

    The yearly growth sd defaults to the CV of a year's total if months vary independently (CV / sqrt(12)),
    at least MIN_GROWTH_SD.
    """
    recent = list(history[-MONTHS_PER_YEAR:])
    yearly = sum(recent) * MONTHS_PER_YEAR / len(recent)
    mean = statistics.fmean(history)
    cv = statistics.stdev(history) / mean if len(history) > 1 and mean > 0 else 0.0
    return HistoryDefaults(yearly, cv, max(cv / math.sqrt(MONTHS_PER_YEAR), MIN_GROWTH_SD))


def check_assumptions(assumptions: Assumptions, agreement: Agreement) -> list[Issue]:
    """Problems with the assumptions for this agreement: unknown or missing schemes, bad distributions."""
    where = Source(file=assumptions.source)
    issues: list[Issue] = []
    known = {scheme.id for scheme in agreement.schemes}
    given = [item.scheme for item in assumptions.schemes]
    for scheme_id in given:
        if scheme_id not in known:
            issues.append(Issue("assumptions.scheme", f"scheme {scheme_id!r} is not in the agreement", where))
    for scheme_id in sorted(known - set(given)):
        issues.append(Issue("assumptions.missing", f"no assumptions for the agreement's scheme {scheme_id!r}", where))
    for name, distribution in assumptions.variables():
        issues.extend(issue.at(clause=name) for issue in check_distribution(distribution))
    issues.extend(_check_correlations(assumptions))
    return issues


def check_distribution(distribution: Distribution) -> list[Issue]:
    problem = distribution.problem()
    return [Issue("assumptions.distribution", problem)] if problem else []


def _finite(*values: float) -> str | None:
    return None if all(math.isfinite(value) for value in values) else "every parameter must be a finite number"


def _check_correlations(assumptions: Assumptions) -> list[Issue]:
    names = {name for name, _ in assumptions.variables()}
    issues: list[Issue] = []
    for index, item in enumerate(assumptions.correlations):
        where = Source(file=assumptions.source, clause=f"correlations[{index}]")
        for name in (item.first, item.second):
            if name not in names:
                issues.append(Issue("assumptions.correlation", f"{name!r} is not a variable of the assumptions", where))
        if item.first == item.second:
            issues.append(Issue("assumptions.correlation", "a variable cannot be correlated with itself", where))
        if not -1 < item.rho < 1:
            issues.append(Issue("assumptions.correlation", "a correlation must be strictly between -1 and 1", where))
    return issues


def _times(value: float | None, factor: float) -> float | None:
    return None if value is None else value * factor
