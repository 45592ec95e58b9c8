"""Payments on account: what is due at each instalment, how a revised forecast moves it, and the true-up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from gainshare.domain.money import Money, total


@dataclass(frozen=True, slots=True)
class InstalmentDue:
    due: date
    cumulative_percent: Decimal
    cumulative_due: Money  # cumulative percent of the forecast share, whole pence, never negative
    paid_before: Money  # paid on account by the earlier instalments
    amount: Money  # due at this instalment: cumulative due less paid before, never negative
    fixed: bool  # already paid when the schedule was drawn, so not recalculated
    explanation: str


@dataclass(frozen=True, slots=True)
class PaymentSchedule:
    clause: str
    forecast_share: Money
    instalments: tuple[InstalmentDue, ...]

    def total(self) -> Money:
        return total([instalment.amount for instalment in self.instalments])

    def paid_by(self, day: date) -> Money:
        """What the schedule pays on instalments due on or before a day."""
        return total([instalment.amount for instalment in self.instalments if instalment.due <= day])


@dataclass(frozen=True, slots=True)
class InstalmentChange:
    due: date
    before: Money
    after: Money
    why: str

    @property
    def change(self) -> Money:
        return self.after - self.before


@dataclass(frozen=True, slots=True)
class ScheduleRevision:
    """A schedule redrawn for a revised forecast: the instalments that moved and why."""

    as_of: date
    reason: str
    forecast_before: Money
    forecast_after: Money
    changes: tuple[InstalmentChange, ...]
    schedule: PaymentSchedule

    def total_change(self) -> Money:
        return total([change.change for change in self.changes])


@dataclass(frozen=True, slots=True)
class TrueUp:
    final_share: Money
    paid_on_account: Money
    amount: Money  # positive: paid to the provider; negative: recovered from it
    explanation: str
