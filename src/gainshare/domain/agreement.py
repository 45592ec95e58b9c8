"""The agreement: parties, term, baseline adjustments, schemes and sharing rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from gainshare.domain.money import Money
from gainshare.domain.parties import Party, PartyRole
from gainshare.domain.periods import Period, locate, split_term, whole_months_between
from gainshare.domain.terms import PaymentsOnAccount, SharingRules


@dataclass(frozen=True, slots=True)
class BaselineAdjustments:
    """Yearly adjustments from the baseline year: list growth on activity; uplift less efficiency on price."""

    list_growth: Decimal = Decimal(0)
    price_uplift: Decimal = Decimal(0)
    efficiency: Decimal = Decimal(0)
    clause: str = "baseline"

    def activity_factor(self, year: int) -> Decimal:
        return (1 + self.list_growth) ** year

    def price_factor(self, year: int) -> Decimal:
        return (1 + self.price_uplift - self.efficiency) ** year


@dataclass(frozen=True, slots=True)
class SetupFunding:
    amount: Money
    period: str


@dataclass(frozen=True, slots=True)
class Scheme:
    """A service moved out of hospital, with its prices."""

    id: str
    name: str
    hospital_price: Money  # per unit, in the baseline year
    provision_price: Money  # per unit paid by the commissioner for out-of-hospital activity
    setup_funding: SetupFunding | None = None
    clause: str = "schemes"
    planned_savings: tuple[tuple[str, Money], ...] = ()  # by settlement period id


@dataclass(frozen=True, slots=True)
class Reinvestment:
    project: str
    share_of_provider_gain: Decimal
    description: str = ""


@dataclass(frozen=True, slots=True)
class Agreement:
    id: str
    version: int
    title: str
    parties: tuple[Party, ...]
    term_start: date
    term_end: date
    months_per_period: int
    baseline: BaselineAdjustments
    schemes: tuple[Scheme, ...]
    sharing: SharingRules
    payments_on_account: PaymentsOnAccount | None = None
    reinvestment: tuple[Reinvestment, ...] = ()

    def party(self, party_id: str) -> Party:
        for party in self.parties:
            if party.id == party_id:
                return party
        raise KeyError(party_id)

    def parties_with_role(self, role: PartyRole) -> tuple[Party, ...]:
        return tuple(party for party in self.parties if party.role is role)

    def scheme(self, scheme_id: str) -> Scheme:
        for scheme in self.schemes:
            if scheme.id == scheme_id:
                return scheme
        raise KeyError(scheme_id)

    def planned_saving(self, period_id: str) -> Money | None:
        """The net saving planned for a settlement period across the schemes, or None when no scheme plans one."""
        planned = [
            amount for scheme in self.schemes for period, amount in scheme.planned_savings if period == period_id
        ]
        return Money(sum(amount.pence for amount in planned)) if planned else None

    def periods(self) -> tuple[Period, ...]:
        return split_term(self.term_start, self.term_end, self.months_per_period)

    def period(self, period_id: str) -> Period:
        for period in self.periods():
            if period.id == period_id:
                return period
        raise KeyError(period_id)

    def period_containing(self, span: Period) -> Period | None:
        """The settlement period that wholly contains a span, if any."""
        return locate(self.term_start, self.term_end, self.months_per_period, span)

    def term_year(self, day: date) -> int:
        """1 for the first twelve months of the term, 2 for the next, ..."""
        return whole_months_between(self.term_start, day) // 12 + 1
