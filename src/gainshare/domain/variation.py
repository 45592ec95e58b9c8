"""Unwarranted variation between practices: standardised referral rates, funnel limits and the opportunity.

Counts, populations, expected counts, ratios and rates are exact (int and Decimal). Confidence limits of a
Poisson count are irrational (chi-square quantiles, cube roots), so they are computed in floating point and
held as Decimal rounded to 10 significant figures: statistics for a chart and a flag, never money.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum

from gainshare.domain.catalogue import Assumption
from gainshare.domain.money import Money
from gainshare.domain.population import AgeBand, Sex

BandKey = tuple[Sex, AgeBand]

CONFIDENCE_95 = Decimal("0.95")
CONFIDENCE_99_8 = Decimal("0.998")


class ReferenceKind(Enum):
    FEDERATION = "federation"  # the practices' own total: the federation's standardised ratio is 1
    NATIONAL = "national"  # absolute rates by band from a national (or other external) reference


class LimitMethod(Enum):
    """How the confidence interval of an observed count is computed."""

    PHE = "phe"  # exact (chi-square) below 10 events, Byar's approximation from 10 (PHE Fingertips)
    EXACT = "exact"  # exact Poisson limits via the chi-square relation for every count


class Significance(Enum):
    HIGH_99_8 = "above 99.8%"
    HIGH_95 = "above 95%"
    NOT_SIGNIFICANT = "within limits"
    LOW_95 = "below 95%"
    LOW_99_8 = "below 99.8%"

    @property
    def is_high(self) -> bool:
        return self in (Significance.HIGH_95, Significance.HIGH_99_8)

    @property
    def is_low(self) -> bool:
        return self in (Significance.LOW_95, Significance.LOW_99_8)


@dataclass(frozen=True, slots=True)
class PracticeObservation:
    """One practice's hospital activity for a service line over the period, and its registered patients by band."""

    practice_code: str
    observed: int
    bands: tuple[tuple[Sex, AgeBand, int], ...]

    def __post_init__(self) -> None:
        if self.observed < 0:
            raise ValueError(f"{self.practice_code}: a count of activity cannot be negative")
        if any(patients < 0 for _, _, patients in self.bands):
            raise ValueError(f"{self.practice_code}: a band of patients cannot be negative")

    @property
    def registered(self) -> int:
        return sum(patients for _, _, patients in self.bands)


@dataclass(frozen=True, slots=True)
class ReferenceRates:
    """Events per registered patient over the period, by sex and age band, and the crude rate they imply."""

    kind: ReferenceKind
    name: str
    rates: dict[BandKey, Decimal]
    crude_rate: Decimal  # events per patient over the period in the reference population
    how: str  # how the rates were built, for the reader


@dataclass(frozen=True, slots=True)
class ExternalRates:
    """A published reference (national, regional or a peer group): events per 1,000 registered patients a year by
    sex and age band, and the crude rate of its whole population (Fingertips' "Persons, All ages")."""

    name: str  # where the rates come from, shown with every result that uses them
    per_1000_per_year: dict[BandKey, Decimal]
    crude_per_1000_per_year: Decimal


@dataclass(frozen=True, slots=True)
class CountInterval:
    """The confidence interval of a Poisson count, and of the ratio observed / expected."""

    confidence: Decimal
    lower: Decimal  # events
    upper: Decimal
    ratio_lower: Decimal
    ratio_upper: Decimal


@dataclass(frozen=True, slots=True)
class PracticeVariation:
    practice_code: str
    registered: int
    observed: int
    expected: Decimal  # sum over bands of reference rate x patients
    ratio: Decimal  # indirectly standardised ratio: observed / expected
    crude_rate: Decimal  # per 1,000 registered patients per year
    standardised_rate: Decimal  # ratio x reference crude rate, per 1,000 per year
    interval_95: CountInterval
    interval_99_8: CountInterval
    significance: Significance


@dataclass(frozen=True, slots=True)
class FunnelPoint:
    """A point on a funnel line: at this expected count, a ratio beyond `ratio` is outside the limit."""

    expected: Decimal
    ratio: Decimal


@dataclass(frozen=True, slots=True)
class FunnelLines:
    """The funnel plot's control limits around a ratio of 1, as points (expected, ratio) for a chart."""

    upper_95: tuple[FunnelPoint, ...]
    lower_95: tuple[FunnelPoint, ...]
    upper_99_8: tuple[FunnelPoint, ...]
    lower_99_8: tuple[FunnelPoint, ...]


@dataclass(frozen=True, slots=True)
class PracticeReduction:
    practice_code: str
    activity: Decimal  # a year's activity above the target
    value: Money


@dataclass(frozen=True, slots=True)
class VariationOpportunity:
    """What would be avoided in a year if every practice above the target ratio came down to it."""

    target: str  # e.g. "the median standardised ratio"
    target_ratio: Decimal
    unit_price: Money
    activity: Decimal
    value: Money  # the sum of the practices' values, each rounded half-up to the penny
    practices: tuple[PracticeReduction, ...]


@dataclass(frozen=True, slots=True)
class VariationResult:
    service_line: str
    period_months: int
    reference: ReferenceRates
    method: LimitMethod
    practices: tuple[PracticeVariation, ...]
    funnel: FunnelLines
    opportunity: VariationOpportunity
    assumptions: tuple[Assumption, ...]

    @property
    def outliers(self) -> tuple[PracticeVariation, ...]:
        """Practices outside the 95% limits (which include those outside 99.8%), highest ratio first."""
        found = [item for item in self.practices if item.significance is not Significance.NOT_SIGNIFICANT]
        return tuple(sorted(found, key=lambda item: item.ratio, reverse=True))

    def practice(self, code: str) -> PracticeVariation | None:
        return next((item for item in self.practices if item.practice_code == code), None)


@dataclass(frozen=True, slots=True)
class ActivityRow:
    """One row of aggregated activity: a practice's activity of a service line at a point of delivery in a month."""

    practice_code: str
    service_line: str
    pod: str
    month: date
    activity: int
    cost_pence: int

    def __post_init__(self) -> None:
        if self.activity < 0:
            raise ValueError(f"{self.practice_code} {self.service_line} {self.month}: activity cannot be negative")
