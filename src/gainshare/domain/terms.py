"""Sharing rules as data: how a net saving (or loss) becomes each party's share.

Every rule carries a clause id (its key path in the agreement file, or the contract's own clause number)
so that each line of a settlement can say which clause produced it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum

from gainshare.domain.money import Money


class RoundingMode(Enum):
    """How an exact share becomes whole pence. Applied once per settlement line."""

    HALF_UP = "half-up"
    HALF_EVEN = "half-even"
    DOWN = "down"
    UP = "up"


class ThresholdSharing(Enum):
    """Once a threshold is met, share from the first pound or only the excess above it."""

    FIRST_POUND = "first-pound"
    EXCESS_ONLY = "excess-only"


class QualityMode(Enum):
    GATE = "gate"  # below the minimum score, no gain is shared
    MULTIPLIER = "multiplier"  # the gain share is scaled by the score
    GATE_AND_MULTIPLIER = "gate-and-multiplier"


@dataclass(frozen=True, slots=True)
class PopulationRateRow:
    """One row of a threshold table keyed on population (e.g. MSSP's minimum savings rate table)."""

    population_from: int
    population_to: int | None  # inclusive; None = no upper end
    rate_from: Decimal  # rate at population_from
    rate_to: Decimal  # rate at population_to (equal to rate_from for a flat row)


@dataclass(frozen=True, slots=True)
class Limit:
    """An amount stated absolutely, as a share of the baseline, of revenue, or by a population table.

    When more than one is given, the smallest applies ("the lesser of").
    """

    clause: str
    amount: Money | None = None
    percent_of_baseline: Decimal | None = None
    percent_of_revenue: Decimal | None = None
    population_table: tuple[PopulationRateRow, ...] = ()


@dataclass(frozen=True, slots=True)
class Threshold:
    limit: Limit
    sharing: ThresholdSharing = ThresholdSharing.FIRST_POUND


@dataclass(frozen=True, slots=True)
class Band:
    """A marginal band of savings: the share applies to the part of the saving between lower and upper."""

    lower: Decimal  # pence, or a fraction of the baseline, per the band basis
    upper: Decimal | None
    provider_share: Decimal


class BandBasis(Enum):
    AMOUNT = "amount"
    PERCENT_OF_BASELINE = "percent-of-baseline"


@dataclass(frozen=True, slots=True)
class ShareSchedule:
    """A flat share, or marginal bands. Exactly one of the two is set."""

    clause: str
    flat: Decimal | None = None
    bands: tuple[Band, ...] = ()
    band_basis: BandBasis = BandBasis.PERCENT_OF_BASELINE


@dataclass(frozen=True, slots=True)
class GainTerms:
    share: ShareSchedule
    threshold: Threshold | None = None
    cap: Limit | None = None
    clause: str = "sharing.gains"


@dataclass(frozen=True, slots=True)
class ComplementRate:
    """Loss rate = 1 - (flat gain share x quality score), kept between floor and ceiling (MSSP style).

    below_quality_minimum, when set, is the loss rate for a quality score below the quality minimum
    (MSSP ENHANCED track, 42 CFR 425.610(f)(4)(ii): 75% for an ACO that fails the quality standards).
    """

    floor: Decimal = Decimal(0)
    ceiling: Decimal = Decimal(1)
    below_quality_minimum: Decimal | None = None


@dataclass(frozen=True, slots=True)
class LossTerms:
    provider_share: Decimal | ComplementRate
    threshold: Threshold | None = None
    cap: Limit | None = None
    clause: str = "sharing.losses"


@dataclass(frozen=True, slots=True)
class QualityTerms:
    """How the quality score gates or scales the gain share.

    full_share_from, when set, is the score at or above which a multiplier mode leaves the share unscaled:
    the MSSP sliding scale (42 CFR 425.605(d)(1)(i)(A)(4), 425.610(d)(4)) pays the full rate to an ACO that
    meets the quality performance standard and the rate times the quality score to one that meets only the
    alternative standard.
    """

    mode: QualityMode
    minimum: Decimal = Decimal(0)
    clause: str = "sharing.quality"
    full_share_from: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Split:
    """How one side's total divides among its parties, by weight (largest remainder on pence)."""

    weights: tuple[tuple[str, Decimal], ...]
    clause: str


@dataclass(frozen=True, slots=True)
class SharingRules:
    gains: GainTerms
    losses: LossTerms | None = None  # None: one-sided, the commissioner bears every loss
    quality: QualityTerms | None = None
    provider_split: Split | None = None
    commissioner_split: Split | None = None
    rounding: RoundingMode = RoundingMode.HALF_UP


@dataclass(frozen=True, slots=True)
class Instalment:
    due: str  # ISO date
    percent: Decimal  # cumulative share of the forecast provider share due by this date


@dataclass(frozen=True, slots=True)
class PaymentsOnAccount:
    instalments: tuple[Instalment, ...] = field(default_factory=tuple)
    clause: str = "payments_on_account"
