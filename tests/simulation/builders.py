"""Agreements and assumptions for simulation tests."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from gainshare.domain.agreement import Agreement, BaselineAdjustments, Scheme
from gainshare.domain.assumptions import Assumptions, Distribution, Fixed, SchemeAssumptions
from gainshare.domain.money import Money
from gainshare.domain.terms import GainTerms, LossTerms, ShareSchedule, SharingRules
from tests.builders import agreement

PRICE = 10_000  # pence per unit in hospital
UNIT_COST = 4_000  # pence per unit out of hospital
ACTIVITY = 1_000.0


def one_year_agreement(sharing: SharingRules) -> Agreement:
    """One scheme, one annual period, no baseline adjustments: net saving = activity x shift x (price - cost)."""
    return agreement(
        sharing,
        term_end=date(2026, 3, 31),
        baseline=BaselineAdjustments(),
        schemes=(Scheme("s1", "Scheme one", Money(PRICE), Money(UNIT_COST)),),
    )


def flat_two_sided(rate: str = "0.5") -> SharingRules:
    return SharingRules(GainTerms(ShareSchedule("g", flat=Decimal(rate))), LossTerms(Decimal(rate)))


def shift_assumptions(shift: Distribution, **kwargs: object) -> Assumptions:
    scheme = SchemeAssumptions(
        "s1", Fixed(ACTIVITY), Fixed(0.0), shift, Fixed(1.0), Fixed(float(PRICE)), Fixed(float(UNIT_COST))
    )
    return Assumptions((scheme,), **kwargs)  # type: ignore[arg-type]


def saving_per_unit_shift() -> float:
    """Net saving in pence for a shift share of 1 (it is linear in the shift share)."""
    return ACTIVITY * (PRICE - UNIT_COST)
