"""Monthly plans: the stated period plan spread evenly to the penny, the threshold only when none is stated."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from gainshare.adapters.agreement_file.loader import load_agreement
from gainshare.domain.money import Money
from gainshare.domain.periods import month_period
from gainshare.engines.plan import PlanBasis, month_plan, practice_plans, spread_evenly

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "agreement.yaml"


def test_a_stated_plan_is_spread_evenly_and_adds_up() -> None:
    terms = load_agreement(EXAMPLE)
    period = terms.period("2025-26")
    months = spread_evenly(Money(1_000_001), period)
    assert len(months) == 12 and sum(m.pence for m in months.values()) == 1_000_001
    assert max(m.pence for m in months.values()) - min(m.pence for m in months.values()) == 1
    plan = month_plan(terms, month_period(2025, 4), Money(0))
    assert plan.basis is PlanBasis.STATED
    assert plan.amount == Money((terms.planned_saving("2025-26") or Money(0)).pence // 12)


def test_the_threshold_is_the_plan_only_when_none_is_stated() -> None:
    terms = load_agreement(EXAMPLE)
    unplanned = dataclasses.replace(
        terms, schemes=tuple(dataclasses.replace(s, planned_savings=()) for s in terms.schemes)
    )
    plan = month_plan(unplanned, month_period(2025, 4), Money(100_000))
    assert (plan.amount, plan.basis) == (Money(1_000), PlanBasis.THRESHOLD)  # the example's 1% threshold


def test_practices_share_a_stated_plan_by_baseline_cost() -> None:
    terms = load_agreement(EXAMPLE)
    plan = month_plan(terms, month_period(2025, 4), Money(0), "anticoag")
    parts = practice_plans(plan, {"A": Money(300), "B": Money(100)}, terms)
    assert parts == {"A": Money(375_000), "B": Money(125_000)}
