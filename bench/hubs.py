"""Hub location benchmarks: the exact MILP (HiGHS) at federation scale and the heuristic at England scale.

    .venv/bin/python bench/hubs.py [--practices 7000] [--candidates 7000] [--hubs 200]

1. Exact, 100 practices x 30 candidate sites, p = 5: uncapacitated and capacitated (single sourcing); the
   heuristic on the same instance, with its ratio to the exact optimum.
2. Heuristic, England scale: 7,000 practices x 7,000 candidate sites (every practice a candidate), p = 200, on
   coordinates generated in England's bounding box (the practice list has postcodes but no coordinates). The
   travel matrix is float32 (196 MB) built in row chunks; the bound comes from the Lagrangian relaxation.
Time, objective, lower bound, gap and peak memory are printed. Targets: exact under 10 s; England under 120 s.
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np

from gainshare.engines.location.distance import haversine_matrix
from gainshare.engines.location.exact import solve_exact
from gainshare.engines.location.heuristic import solve_heuristic
from gainshare.engines.location.problem import LocationProblem, Solution

ENGLAND_LAT = (50.0, 55.8)
ENGLAND_LON = (-5.7, 1.8)
CIRCUITY = 1.3


def _points(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    return rng.uniform(*ENGLAND_LAT, n), rng.uniform(*ENGLAND_LON, n)


def _report(label: str, solution: Solution, seconds: float) -> None:
    print(
        f"{label:<44} {seconds:8.2f} s  objective {solution.objective:16,.1f}  bound {solution.lower_bound:16,.1f}"
        f"  gap {solution.gap:7.3%}  {'optimal' if solution.proven_optimal else ''}"
    )


def _timed(label: str, solve: object, problem: LocationProblem) -> Solution:
    start = time.perf_counter()
    solution = solve(problem)  # type: ignore[operator]
    _report(label, solution, time.perf_counter() - start)
    return solution


def federation(seed: int) -> None:
    rng = np.random.default_rng(seed)
    lat, lon = rng.uniform(53.7, 54.2, 100), rng.uniform(-3.1, -2.5, 100)
    travel = haversine_matrix(lat, lon, lat[:30], lon[:30], scale=CIRCUITY)
    weights = rng.integers(20, 600, 100)
    problem = LocationProblem(travel, weights, 5)
    exact = _timed("exact p-median 100 x 30, p=5", solve_exact, problem)
    heuristic = _timed("heuristic p-median 100 x 30, p=5", solve_heuristic, problem)
    print(f"{'':<44} heuristic / exact = {heuristic.objective / exact.objective:.5f}")
    capacities = np.full(30, float(weights.sum()) / 5 * 1.1)
    _timed(
        "exact capacitated 100 x 30, p=5 (110% cap)",
        solve_exact,
        LocationProblem(travel, weights, 5, capacities=capacities),
    )


def england(seed: int, practices: int, candidates: int, hubs: int) -> None:
    rng = np.random.default_rng(seed)
    lat, lon = _points(rng, practices)
    start = time.perf_counter()
    travel = haversine_matrix(lat, lon, lat[:candidates], lon[:candidates], scale=CIRCUITY)
    print(f"{'travel matrix ' + f'{practices:,} x {candidates:,} float32':<44} {time.perf_counter() - start:8.2f} s"
          f"  {travel.nbytes / 1e6:,.0f} MB")  # fmt: skip
    weights = rng.integers(20, 2_000, practices)
    _timed(
        f"heuristic {practices:,} x {candidates:,}, p={hubs}", solve_heuristic, LocationProblem(travel, weights, hubs)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--practices", type=int, default=7_000)
    parser.add_argument("--candidates", type=int, default=7_000)
    parser.add_argument("--hubs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20240401)
    arguments = parser.parse_args()
    federation(arguments.seed)
    england(arguments.seed, arguments.practices, arguments.candidates, arguments.hubs)
    print(f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")


if __name__ == "__main__":
    main()
