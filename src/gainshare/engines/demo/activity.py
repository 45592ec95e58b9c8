"""Monthly hospital and hub activity per practice and service line.

Expected demand = patients in each age/sex band x the line's yearly rate per 1,000 / 12, times seasonality and
growth. Then practice-level variation (a practice effect and a practice-by-line effect, both lognormal), a few
planted outliers, negative binomial noise (gamma-Poisson), and from the scheme start a ramped shift of a share
of activity from hospital to the federation's hubs (binomial), with a little supply-induced hub demand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
from numpy.typing import NDArray

from gainshare.engines.demo.calendar import financial_year_index, month_of_year
from gainshare.engines.demo.practices import Practice, distances_km
from gainshare.engines.demo.services import ServiceLine, hospital_prices, rates_array, seasonality_array

MIN_OUTLIER_LIST_SIZE = 5_000  # outliers are planted where a rate can be told from noise


@dataclass(frozen=True, slots=True)
class PlantedOutlier:
    """A practice whose rate for one service line was multiplied by `factor` (recorded for later tests)."""

    practice_code: str
    service_line: str
    factor: float
    direction: str  # "high" or "low"


@dataclass(frozen=True, slots=True)
class ActivityParameters:
    scheme_start_index: int = 12  # month index from which activity starts moving to hubs
    practice_sd: float = 0.10  # lognormal sd of a practice's overall referral propensity
    practice_line_sd: float = 0.08  # lognormal sd of a practice's propensity per service line
    high_outliers: int = 3
    low_outliers: int = 1
    high_factor_range: tuple[float, float] = (1.7, 2.4)
    low_factor: float = 0.45
    hubs: int = 4
    price_uplift: float = 0.025  # yearly hospital price uplift ...
    efficiency: float = 0.011  # ... less this efficiency factor (the agreement states both)


@dataclass(frozen=True, slots=True)
class Activity:
    """Arrays indexed (practice, service line, month) unless stated."""

    expected: NDArray[np.float64]  # demand expected from the age/sex mix, season and growth alone
    demand: NDArray[np.int64]  # all activity, before any shift
    hospital: NDArray[np.int64]
    hub: NDArray[np.int64]
    hospital_cost_pence: NDArray[np.int64]
    hub_cost_pence: NDArray[np.int64]
    hospital_prices_pence: NDArray[np.int64]  # (line, financial year)
    hub_prices_pence: NDArray[np.int64]  # (line,)
    hub_share: NDArray[np.float64]  # target share moved to hubs
    hub_hosts: tuple[int, ...]  # practice indices hosting a hub
    hub_of: NDArray[np.int64]  # (practice,): index of the practice hosting its hub
    outliers: tuple[PlantedOutlier, ...]


def expected_demand(
    counts: NDArray[np.int64], lines: tuple[ServiceLine, ...], months: tuple[date, ...]
) -> NDArray[np.float64]:
    """Expected monthly activity, shape (P, L, M), from band counts (P, M, 2, B)."""
    monthly = np.einsum("pmsb,lsb->plm", counts.astype(np.float64), rates_array(lines)) / 12_000.0
    season = seasonality_array(lines)[:, month_of_year(months) - 1]
    growth = np.array([line.growth for line in lines])[:, None]
    trend = (1.0 + growth) ** (np.arange(len(months), dtype=np.float64)[None, :] / 12.0)
    result: NDArray[np.float64] = monthly * (season * trend)[None, :, :]
    return result


def plant_outliers(
    rng: np.random.Generator,
    practices: tuple[Practice, ...],
    lines: tuple[ServiceLine, ...],
    parameters: ActivityParameters,
) -> tuple[NDArray[np.float64], tuple[PlantedOutlier, ...]]:
    """Multipliers (P, L), 1 except at the planted outliers, and the record of what was planted."""
    factors = np.ones((len(practices), len(lines)), dtype=np.float64)
    wanted = parameters.high_outliers + parameters.low_outliers
    candidates = np.array([i for i, p in enumerate(practices) if p.list_size >= MIN_OUTLIER_LIST_SIZE])
    if wanted == 0 or len(candidates) < wanted or len(lines) < wanted:
        return factors, ()
    chosen = rng.choice(candidates, size=wanted, replace=False)
    line_choice = rng.choice(len(lines), size=wanted, replace=False)
    low, high = parameters.high_factor_range
    records: list[PlantedOutlier] = []
    for rank, (practice, line) in enumerate(zip(chosen, line_choice, strict=True)):
        is_high = rank < parameters.high_outliers
        factor = round(float(rng.uniform(low, high)), 2) if is_high else parameters.low_factor
        factors[practice, line] = factor
        records.append(PlantedOutlier(practices[practice].code, lines[line].id, factor, "high" if is_high else "low"))
    return factors, tuple(records)


def negative_binomial(
    rng: np.random.Generator, mean: NDArray[np.float64], shape: NDArray[np.float64]
) -> NDArray[np.int64]:
    """Counts with the given means, overdispersed: Poisson with a gamma-distributed rate (variance m + m^2/k)."""
    rate = mean * rng.gamma(shape, 1.0 / shape, size=mean.shape)
    return rng.poisson(rate).astype(np.int64)


def ramp(months: int, start: int, ramp_months: int) -> NDArray[np.float64]:
    """0 before `start`, then rising linearly to 1 over `ramp_months` months (1/ramp in the first month)."""
    since = np.arange(months, dtype=np.float64) - start + 1
    return np.clip(since / max(ramp_months, 1), 0.0, 1.0)


def hub_shares(
    rng: np.random.Generator, practice_count: int, lines: tuple[ServiceLine, ...], months: int, start: int
) -> NDArray[np.float64]:
    """Share of each practice's activity moved to hubs, shape (P, L, M); practices differ in uptake."""
    uptake = rng.beta(8.0, 3.0, size=(practice_count, 1))
    shares = np.stack([line.max_shift * ramp(months, start, line.ramp_months) for line in lines])
    return np.clip(uptake[:, :, None] * shares[None, :, :], 0.0, 1.0)


