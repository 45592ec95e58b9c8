"""National-scale patient-level episodes for benchmarks, generated chunk by chunk in bounded memory.

A synthetic England: several thousand practices (codes from the synthetic Z9 block) with lognormal list sizes.
Each episode picks a service line and month (weighted by England's age mix x the line's rates, seasonality and
growth), a practice (weighted by list size and a practice propensity), a patient of that practice (a few heavy
users account for much of the activity), a working day in the month, and the hospital price for the line and
financial year, scaled by a provider market forces factor. Patient ids are pseudonyms: 16 hex digits from a
keyed 64-bit mix of a synthetic patient number, never an NHS number.

Each chunk has its own random stream (seed, chunk number), so memory stays at one chunk whatever the row count.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import numpy as np
from numpy.typing import NDArray

from gainshare.engines.demo.calendar import financial_year_index, month_of_year, month_starts, working_days
from gainshare.engines.demo.practices import practice_code
from gainshare.engines.demo.reference import england_band_shares, male_shares
from gainshare.engines.demo.services import SERVICE_LINES, ServiceLine, hospital_prices, rates_array, seasonality_array

_NATIONAL_STREAM = 7  # keeps the national streams apart from the federation's
_HEX = np.frombuffer(b"0123456789ABCDEF", dtype=np.uint8)
PATIENT_ID_LENGTH = 16


@dataclass(frozen=True, slots=True)
class NationalParameters:
    rows: int
    seed: int = 20240401
    practices: int = 6_300
    chunk_rows: int = 250_000  # 50M rows: about 260 MB peak RSS at 250k, 450 MB at 1M, same speed
    first_month: date = date(2023, 4, 1)
    months: int = 36
    median_list_size: float = 8_000.0
    list_size_sigma: float = 0.6
    net_price_uplift: float = 0.014

    def check(self) -> None:
        if self.rows < 0:
            raise ValueError(f"the number of rows must be zero or more, not {self.rows}")
        if self.chunk_rows < 1:
            raise ValueError(f"the chunk size must be at least 1 row, not {self.chunk_rows}")
        if self.seed < 0:
            raise ValueError(f"the seed must be zero or more, not {self.seed}")
        practice_code(self.practices - 1)  # raises when outside the synthetic block


@dataclass(frozen=True, slots=True)
class EpisodeBatch:
    """One chunk of episodes as columns; practices and lines are indices into the universe's tuples."""

    patient_id: NDArray[np.uint8]  # (rows, 16) ASCII hex digits
    practice: NDArray[np.int32]
    line: NDArray[np.int32]
    day: NDArray[np.int32]  # days since 1970-01-01
    cost_pence: NDArray[np.int64]

    def __len__(self) -> int:
        return int(self.practice.shape[0])


@dataclass(frozen=True, slots=True)
class NationalUniverse:
    """Everything the episodes are drawn from; small (kilobytes to a few megabytes)."""

    parameters: NationalParameters
    practice_codes: tuple[str, ...]
    lines: tuple[ServiceLine, ...]
    list_sizes: NDArray[np.int64]
    patient_offsets: NDArray[np.int64]  # first synthetic patient number of each practice
    practice_cumulative: NDArray[np.float64]
    line_month_cumulative: NDArray[np.float64]  # flattened (line, month)
    workdays: NDArray[np.int32]
    workday_offsets: NDArray[np.int64]
    prices: NDArray[np.int64]  # (practice, line, financial year), whole pence
    month_year: NDArray[np.int64]  # financial year index of each month
    key: np.uint64


def build_universe(parameters: NationalParameters) -> NationalUniverse:
    parameters.check()
    rng = np.random.default_rng(np.random.SeedSequence([parameters.seed, _NATIONAL_STREAM]))
    count = parameters.practices
    sizes = np.clip(
        np.rint(rng.lognormal(math.log(parameters.median_list_size), parameters.list_size_sigma, size=count)),
        1_000,
        80_000,
    ).astype(np.int64)
    propensity = sizes * rng.lognormal(0.0, 0.15, size=count)
    months = month_starts(parameters.first_month, parameters.months)
    years = financial_year_index(months)
    lines = SERVICE_LINES
    prices = hospital_prices(lines, int(years.max()) + 1, parameters.net_price_uplift).astype(np.float64)
    market_forces = np.clip(rng.lognormal(0.0, 0.05, size=count), 0.9, 1.25)
    days, offsets = working_days(months)
    return NationalUniverse(
        parameters=parameters,
        practice_codes=tuple(practice_code(index) for index in range(count)),
        lines=lines,
        list_sizes=sizes,
        patient_offsets=np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64),
        practice_cumulative=_cumulative(propensity),
        line_month_cumulative=_cumulative(_line_month_weights(lines, months).ravel()),
        workdays=days,
        workday_offsets=offsets,
        prices=np.floor(market_forces[:, None, None] * prices[None, :, :] + 0.5).astype(np.int64),
        month_year=years,
        key=np.uint64(rng.integers(0, 2**63, dtype=np.int64)),
    )


