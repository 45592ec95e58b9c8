"""Hub-and-spoke services: where member practices' patients are seen, and who pays whom for it.

A service (for example anticoagulation monitoring) is delivered at a few hub sites; every member practice refers
its patients to one hub. These are the inputs (sites with locations, demand, capacity, travel) and the results
(hubs, assignments, sessions, the trade-off curve and the referral flow matrix that feeds inter-practice
settlement). Coordinates and travel are floats (they are measurements, never money); items are whole numbers and
payments are Money in pence.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import Enum

from gainshare.domain.money import Money, total
from gainshare.domain.referrals import ReferralItem

# Road distance over straight-line distance. An assumption, not a measurement of any one area: published route
# factors for road travel are mostly quoted between about 1.2 and 1.4 (higher for short, urban trips). Give a
# travel-time matrix from a routing engine when the figures matter (docs/hubs.md).
DEFAULT_CIRCUITY = 1.3


class TravelUnit(Enum):
    KM = "km"  # straight-line distance times the circuity factor
    MINUTES = "minutes"  # from a travel-time matrix the user provides


@dataclass(frozen=True, slots=True)
class GeoPoint:
    """WGS84 latitude and longitude in degrees."""

    lat: float
    lon: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.lat) and -90.0 <= self.lat <= 90.0):
            raise ValueError(f"latitude {self.lat} is outside -90 to 90")
        if not (math.isfinite(self.lon) and -180.0 <= self.lon <= 180.0):
            raise ValueError(f"longitude {self.lon} is outside -180 to 180")


def normalise_postcode(text: str) -> str:
    """'ls1 4ap' -> 'LS14AP': the key postcodes are matched on (spaces and case do not matter)."""
    return "".join(text.split()).upper()


@dataclass(frozen=True, slots=True)
class Site:
    """A practice or other premises, where it is, and (for a candidate hub) any capacity of its own."""

    code: str
    name: str = ""
    postcode: str = ""
    point: GeoPoint | None = None
    capacity: Capacity | None = None  # None: the plan's default capacity


@dataclass(frozen=True, slots=True)
class Capacity:
    """Items one session can see, and sessions a hub can run per month (None: as many as needed)."""

    per_session: int
    sessions_per_month: int | None = None

    def __post_init__(self) -> None:
        if self.per_session < 1:
            raise ValueError("capacity per session must be at least 1")
        if self.sessions_per_month is not None and self.sessions_per_month < 0:
            raise ValueError("sessions per month must be zero or more")

    def limit(self, months: int) -> int | None:
        """The most items a hub can see over the demand window, or None when unlimited."""
        if self.sessions_per_month is None:
            return None
        return self.per_session * self.sessions_per_month * months

    def sessions_needed(self, items: int, months: int) -> int:
        """Sessions a month to see `items` over `months` months, rounded up."""
        per_window = self.per_session * max(months, 1)
        return -(-items // per_window)


@dataclass(frozen=True, slots=True)
class Demand:
    """Items (activity) per practice for one service over a window of months."""

    service_line: str
    months: tuple[str, ...]  # 'YYYY-MM', the window the items were counted over
    items: Mapping[str, int]  # practice code -> items over the window

    def __post_init__(self) -> None:
        negative = sorted(code for code, count in self.items.items() if count < 0)
        if negative:
            raise ValueError(f"negative demand for {', '.join(negative)}")

    @property
    def total(self) -> int:
        return sum(self.items.values())

    def of(self, practice: str) -> int:
        return self.items.get(practice, 0)


@dataclass(frozen=True, slots=True)
class TravelMatrix:
    """Travel times (minutes) from origins (practices) to destinations (sites), row-major in a compact float
    array; NaN (or a pair not listed) means the site cannot be reached from there."""

    origins: tuple[str, ...]
    destinations: tuple[str, ...]
    minutes: array[float]  # len(origins) x len(destinations), row-major, typecode 'f' or 'd'
    source: str = ""
    _origin_index: dict[str, int] = field(init=False, repr=False, compare=False)
    _destination_index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.minutes) != len(self.origins) * len(self.destinations):
            raise ValueError("the travel matrix needs one value per origin and destination")
        object.__setattr__(self, "_origin_index", {code: i for i, code in enumerate(self.origins)})
        object.__setattr__(self, "_destination_index", {code: j for j, code in enumerate(self.destinations)})

    def get(self, origin: str, destination: str) -> float | None:
        i = self._origin_index.get(origin)
        j = self._destination_index.get(destination)
        if i is None or j is None:
            return None
        value = self.minutes[i * len(self.destinations) + j]
        return None if math.isnan(value) else value


@dataclass(frozen=True, slots=True)
class Assignment:
    practice: str
    hub: str
    items: int
    travel: float  # in the plan's unit


@dataclass(frozen=True, slots=True)
class HubLoad:
    hub: str
    practices: int
    items: int
    sessions_needed: int | None  # per month, rounded up; None when no capacity per session is known
    sessions_available: int | None  # per month; None: unlimited


class SolveMethod(Enum):
    EXACT = "exact"  # a MILP solved by HiGHS
    HEURISTIC = "heuristic"  # Lagrangian relaxation bound, then swap local search


@dataclass(frozen=True, slots=True)
class HubPlan:
    """One layout: which sites host the hubs and where each practice's patients go."""

    service_line: str
    unit: TravelUnit
    hubs: tuple[str, ...]
    assignments: tuple[Assignment, ...]
    loads: tuple[HubLoad, ...]
    objective: float  # sum of items x travel
    lower_bound: float  # no layout can do better than this
    method: SolveMethod
    proven_optimal: bool
    months: int

    @property
    def gap(self) -> float:
        """(objective - lower bound) / objective: 0 when proven optimal."""
        if self.objective <= 0:
            return 0.0
        return max(0.0, (self.objective - self.lower_bound) / self.objective)

    @property
    def total_items(self) -> int:
        return sum(assignment.items for assignment in self.assignments)

    @property
    def average_travel(self) -> float:
        """Per item (patient visit), weighted by demand; per practice if there is no demand at all."""
        items = self.total_items
        if items:
            return sum(a.items * a.travel for a in self.assignments) / items
        return sum(a.travel for a in self.assignments) / len(self.assignments) if self.assignments else 0.0

    @property
    def worst_travel(self) -> float:
        return max((a.travel for a in self.assignments), default=0.0)

    def hub_of(self, practice: str) -> str:
        for assignment in self.assignments:
            if assignment.practice == practice:
                return assignment.hub
        raise KeyError(practice)


