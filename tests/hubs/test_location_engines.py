"""The exact MILP against brute force; the heuristic against the exact optimum; haversine against known values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gainshare.engines.location.distance import EARTH_RADIUS_KM, haversine_km, haversine_matrix
from gainshare.engines.location.exact import solve_exact
from gainshare.engines.location.heuristic import solve_heuristic
from gainshare.engines.location.problem import LocationProblem, NoFeasibleLayoutError, objective_of
from tests.hubs.conftest import brute_force, instance

REL = 1e-6


@pytest.mark.parametrize(("seed", "n", "m", "p"), [(1, 12, 8, 2), (2, 15, 9, 3), (3, 20, 10, 4), (4, 10, 10, 5)])
def test_exact_p_median_is_optimal_against_every_subset(seed: int, n: int, m: int, p: int) -> None:
    problem = instance(seed, n, m, p)
    best, _ = brute_force(problem)
    solution = solve_exact(problem)
    assert solution.proven_optimal
    assert solution.objective == pytest.approx(best, rel=REL)
    assert objective_of(problem, solution.assignment) == pytest.approx(solution.objective)
    assert len(solution.open_sites) == p
    assert set(solution.assignment) <= set(solution.open_sites)


@pytest.mark.parametrize(("seed", "slack"), [(5, 1.05), (6, 1.2), (7, 1.5)])
def test_capacitated_is_optimal_against_every_subset_and_assignment(seed: int, slack: float) -> None:
    base = instance(seed, 8, 5, 2)
    capacity = float(base.weights.sum()) / 2 * slack
    problem = LocationProblem(base.travel, base.weights, 2, capacities=np.full(5, capacity))
    best, _ = brute_force(problem)
    solution = solve_exact(problem)
    assert solution.objective == pytest.approx(best, rel=REL)
    loads = np.bincount(solution.assignment, weights=problem.weights, minlength=5)
    assert np.all(loads <= capacity + 1e-9)
    uncapacitated = solve_exact(LocationProblem(base.travel, base.weights, 2))
    assert solution.objective >= uncapacitated.objective - 1e-6


def test_capacity_changes_the_answer_when_it_binds() -> None:
    base = instance(8, 8, 5, 2)
    free = solve_exact(LocationProblem(base.travel, base.weights, 2))
    loads = np.bincount(free.assignment, weights=base.weights, minlength=5)
    tight = float(loads.max()) - 1  # the busiest hub of the free layout can no longer take its load
    capacitated = LocationProblem(base.travel, base.weights, 2, capacities=np.full(5, tight))
    solution = solve_exact(capacitated)
    assert solution.objective > free.objective
    assert solution.objective == pytest.approx(brute_force(capacitated)[0], rel=REL)


def test_pinned_excluded_and_max_travel_are_respected_and_still_optimal() -> None:
    base = instance(9, 14, 8, 3)
    free = solve_exact(base)
    pinned = next(j for j in range(8) if j not in free.open_sites)
    excluded = free.open_sites[0]
    limit = float(np.sort(base.travel, axis=1)[:, 1].max()) * 1.05  # every practice keeps two sites in reach
    problem = LocationProblem(
        base.travel, base.weights, 3, pinned=frozenset({pinned}), excluded=frozenset({excluded}), max_travel=limit
    )
    solution = solve_exact(problem)
    assert pinned in solution.open_sites
    assert excluded not in solution.open_sites
    travelled = problem.travel[np.arange(14), solution.assignment]
    assert travelled.max() <= limit
    assert solution.objective == pytest.approx(brute_force(problem)[0], rel=REL)
    heuristic = solve_heuristic(problem)
    assert pinned in heuristic.open_sites
    assert excluded not in heuristic.open_sites
    assert problem.travel[np.arange(14), heuristic.assignment].max() <= limit


def test_unreachable_practices_are_named() -> None:
    base = instance(10, 10, 5, 2)
    limit = 0.5  # km: only practices that are themselves candidate sites are within reach
    with pytest.raises(NoFeasibleLayoutError) as error:
        solve_exact(LocationProblem(base.travel, base.weights, 2, max_travel=limit))
    assert set(error.value.practices) == set(range(5, 10))


def test_too_little_capacity_is_refused() -> None:
    base = instance(11, 10, 5, 2)
    with pytest.raises(NoFeasibleLayoutError, match="less than the demand"):
        solve_exact(LocationProblem(base.travel, base.weights, 2, capacities=np.full(5, 1.0)))


@pytest.mark.parametrize(
    ("seed", "n", "m", "p"), [(21, 40, 20, 3), (22, 80, 40, 6), (23, 150, 60, 10), (24, 200, 80, 12)]
)
def test_heuristic_is_within_two_percent_of_the_exact_optimum(seed: int, n: int, m: int, p: int) -> None:
    problem = instance(seed, n, m, p)
    exact = solve_exact(problem)
    heuristic = solve_heuristic(problem)
    assert heuristic.objective <= exact.objective * 1.02
    assert heuristic.objective >= exact.objective * (1 - REL)
    assert heuristic.lower_bound <= exact.objective * (1 + REL)  # a true lower bound
    assert heuristic.gap == pytest.approx((heuristic.objective - heuristic.lower_bound) / heuristic.objective)


def test_heuristic_with_one_hub_is_the_best_single_site() -> None:
    problem = instance(25, 30, 12, 1)
    solution = solve_heuristic(problem)
    assert solution.proven_optimal
    assert solution.objective == pytest.approx(brute_force(problem)[0], rel=REL)


def test_haversine_matches_known_distances() -> None:
    one_degree = 2 * math.pi * EARTH_RADIUS_KM / 360
    assert haversine_km(0.0, 0.0, 1.0, 0.0) == pytest.approx(one_degree, rel=1e-9)
    assert haversine_km(0.0, 0.0, 0.0, 1.0) == pytest.approx(one_degree, rel=1e-9)
    assert haversine_km(0.0, 0.0, 0.0, 180.0) == pytest.approx(math.pi * EARTH_RADIUS_KM, rel=1e-9)
    # London (Charing Cross) to Paris (Notre-Dame): about 343 to 344 km on the sphere.
    assert haversine_km(51.5074, -0.1278, 48.8530, 2.3499) == pytest.approx(343.5, abs=1.5)
    # Land's End to John o' Groats: about 970 km as the crow flies.
    assert haversine_km(50.0657, -5.7132, 58.6373, -3.0689) == pytest.approx(970, abs=10)


def test_matrix_is_float32_scaled_and_symmetric() -> None:
    lat, lon = np.array([53.8, 54.0, 52.5]), np.array([-1.5, -2.8, -1.9])
    matrix = haversine_matrix(lat, lon, lat, lon, scale=1.3)
    assert matrix.dtype == np.float32
    assert np.allclose(matrix, matrix.T)
    assert matrix[0, 1] == pytest.approx(1.3 * haversine_km(53.8, -1.5, 54.0, -2.8), rel=1e-6)
