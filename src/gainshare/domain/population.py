"""Registered patients: practice list sizes and age/sex bands over time."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum

from gainshare.domain.money import to_decimal


class Sex(Enum):
    MALE = "male"
    FEMALE = "female"


@dataclass(frozen=True, slots=True, order=True)
class AgeBand:
    """Ages lower to upper inclusive; upper None means 'and over' (95+)."""

    lower: int
    upper: int | None

    @property
    def label(self) -> str:
        return f"{self.lower}+" if self.upper is None else f"{self.lower}_{self.upper}"

    @classmethod
    def parse(cls, text: str) -> AgeBand:
        """'0_4', '5-9', '95+' or '95_PLUS' -> AgeBand; anything else raises ValueError."""
        cleaned = text.strip().upper().replace("-", "_").replace(" ", "")
        if cleaned.endswith("+") or cleaned.endswith("_PLUS"):
            lower = cleaned.removesuffix("+").removesuffix("_PLUS")
            if lower.isdigit():
                return cls(int(lower), None)
        parts = cleaned.split("_")
        if len(parts) == 2 and all(part.isdigit() for part in parts) and int(parts[0]) <= int(parts[1]):
            return cls(int(parts[0]), int(parts[1]))
        raise ValueError(f"{text!r} is not an age band: expected one like '0_4', '5_9' or '95+'")


@dataclass(frozen=True, slots=True)
class ListSize:
    """The number of patients registered at a practice on an extract date."""

    practice_code: str
    extract_date: date
    patients: int
    commissioner_code: str = ""


@dataclass(frozen=True, slots=True)
class AgeSexBand:
    practice_code: str
    extract_date: date
    sex: Sex
    band: AgeBand
    patients: int


@dataclass(frozen=True, slots=True)
class RegisteredPatients:
    """What one or more 'Patients Registered at a GP Practice' files say."""

    list_sizes: tuple[ListSize, ...] = ()
    bands: tuple[AgeSexBand, ...] = ()
    source: str = ""

    def extract_dates(self) -> tuple[date, ...]:
        return tuple(sorted({item.extract_date for item in self.list_sizes} | {b.extract_date for b in self.bands}))

    def list_size(self, practice_code: str, extract_date: date) -> int | None:
        """The practice's list size on the date: the total row, else the sum of its bands, else None."""
        for item in self.list_sizes:
            if item.practice_code == practice_code and item.extract_date == extract_date:
                return item.patients
        counts = [b.patients for b in self.bands if b.practice_code == practice_code and b.extract_date == extract_date]
        return sum(counts) if counts else None


def weighted_population(bands: tuple[AgeSexBand, ...], weights: Mapping[tuple[Sex, AgeBand], Decimal]) -> Decimal:
    """Sum of patients x weight over the bands; a band with no weight is an error, not a silent zero."""
    total = Decimal(0)
    for band in bands:
        weight = weights.get((band.sex, band.band))
        if weight is None:
            raise KeyError(f"no weight for {band.sex.value} {band.band.label}")
        total += band.patients * to_decimal(weight)
    return total
