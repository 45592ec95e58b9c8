"""Member practices: synthetic ODS-style codes, names, postcodes, coordinates, archetypes and list sizes.

Codes come from the block Z90001 to Z99999 ("Z9" then four digits), which this project reserves for synthetic
data. They have the shape of an ODS GP practice code (a letter and five digits), but no practice in the published
England and Wales list (epraccur, 2024) has a code starting with Z, so they cannot collide with real practices
there. List sizes follow a lognormal close to England's spread (2021: median about 7,900, 10th percentile about
3,400, 90th about 15,800), held within 2,000 to 25,000.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from gainshare.engines.demo.reference import (
    LOCALITIES,
    POSTCODE_UNIT_LETTERS,
    PRACTICE_NAME_STEMS,
    PRACTICE_NAME_SUFFIXES,
    Locality,
)

SYNTHETIC_CODE_PREFIX = "Z9"
MAX_PRACTICES = 9_999
KM_PER_DEGREE_LATITUDE = 111.2
MIN_LIST_SIZE = 2_000
MAX_LIST_SIZE = 25_000
# Room left under MAX_LIST_SIZE for growth and a student practice's autumn intake.
_STUDENT_INTAKE = 1.03


@dataclass(frozen=True, slots=True)
class Practice:
    code: str
    name: str
    postcode: str
    latitude: float
    longitude: float
    locality: str
    archetype: str
    list_size: int  # registered patients in the first month
    annual_growth: float  # yearly list growth, e.g. 0.012


@dataclass(frozen=True, slots=True)
class PracticeParameters:
    count: int = 30
    median_list_size: float = 8_000.0
    list_size_sigma: float = 0.6  # lognormal: a right-skewed spread of practice sizes
    mean_growth: float = 0.010
    growth_sd: float = 0.007
    years: float = 3.0  # how long the lists must stay within bounds


def practice_code(index: int) -> str:
    """The index-th synthetic code: 0 -> 'Z90001'."""
    if not 0 <= index < MAX_PRACTICES:
        raise ValueError(f"practice index {index} is outside the synthetic block of {MAX_PRACTICES} codes")
    return f"{SYNTHETIC_CODE_PREFIX}{index + 1:04d}"


def generate_practices(rng: np.random.Generator, parameters: PracticeParameters) -> tuple[Practice, ...]:
    """`parameters.count` practices spread over the localities in proportion to their weights."""
    count = parameters.count
    if not 1 <= count <= MAX_PRACTICES:
        raise ValueError(f"the number of practices must be 1 to {MAX_PRACTICES}, not {count}")
    localities = _allocate_localities(count)
    stems = rng.permutation(len(PRACTICE_NAME_STEMS))
    practices: list[Practice] = []
    for index, locality in enumerate(localities):
        names = [name for name, _ in locality.archetype_weights]
        weights = np.array([weight for _, weight in locality.archetype_weights])
        archetype = names[int(rng.choice(len(names), p=weights / weights.sum()))]
        growth = _growth(rng, parameters, archetype)
        latitude, longitude = _scatter(rng, locality)
        stem = PRACTICE_NAME_STEMS[int(stems[index % len(stems)])]
        suffix = PRACTICE_NAME_SUFFIXES[int(rng.integers(len(PRACTICE_NAME_SUFFIXES)))]
        name = f"{stem} {suffix}" if index < len(stems) else f"{stem} {suffix}, {locality.name}"
        practices.append(
            Practice(
                code=practice_code(index),
                name=name,
                postcode=_postcode(rng, locality),
                latitude=round(latitude, 5),
                longitude=round(longitude, 5),
                locality=locality.name,
                archetype=archetype,
                list_size=_list_size(rng, parameters, archetype, growth),
                annual_growth=round(growth, 4),
            )
        )
    return tuple(practices)


def _allocate_localities(count: int) -> list[Locality]:
    """Largest-remainder allocation of practices to localities, so every locality gets its share."""
    weights = np.array([locality.weight for locality in LOCALITIES])
    exact = weights / weights.sum() * count
    seats = np.floor(exact).astype(np.int64)
    order = np.argsort(-(exact - seats), kind="stable")
    seats[order[: count - int(seats.sum())]] += 1
    return [locality for locality, n in zip(LOCALITIES, seats, strict=True) for _ in range(int(n))]


def _growth(rng: np.random.Generator, parameters: PracticeParameters, archetype: str) -> float:
    extra = 0.012 if archetype == "young-family" else -0.004 if archetype == "elderly-coastal" else 0.0
    growth = rng.normal(parameters.mean_growth + extra, parameters.growth_sd)
    return float(np.clip(growth, -0.005, 0.03))


def _list_size(rng: np.random.Generator, parameters: PracticeParameters, archetype: str, growth: float) -> int:
    scale = 1.35 if archetype == "student-town" else 0.9 if archetype == "elderly-coastal" else 1.0
    size = rng.lognormal(math.log(parameters.median_list_size * scale), parameters.list_size_sigma)
    worst_growth = max(1.0 + growth, 1.0) ** parameters.years * _STUDENT_INTAKE
    worst_shrink = min(1.0 + growth, 1.0) ** parameters.years
    upper = math.floor((MAX_LIST_SIZE - 50) / worst_growth)
    lower = math.ceil((MIN_LIST_SIZE + 50) / worst_shrink)
    return int(np.clip(round(size), lower, upper))


def _scatter(rng: np.random.Generator, locality: Locality) -> tuple[float, float]:
    north_km, east_km = rng.normal(0.0, locality.spread_km / 2, size=2)
    latitude = locality.latitude + north_km / KM_PER_DEGREE_LATITUDE
    longitude = locality.longitude + east_km / (KM_PER_DEGREE_LATITUDE * math.cos(math.radians(locality.latitude)))
    return float(latitude), float(longitude)


def _postcode(rng: np.random.Generator, locality: Locality) -> str:
    district = locality.districts[int(rng.integers(len(locality.districts)))]
    sector = int(rng.integers(1, 10))
    letters = "".join(POSTCODE_UNIT_LETTERS[int(i)] for i in rng.integers(len(POSTCODE_UNIT_LETTERS), size=2))
    return f"{district} {sector}{letters}"


def distances_km(latitudes: NDArray[np.float64], longitudes: NDArray[np.float64]) -> NDArray[np.float64]:
    """Great-circle distances between every pair of points (haversine), as a square matrix."""
    lat = np.radians(latitudes)
    lon = np.radians(longitudes)
    dlat = lat[:, None] - lat[None, :]
    dlon = lon[:, None] - lon[None, :]
    a = np.sin(dlat / 2) ** 2 + np.cos(lat[:, None]) * np.cos(lat[None, :]) * np.sin(dlon / 2) ** 2
    result: NDArray[np.float64] = 2 * 6371.0 * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return result