@dataclass(frozen=True, slots=True)
class CurvePoint:
    """The best layout with `hubs` hubs, for the trade-off curve of hubs against travel."""

    hubs: int
    average_travel: float | None  # None: no layout with this many hubs meets the constraints
    worst_travel: float | None
    objective: float | None
    gap: float | None
    sites: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ReferralFlow:
    """Items one practice refers to a hub, and what it pays at the agreed price per item."""

    referring: str
    providing: str
    items: int
    price: Money

    @property
    def amount(self) -> Money:
        return Money(self.items * self.price.pence)

    @property
    def internal(self) -> bool:
        """A hub practice seeing its own patients: no money changes hands between practices."""
        return self.referring == self.providing


@dataclass(frozen=True, slots=True)
class ReferralFlowMatrix:
    """Who refers how many to which hub over the demand window, at the agreed price per item."""

    service_line: str
    price: Money
    flows: tuple[ReferralFlow, ...]
    _cells: dict[tuple[str, str], ReferralFlow] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        cells: dict[tuple[str, str], ReferralFlow] = {}
        for flow in self.flows:
            key = (flow.referring, flow.providing)
            if key in cells:
                raise ValueError(f"two flows from {flow.referring} to {flow.providing}")
            cells[key] = flow
        object.__setattr__(self, "_cells", cells)

    def __iter__(self) -> Iterator[ReferralFlow]:
        return iter(self.flows)

    def items(self, referring: str, providing: str) -> int:
        flow = self._cells.get((referring, providing))
        return flow.items if flow else 0

    @property
    def total_items(self) -> int:
        return sum(flow.items for flow in self.flows)

    @property
    def total_amount(self) -> Money:
        """The value of every item at the price, the hubs' own patients included."""
        return total([flow.amount for flow in self.flows])

    @property
    def inter_practice_amount(self) -> Money:
        """What changes hands between practices: flows to another practice's hub."""
        return total([flow.amount for flow in self.flows if not flow.internal])

    def paid_by(self, practice: str) -> Money:
        return total([f.amount for f in self.flows if f.referring == practice and not f.internal])

    def received_by(self, practice: str) -> Money:
        return total([f.amount for f in self.flows if f.providing == practice and not f.internal])

    def referral_items(self, month: str) -> tuple[ReferralItem, ...]:
        """The flows as inter-practice referral items of one month, for the netting engine (own patients left out)."""
        return tuple(
            ReferralItem(referring=f.referring, providing=f.providing, month=month, items=f.items, price=f.price)
            for f in self.flows
            if not f.internal and f.items > 0
        )


def referral_flows(plan: HubPlan, price: Money) -> ReferralFlowMatrix:
    """The plan's assignments as a flow matrix at the agreed price per item (one cell per practice)."""
    if price.pence < 0:
        raise ValueError("the price per item must be zero or more")
    flows = tuple(ReferralFlow(a.practice, a.hub, a.items, price) for a in plan.assignments)
    return ReferralFlowMatrix(plan.service_line, price, flows)