def choose_hubs(practices: tuple[Practice, ...], count: int) -> tuple[tuple[int, ...], NDArray[np.int64]]:
    """Hub hosts spread across the area (farthest-point among the larger half), and each practice's nearest hub."""
    latitudes = np.array([p.latitude for p in practices])
    longitudes = np.array([p.longitude for p in practices])
    distance = distances_km(latitudes, longitudes)
    sizes = np.array([p.list_size for p in practices])
    eligible = np.flatnonzero(sizes >= np.median(sizes))
    hosts = [int(eligible[np.argmax(sizes[eligible])])]
    while len(hosts) < min(count, len(eligible)):
        nearest = distance[np.ix_(eligible, np.asarray(hosts, dtype=np.int64))].min(axis=1)
        hosts.append(int(eligible[np.argmax(nearest)]))
    hub_of = np.array(hosts, dtype=np.int64)[np.argmin(distance[:, hosts], axis=1)]
    return tuple(hosts), hub_of


def generate_activity(
    rng: np.random.Generator,
    practices: tuple[Practice, ...],
    counts: NDArray[np.int64],
    lines: tuple[ServiceLine, ...],
    months: tuple[date, ...],
    parameters: ActivityParameters,
) -> Activity:
    expected = expected_demand(counts, lines, months)
    effects = rng.lognormal(0.0, parameters.practice_sd, size=(len(practices), 1)) * rng.lognormal(
        0.0, parameters.practice_line_sd, size=(len(practices), len(lines))
    )
    outlier_factors, outliers = plant_outliers(rng, practices, lines, parameters)
    mean = expected * (effects * outlier_factors)[:, :, None]
    shape = np.broadcast_to(np.array([line.dispersion for line in lines], dtype=np.float64)[None, :, None], mean.shape)
    demand = negative_binomial(rng, mean, shape)
    share = hub_shares(rng, len(practices), lines, len(months), parameters.scheme_start_index)
    shifted = rng.binomial(demand, share).astype(np.int64)
    induced = np.array([line.induced for line in lines])[None, :, None]
    hub = shifted + rng.poisson(shifted * induced).astype(np.int64)
    hospital = demand - shifted
    years = financial_year_index(months)
    prices = hospital_prices(lines, int(years.max()) + 1, parameters.price_uplift - parameters.efficiency)
    hub_prices = np.array([line.hub_price_pence for line in lines], dtype=np.int64)
    hosts, hub_of = choose_hubs(practices, parameters.hubs)
    return Activity(
        expected=expected,
        demand=demand,
        hospital=hospital,
        hub=hub,
        hospital_cost_pence=hospital * prices[:, years][None, :, :],
        hub_cost_pence=hub * hub_prices[None, :, None],
        hospital_prices_pence=prices,
        hub_prices_pence=hub_prices,
        hub_share=share,
        hub_hosts=hosts,
        hub_of=hub_of,
        outliers=outliers,
    )
