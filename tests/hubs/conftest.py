"""Seeded random instances and brute-force references for the location models."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from numpy.typing import NDArray

from gainshare.engines.location.distance import haversine_matrix
from gainshare.engines.location.problem import LocationProblem


def instance(seed: int, n: int, m: int, p: int, **kwargs: object) -> LocationProblem:
    """n practices scattered over about 60 x 60 km of northern England; the first m are the candidate sites."""
    rng = np.random.default_rng(seed)
    lat = rng.uniform(53.6, 54.15, n)
    lon = rng.uniform(-3.1, -2.2, n)
    travel = haversine_matrix(lat, lon, lat[:m], lon[:m], scale=1.3)
    weights = rng.integers(1, 400, n)
    return LocationProblem(travel, weights, p, **kwargs)  # type: ignore[arg-type]


def brute_force(problem: LocationProblem) -> tuple[float, tuple[int, ...]]:
    """The best objective over every p-subset of sites (and, when capacitated, every assignment)."""
    best, best_sites = np.inf, ()
    allowed = problem.allowed_rows(0, problem.practices)
    travel = np.where(allowed, problem.travel.astype(np.float64), np.inf)
    weights = problem.weights.astype(np.float64)
    for sites in itertools.combinations(range(problem.sites), problem.p):
        if not problem.pinned <= set(sites) or problem.excluded & set(sites):
            continue
        cost = (
            _capacitated(problem, travel, weights, sites) if problem.capacitated else _nearest(travel, weights, sites)
        )
        if cost < best:
            best, best_sites = cost, sites
    return float(best), best_sites


def _nearest(travel: NDArray[np.float64], weights: NDArray[np.float64], sites: tuple[int, ...]) -> float:
    return float(np.dot(weights, travel[:, list(sites)].min(axis=1)))


def _capacitated(
    problem: LocationProblem, travel: NDArray[np.float64], weights: NDArray[np.float64], sites: tuple[int, ...]
) -> float:
    assert problem.capacities is not None
    best = np.inf
    for choice in itertools.product(sites, repeat=problem.practices):
        loads = dict.fromkeys(sites, 0.0)
        for i, j in enumerate(choice):
            loads[j] += weights[i]
        if any(loads[j] > problem.capacities[j] for j in sites):
            continue
        best = min(best, float(sum(weights[i] * travel[i, j] for i, j in enumerate(choice))))
    return best


@pytest.fixture
def make_instance() -> object:
    return instance
