"""The service catalogue: service lines commonly moved out of hospital, with default costs and their evidence.

Every default is a value a user may replace. Each carries its Evidence: a citable source, or the plain word that
it is an assumption. Results that use a default carry it as an Assumption, so no output hides where a number came
from.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise

from gainshare.domain.money import Money

# The catalogue fields that hold defaults; each must have evidence.
DEFAULT_FIELDS: tuple[str, ...] = (
    "hospital_price",
    "out_of_hospital_cost",
    "movable_share",
    "ramp_up_months",
    "setup_cost",
    "annual_running_cost",
    "age_profile",
)


@dataclass(frozen=True, slots=True)
class HospitalCurrency:
    """How the hospital activity is counted and paid: an HRG or treatment function code at a point of delivery."""

    kind: str  # "HRG", "TFC" or "DAPS" (direct access pathology/diagnostics)
    code: str
    pod: str  # point of delivery: OPFA, OPFUP, OPPROC, DIAG, DAPS ...
    description: str = ""

    @property
    def label(self) -> str:
        return f"{self.kind} {self.code} ({self.pod})"


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where a default comes from. `source` is None when it is an assumption with no citable source."""

    note: str
    source: str | None = None

    @property
    def is_assumption(self) -> bool:
        return self.source is None

    def render(self) -> str:
        if self.source is None:
            return f"assumption: {self.note}"
        return f"{self.note} (source: {self.source})"


@dataclass(frozen=True, slots=True)
class Assumption:
    """A default a result used, stated so that the reader can challenge it."""

    subject: str  # e.g. "dermatology.out_of_hospital_cost" or "discount_rate"
    value: str
    evidence: Evidence

    def render(self) -> str:
        return f"{self.subject} = {self.value}: {self.evidence.render()}"


@dataclass(frozen=True, slots=True)
class AgePoint:
    """A point of a relative age profile: the rate at `age` relative to other ages (linear between points)."""

    age: int
    relative_rate: Decimal


@dataclass(frozen=True, slots=True)
class CatalogueEntry:
    id: str
    name: str
    currencies: tuple[HospitalCurrency, ...]
    hospital_price: Money  # per unit of hospital activity
    out_of_hospital_cost: Money  # per unit delivered out of hospital
    movable_share: Decimal  # share of hospital activity that could move, at maturity (0 to 1)
    ramp_up_months: int  # months from the start to the mature share (linear)
    setup_cost: Money  # one-off, at the start
    annual_running_cost: Money  # fixed yearly cost beyond the unit cost (equipment upkeep, governance)
    age_profile: tuple[AgePoint, ...]  # relative rates by age, for standardisation
    female_factor: Decimal  # relative rate of women to men
    evidence: dict[str, Evidence] = field(compare=False)
    unit: str = "attendance"

    def __post_init__(self) -> None:
        if not Decimal(0) <= self.movable_share <= Decimal(1):
            raise ValueError(f"{self.id}: the movable share must be between 0 and 1, not {self.movable_share}")
        if self.ramp_up_months < 0:
            raise ValueError(f"{self.id}: the ramp-up must be zero or more months")
        missing = [name for name in DEFAULT_FIELDS if name not in self.evidence]
        if missing:
            raise ValueError(f"{self.id}: no evidence or assumption stated for {', '.join(missing)}")

    def assumption(self, name: str, value: str) -> Assumption:
        """The default `name` of this entry, stated with its evidence."""
        return Assumption(f"{self.id}.{name}", value, self.evidence[name])

    def relative_rate(self, age: Decimal) -> Decimal:
        """The age profile at an age, linear between points and flat beyond the ends."""
        points = self.age_profile
        if age <= points[0].age:
            return points[0].relative_rate
        for left, right in pairwise(points):
            if age <= right.age:
                span = Decimal(right.age - left.age)
                return left.relative_rate + (right.relative_rate - left.relative_rate) * (age - left.age) / span
        return points[-1].relative_rate


@dataclass(frozen=True, slots=True)
class ServiceCatalogue:
    entries: tuple[CatalogueEntry, ...]
    source: str = ""
    prices_as_at: str = ""  # the price base of the money defaults, e.g. "2024-25"

    def __post_init__(self) -> None:
        ids = [entry.id for entry in self.entries]
        duplicates = sorted({item for item in ids if ids.count(item) > 1})
        if duplicates:
            raise ValueError(f"the catalogue names these service lines twice: {', '.join(duplicates)}")

    def __iter__(self) -> Iterator[CatalogueEntry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, service_line: str) -> CatalogueEntry | None:
        return next((entry for entry in self.entries if entry.id == service_line), None)
