"""Opportunity engine: per service, the saving from moving activity out of hospital over a term, its NPV and payback.

For year t of the term (t = 1 .. T):

    moved_t = annual hospital activity x movable share x ramp_t
    gross_t = moved_t x (hospital price - out-of-hospital cost)          (half-up to the penny, once per line)
    net_t   = gross_t - annual running cost
    NPV     = - set-up cost + sum_t net_t / (1 + r)^t                    (exact, rounded half-up once)

ramp_t is the average over the year's months of min(1, month / ramp-up months), counting months from the start
of the term (so a 6-month ramp reaches 1/6 of the mature level in its first month). The discounting convention
is DISCOUNTING_CONVENTION; payback is PAYBACK_CONVENTION.
"""

from __future__ import annotations

import decimal
from collections.abc import Sequence
from decimal import Decimal

from gainshare.domain.catalogue import Assumption, Evidence
from gainshare.domain.money import Money, format_rate
from gainshare.domain.opportunity import (
    GREEN_BOOK_DISCOUNT_RATE,
    OpportunityAppraisal,
    OpportunityCase,
    OpportunityYear,
    Payback,
    ServiceOpportunity,
)
from gainshare.domain.terms import RoundingMode
from gainshare.engines.rounding import EXACT, round_pence

MONTHS_PER_YEAR = 12
GREEN_BOOK = Evidence(
    "HM Treasury Green Book social time preference rate, 3.5% real for the first 30 years",
    "HM Treasury, The Green Book (2022), and 'Review of discounting in the Green Book: terms of reference' "
    "(gov.uk, December 2025)",
)


def ramp_share(year: int, ramp_up_months: int) -> Decimal:
    """Average share of the mature level over the 12 months of term year `year` (1-based), linear ramp-up."""
    if year < 1:
        raise ValueError("term years count from 1")
    if ramp_up_months == 0:
        return Decimal(1)
    first = (year - 1) * MONTHS_PER_YEAR + 1
    with decimal.localcontext(EXACT):
        reached = sum(
            (min(Decimal(1), Decimal(month) / ramp_up_months) for month in range(first, first + MONTHS_PER_YEAR)),
            Decimal(0),
        )
        return reached / MONTHS_PER_YEAR


def discount_factor(rate: Decimal, year: int) -> Decimal:
    """1 / (1 + rate)^year, to 60 significant digits."""
    with decimal.localcontext(EXACT):
        return Decimal(1) / (Decimal(1) + rate) ** year


def appraise(
    cases: Sequence[OpportunityCase], term_years: int, discount_rate: Decimal = GREEN_BOOK_DISCOUNT_RATE
) -> OpportunityAppraisal:
    """Every case over the term, ranked by NPV (highest first; ties by service line)."""
    if term_years < 1:
        raise ValueError("the term must be at least one year")
    if discount_rate <= -1:
        raise ValueError("the discount rate must be more than -100%")
    unranked = [_service(case, term_years, discount_rate) for case in cases]
    ordered = sorted(unranked, key=lambda item: (-item.npv.pence, item.case.service_line))
    ranked = tuple(
        ServiceOpportunity(
            item.case, item.years, item.setup_cost, item.net_saving, item.npv, item.payback,
            item.discounted_payback, rank,
        )
        for rank, item in enumerate(ordered, start=1)
    )  # fmt: skip
    rate_evidence = (
        GREEN_BOOK if discount_rate == GREEN_BOOK_DISCOUNT_RATE else Evidence("a rate the user chose", "user")
    )
    assumptions = [Assumption("discount_rate", format_rate(discount_rate), rate_evidence)]
    for case in cases:
        assumptions.extend(item for item in case.assumptions if item not in assumptions)
    return OpportunityAppraisal(term_years, discount_rate, ranked, tuple(assumptions))


def _service(case: OpportunityCase, term_years: int, rate: Decimal) -> ServiceOpportunity:
    margin = case.hospital_price.pence - case.out_of_hospital_cost.pence
    years: list[OpportunityYear] = []
    cumulative = -case.setup_cost.pence
    npv_exact = Decimal(-case.setup_cost.pence)
    with decimal.localcontext(EXACT):
        for year in range(1, term_years + 1):
            ramp = ramp_share(year, case.ramp_up_months)
            moved = case.annual_hospital_activity * case.movable_share * ramp
            gross = round_pence(moved * margin, RoundingMode.HALF_UP)
            net = gross - case.annual_running_cost.pence
            factor = discount_factor(rate, year)
            npv_exact += net * factor
            cumulative += net
            years.append(
                OpportunityYear(
                    year, ramp, moved, Money(gross), case.annual_running_cost, Money(net), factor,
                    Money(round_pence(net * factor, RoundingMode.HALF_UP)), Money(cumulative),
                )
            )  # fmt: skip
    nets = [Decimal(item.net.pence) for item in years]
    with decimal.localcontext(EXACT):
        discounted = [Decimal(item.net.pence) * item.discount_factor for item in years]
    return ServiceOpportunity(
        case=case,
        years=tuple(years),
        setup_cost=case.setup_cost,
        net_saving=Money(cumulative),
        npv=Money(round_pence(npv_exact, RoundingMode.HALF_UP)),
        payback=payback(Decimal(case.setup_cost.pence), nets),
        discounted_payback=payback(Decimal(case.setup_cost.pence), discounted),
        rank=0,
    )


def payback(setup: Decimal, flows: Sequence[Decimal]) -> Payback:
    """Years until the cumulative flows first repay the set-up, interpolated within the year; None if never.

    With no set-up and a first year that does not lose money, payback is immediate (0 years).
    """
    position = -setup
    if position >= 0 and (not flows or flows[0] >= 0):
        return Payback(Decimal(0))
    with decimal.localcontext(EXACT):
        for index, flow in enumerate(flows):
            after = position + flow
            if position < 0 <= after and flow > 0:
                return Payback(Decimal(index) + (-position) / flow)
            position = after
    return Payback(None)
