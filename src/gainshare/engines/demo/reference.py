"""Reference tables the demo federation is drawn from: age bands, archetypes, localities.

The age/sex profile is a rounded approximation of England's registered GP population (quinary bands);
archetype tilts bend it into student-town, young-family and elderly-coastal practices.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

AGE_BANDS: tuple[str, ...] = (
    *(f"{low}-{low + 4}" for low in range(0, 95, 5)),
    "95+",
)
SEXES: tuple[str, ...] = ("F", "M")

# Share of the registered population in each band (both sexes), roughly England 2024; normalised on use.
_ENGLAND_BAND_SHARE = (
    5.3, 5.9, 6.2, 5.9, 6.3, 7.0, 7.3, 7.0, 6.6, 6.1, 6.7, 6.6, 5.8, 4.9, 4.5, 3.9, 2.4, 1.4, 0.6, 0.2,
)  # fmt: skip
# Share of each band that is male: women outlive men, so the oldest bands are mostly female.
_MALE_SHARE = (
    0.512, 0.512, 0.512, 0.512, 0.505, 0.500, 0.500, 0.500, 0.500, 0.497, 0.495, 0.493, 0.490, 0.485,
    0.475, 0.460, 0.430, 0.390, 0.320, 0.230,
)  # fmt: skip


def england_band_shares() -> NDArray[np.float64]:
    shares = np.asarray(_ENGLAND_BAND_SHARE, dtype=np.float64)
    normalised: NDArray[np.float64] = shares / shares.sum()
    return normalised


def male_shares() -> NDArray[np.float64]:
    return np.asarray(_MALE_SHARE, dtype=np.float64)


def _tilt(**by_range: float) -> tuple[float, ...]:
    """Multipliers per band from keyword ranges such as b0_14=0.5 (bands 0-4, 5-9, 10-14)."""
    factors = [1.0] * len(AGE_BANDS)
    for key, factor in by_range.items():
        low, high = (int(part) for part in key[1:].split("_"))
        for index in range(len(AGE_BANDS)):
            if low <= index * 5 <= high:
                factors[index] = factor
    return tuple(factors)


@dataclass(frozen=True, slots=True)
class Archetype:
    """A kind of practice population: how its age mix differs from England's."""

    id: str
    description: str
    tilt: tuple[float, ...]  # multiplier per age band, applied to England's shares then renormalised


ARCHETYPES: dict[str, Archetype] = {
    "typical": Archetype("typical", "close to England's age mix", _tilt()),
    "student-town": Archetype(
        "student-town",
        "university town: many 18-29s, few children and older people",
        _tilt(b0_14=0.45, b15_19=2.2, b20_24=4.5, b25_29=1.7, b30_44=0.8, b45_64=0.55, b65_95=0.4),
    ),
    "young-family": Archetype(
        "young-family",
        "new-build suburb: young children and their parents",
        _tilt(b0_9=1.55, b10_14=1.3, b25_29=1.25, b30_44=1.4, b55_64=0.8, b65_74=0.6, b75_95=0.45),
    ),
    "elderly-coastal": Archetype(
        "elderly-coastal",
        "seaside retirement town: many over-65s",
        _tilt(b0_14=0.75, b15_19=0.8, b20_39=0.65, b55_64=1.2, b65_79=1.75, b80_95=2.1),
    ),
}


@dataclass(frozen=True, slots=True)
class Locality:
    """A town or district the federation covers; practices are scattered around its centre."""

    name: str
    districts: tuple[str, ...]  # postcode districts
    latitude: float
    longitude: float
    spread_km: float
    archetype_weights: tuple[tuple[str, float], ...]
    weight: float  # share of the federation's practices


# A plausible area (north Lancashire coast and the Fylde). Practices, names and postcode units are synthetic.
LOCALITIES: tuple[Locality, ...] = (
    Locality("Lancaster", ("LA1", "LA2"), 54.047, -2.801, 2.5, (("student-town", 0.5), ("typical", 0.5)), 0.17),
    Locality("Morecambe", ("LA3", "LA4"), 54.070, -2.864, 2.0, (("elderly-coastal", 0.7), ("typical", 0.3)), 0.13),
    Locality("Carnforth", ("LA5", "LA6"), 54.129, -2.767, 3.5, (("elderly-coastal", 0.4), ("typical", 0.6)), 0.07),
    Locality("Garstang", ("PR3",), 53.901, -2.773, 4.0, (("typical", 0.7), ("young-family", 0.3)), 0.07),
    Locality("Fleetwood", ("FY7",), 53.917, -3.035, 1.5, (("elderly-coastal", 0.8), ("typical", 0.2)), 0.10),
    Locality("Thornton-Cleveleys", ("FY5",), 53.874, -3.020, 2.0, (("elderly-coastal", 0.7), ("typical", 0.3)), 0.10),
    Locality("Poulton-le-Fylde", ("FY6",), 53.847, -2.990, 2.5, (("typical", 0.6), ("elderly-coastal", 0.4)), 0.08),
    Locality("Preston North", ("PR2", "PR4"), 53.790, -2.705, 3.0, (("young-family", 0.6), ("typical", 0.4)), 0.17),
    Locality("Preston City", ("PR1",), 53.762, -2.703, 1.5, (("student-town", 0.5), ("typical", 0.5)), 0.11),
)

PRACTICE_NAME_STEMS: tuple[str, ...] = (
    "Riverside", "Castle View", "Harbour", "Old Mill", "Station Road", "Parkside", "Bay View", "Priory",
    "Market Street", "Lune Valley", "Promenade", "Church Lane", "Moorland", "Beechwood", "Meadowbank",
    "Westgate", "Northgate", "Willow Tree", "Ash Grove", "Hollybank", "Kingsway", "Victoria", "Greenbank",
    "Abbey", "Orchard", "Fernlea", "Canal Side", "Seaview", "Highfield", "Bridge End", "Elmwood", "Lighthouse",
    "Millbrook", "Foxfield", "Rowan", "Sandside", "Dockside", "Brookfield", "Oakhill", "Cedar House",
)  # fmt: skip
PRACTICE_NAME_SUFFIXES: tuple[str, ...] = (
    "Surgery", "Medical Centre", "Health Centre", "Medical Practice", "Family Practice",
)  # fmt: skip

# Letters used in the inward part of a UK postcode (never C, I, K, M, O or V).
POSTCODE_UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