def _cumulative(weights: NDArray[np.float64]) -> NDArray[np.float64]:
    cumulative = np.cumsum(weights, dtype=np.float64)
    normalised: NDArray[np.float64] = cumulative / cumulative[-1]
    return normalised


def _line_month_weights(lines: tuple[ServiceLine, ...], months: tuple[date, ...]) -> NDArray[np.float64]:
    """Expected national activity per (line, month): England's age/sex mix x rates x season x growth."""
    england = england_band_shares()
    male = male_shares()
    population = np.stack([england * (1.0 - male), england * male])  # (2, B)
    per_head = np.einsum("lsb,sb->l", rates_array(lines), population)
    season = seasonality_array(lines)[:, month_of_year(months) - 1]
    growth = np.array([line.growth for line in lines])[:, None]
    trend = (1.0 + growth) ** (np.arange(len(months))[None, :] / 12.0)
    weights: NDArray[np.float64] = per_head[:, None] * season * trend
    return weights


def chunk_sizes(rows: int, chunk_rows: int) -> Iterator[int]:
    full, rest = divmod(rows, chunk_rows)
    yield from (chunk_rows for _ in range(full))
    if rest:
        yield rest


def episode_batches(universe: NationalUniverse) -> Iterator[EpisodeBatch]:
    """The episodes, one chunk at a time; only the current chunk is held."""
    parameters = universe.parameters
    for number, size in enumerate(chunk_sizes(parameters.rows, parameters.chunk_rows)):
        rng = np.random.default_rng(np.random.SeedSequence([parameters.seed, _NATIONAL_STREAM, number + 1]))
        yield episode_batch(universe, rng, size)


def episode_batch(universe: NationalUniverse, rng: np.random.Generator, size: int) -> EpisodeBatch:
    month_count = len(universe.month_year)
    cell = np.searchsorted(universe.line_month_cumulative, rng.random(size), side="right")
    cell = np.minimum(cell, universe.line_month_cumulative.shape[0] - 1)
    line, month = np.divmod(cell, month_count)
    practice = np.searchsorted(universe.practice_cumulative, rng.random(size), side="right")
    practice = np.minimum(practice, len(universe.practice_codes) - 1)
    sizes = universe.list_sizes[practice]
    # Heavy users: u**3 crowds activity onto the first patients; each line starts at a different patient.
    local = (np.floor(sizes * rng.random(size) ** 3).astype(np.int64) + line * (sizes // len(universe.lines))) % sizes
    patient = universe.patient_offsets[practice] + local
    first = universe.workday_offsets[month]
    span = universe.workday_offsets[month + 1] - first
    day = universe.workdays[first + np.floor(rng.random(size) * span).astype(np.int64)]
    cost = universe.prices[practice, line, universe.month_year[month]]
    return EpisodeBatch(
        patient_id=pseudonyms(patient, universe.key),
        practice=practice.astype(np.int32),
        line=line.astype(np.int32),
        day=day,
        cost_pence=cost,
    )


def pseudonyms(numbers: NDArray[np.int64], key: np.uint64) -> NDArray[np.uint8]:
    """16 uppercase hex digits per number: a keyed splitmix64 mix, one-to-one for a given key."""
    value = numbers.astype(np.uint64) ^ key
    value = value + np.uint64(0x9E3779B97F4A7C15)
    value = (value ^ (value >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    value = (value ^ (value >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    value = value ^ (value >> np.uint64(31))
    octets = value.astype(">u8").view(np.uint8).reshape(-1, 8)
    digits = np.empty((octets.shape[0], PATIENT_ID_LENGTH), dtype=np.uint8)
    digits[:, 0::2] = _HEX[octets >> 4]
    digits[:, 1::2] = _HEX[octets & 0xF]
    return digits
