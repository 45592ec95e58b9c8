"""Period figures: what happened, per scheme, that a settlement turns into money."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from gainshare.domain.money import Money
from gainshare.domain.periods import Period


@dataclass(frozen=True, slots=True)
class SchemeFigures:
    """Activity (priced by the agreement) or costs given directly, for one scheme in one span of time.

    baseline_activity is the historic activity for the same span of the baseline year, before list growth.
    A cost given directly is used as it stands (already adjusted).
    """

    scheme: str
    span: Period
    baseline_activity: Decimal | None = None
    actual_activity: Decimal | None = None
    provision_activity: Decimal | None = None
    baseline_cost: Money | None = None
    actual_cost: Money | None = None
    provision_cost: Money | None = None
    source_row: int | None = None


@dataclass(frozen=True, slots=True)
class PeriodFacts:
    """Facts for a whole settlement period that the sharing rules may need."""

    quality_score: Decimal | None = None
    population: int | None = None
    revenue: Money | None = None
    paid_on_account: tuple[tuple[str, Money], ...] = ()


@dataclass(frozen=True, slots=True)
class Figures:
    rows: tuple[SchemeFigures, ...]
    facts: dict[str, PeriodFacts] = field(default_factory=dict)  # by settlement period id
    source: str = "figures"
