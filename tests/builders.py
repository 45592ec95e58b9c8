"""Small builders for domain values used across tests."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from gainshare.domain.agreement import Agreement, BaselineAdjustments, Scheme
from gainshare.domain.figures import Figures, PeriodFacts, SchemeFigures
from gainshare.domain.money import Money
from gainshare.domain.parties import Party, PartyRole
from gainshare.domain.periods import Period
from gainshare.domain.terms import GainTerms, ShareSchedule, SharingRules

ICB = Party("ICB", "Test ICB", PartyRole.COMMISSIONER, "QZZ")
FED = Party("FED", "Test Federation", PartyRole.PROVIDER, "Y99001")
FY25 = Period(date(2025, 4, 1), date(2026, 3, 31), "2025-26")


def flat(rate: str = "0.5") -> SharingRules:
    return SharingRules(gains=GainTerms(ShareSchedule("sharing.gains", flat=Decimal(rate))))


def agreement(
    sharing: SharingRules | None = None, parties: tuple[Party, ...] = (ICB, FED), **kwargs: object
) -> Agreement:
    values: dict[str, object] = {
        "id": "test",
        "version": 1,
        "title": "Test agreement",
        "parties": parties,
        "term_start": date(2025, 4, 1),
        "term_end": date(2028, 3, 31),
        "months_per_period": 12,
        "baseline": BaselineAdjustments(),
        "schemes": (Scheme("s1", "Scheme one", Money(100), Money(0)),),
        "sharing": sharing or flat(),
    }
    values.update(kwargs)
    return Agreement(**values)  # type: ignore[arg-type]


def cost_figures(baseline_pence: int, actual_pence: int, facts: PeriodFacts | None = None) -> Figures:
    """Figures whose net saving is baseline - actual, given as costs for scheme s1 in 2025-26."""
    row = SchemeFigures("s1", FY25, baseline_cost=Money(baseline_pence), actual_cost=Money(actual_pence))
    return Figures((row,), {"2025-26": facts} if facts else {})
