"""The plan that monthly actuals are tracked against.

The agreement states a planned net saving per scheme and settlement period (schemes[].planned_saving). A month's
plan is its period's plan spread evenly over the period's months (whole pence, largest remainder, so the months
add up to the period's plan exactly); the agreement states no monthly plans. A practice's part of a scheme's
monthly plan is in proportion to its baseline cost that month. Only when no plan is stated for the period does
the plan fall back to the saving the minimum gain threshold asks for (its percentage of the month's baseline
cost), labelled as such; with neither, there is no plan.
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from gainshare.domain.agreement import Agreement
from gainshare.domain.money import Money
from gainshare.domain.periods import Period, add_months
from gainshare.engines.rounding import EXACT, largest_remainder, round_pence


class PlanBasis(Enum):
    STATED = "stated"  # the agreement's planned saving for the period, spread evenly over its months
    THRESHOLD = "threshold"  # no plan stated: the saving the gain threshold asks for
    NONE = "none"  # neither a stated plan nor a percentage threshold

    @property
    def label(self) -> str:
        return PLAN_LABELS[self]


PLAN_LABELS = {
    PlanBasis.STATED: "Plan: the agreement's planned saving for the settlement period, spread evenly over its months",
    PlanBasis.THRESHOLD: "No plan is stated: the plan shown is the saving the gain threshold asks for",
    PlanBasis.NONE: "No plan is stated and there is no percentage gain threshold: there is no plan to compare",
}


@dataclass(frozen=True, slots=True)
class MonthPlan:
    amount: Money | None  # None: no plan
    basis: PlanBasis


def stated_plan(agreement: Agreement, period_id: str, scheme: str | None = None) -> Money | None:
    """The period's stated plan: all schemes', or one scheme's (zero when other schemes state one and it does
    not), None when no scheme states a plan for the period."""
    total = agreement.planned_saving(period_id)
    if total is None or scheme is None:
        return total
    amounts = [
        amount for s in agreement.schemes if s.id == scheme for pid, amount in s.planned_savings if pid == period_id
    ]
    return Money(sum(amount.pence for amount in amounts))


def spread_evenly(amount: Money, period: Period) -> dict[str, Money]:
    """The amount over the period's months ('YYYY-MM'), in whole pence adding up to it (earlier months first)."""
    months: list[str] = []
    cursor = period.start
    while cursor <= period.end:
        months.append(f"{cursor.year:04d}-{cursor.month:02d}")
        cursor = add_months(cursor, 1)
    parts = largest_remainder(amount.pence, [Decimal(1)] * len(months))
    return {month: Money(part) for month, part in zip(months, parts, strict=True)}


def month_plan(agreement: Agreement, month: Period, baseline: Money, scheme: str | None = None) -> MonthPlan:
    """The month's plan for all schemes (scheme None) or one, from the plan stated for its settlement period,
    else from the gain threshold and the month's baseline cost."""
    period = agreement.period_containing(month)
    stated = stated_plan(agreement, period.id, scheme) if period is not None else None
    if stated is not None and period is not None:
        label = f"{month.start.year:04d}-{month.start.month:02d}"
        return MonthPlan(spread_evenly(stated, period)[label], PlanBasis.STATED)
    return MonthPlan(threshold_plan(agreement, baseline), _fallback(agreement))


def threshold_plan(agreement: Agreement, baseline: Money) -> Money | None:
    """The saving the gain threshold asks for on a baseline cost; None without a percentage threshold."""
    threshold = agreement.sharing.gains.threshold
    percent = threshold.limit.percent_of_baseline if threshold is not None else None
    if percent is None:
        return None
    with decimal.localcontext(EXACT):
        return Money(round_pence(Decimal(baseline.pence) * percent, agreement.sharing.rounding))


def practice_plans(plan: MonthPlan, baselines: dict[str, Money], agreement: Agreement) -> dict[str, Money | None]:
    """Each practice's part of a scheme's month plan: in proportion to its baseline cost when the plan is stated
    (adding up to the plan exactly), its own threshold saving when the plan comes from the threshold."""
    if plan.amount is None:
        return dict.fromkeys(baselines)
    if plan.basis is PlanBasis.THRESHOLD:
        return {practice: threshold_plan(agreement, baseline) for practice, baseline in baselines.items()}
    weights = [Decimal(max(baseline.pence, 0)) for baseline in baselines.values()]
    if not weights or sum(weights) == 0:
        return dict.fromkeys(baselines)
    parts = largest_remainder(plan.amount.pence, weights)
    return {practice: Money(part) for practice, part in zip(baselines, parts, strict=True)}


def _fallback(agreement: Agreement) -> PlanBasis:
    return PlanBasis.THRESHOLD if threshold_plan(agreement, Money(0)) is not None else PlanBasis.NONE
