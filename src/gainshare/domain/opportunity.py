"""The opportunity of moving a service out of hospital, year by year over a proposed term."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from gainshare.domain.catalogue import Assumption
from gainshare.domain.money import Money

GREEN_BOOK_DISCOUNT_RATE = Decimal("0.035")  # HM Treasury Green Book social time preference rate, years 0-30
DISCOUNTING_CONVENTION = (
    "set-up costs fall at the start of the term (year 0, not discounted); each year's savings and running costs "
    "fall at the end of that year and are discounted by 1 / (1 + r)^t"
)
PAYBACK_CONVENTION = (
    "payback counts undiscounted net cash from the start of the term, assuming each year's net saving accrues "
    "evenly through the year (interpolated within the year)"
)


@dataclass(frozen=True, slots=True)
class OpportunityCase:
    """One service's inputs: what hospital activity there is, and the defaults or local values to move it."""

    service_line: str
    name: str
    annual_hospital_activity: Decimal  # hospital activity per year in the baseline
    movable_share: Decimal  # share that could move at maturity
    hospital_price: Money
    out_of_hospital_cost: Money
    setup_cost: Money
    annual_running_cost: Money
    ramp_up_months: int
    assumptions: tuple[Assumption, ...] = ()

    def __post_init__(self) -> None:
        if self.annual_hospital_activity < 0:
            raise ValueError(f"{self.service_line}: hospital activity cannot be negative")
        if not Decimal(0) <= self.movable_share <= Decimal(1):
            raise ValueError(f"{self.service_line}: the movable share must be between 0 and 1")
        if self.ramp_up_months < 0:
            raise ValueError(f"{self.service_line}: the ramp-up must be zero or more months")


@dataclass(frozen=True, slots=True)
class OpportunityYear:
    year: int  # 1 for the first year of the term
    ramp: Decimal  # average share of the mature level reached over the year
    activity_moved: Decimal
    gross_saving: Money  # activity moved x (hospital price - out-of-hospital cost), half-up to the penny
    running_cost: Money
    net: Money  # gross saving - running cost
    discount_factor: Decimal
    present_value: Money  # net x discount factor, half-up (display; the NPV is rounded once from exact values)
    cumulative: Money  # undiscounted, from the start of the term, after set-up


@dataclass(frozen=True, slots=True)
class Payback:
    years: Decimal | None  # None: not within the term

    def render(self) -> str:
        if self.years is None:
            return "not within the term"
        return f"{self.years.quantize(Decimal('0.01'))} years"


@dataclass(frozen=True, slots=True)
class ServiceOpportunity:
    case: OpportunityCase
    years: tuple[OpportunityYear, ...]
    setup_cost: Money
    net_saving: Money  # undiscounted over the term, after set-up
    npv: Money
    payback: Payback
    discounted_payback: Payback
    rank: int


@dataclass(frozen=True, slots=True)
class OpportunityAppraisal:
    term_years: int
    discount_rate: Decimal
    services: tuple[ServiceOpportunity, ...]  # ranked by NPV, highest first
    assumptions: tuple[Assumption, ...]
    discounting: str = DISCOUNTING_CONVENTION
    payback_convention: str = PAYBACK_CONVENTION

    @property
    def total_npv(self) -> Money:
        return Money(sum(item.npv.pence for item in self.services))
