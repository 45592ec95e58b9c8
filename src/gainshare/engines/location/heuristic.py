"""A fast p-median heuristic with a proven lower bound, for instances too large for the exact MILP.

1. Lagrangian relaxation of the assignment constraints (Cornuejols, Fisher and Nemhauser 1977; Beasley 1993):
   for multipliers lambda_i the relaxation splits by site, rho_j = sum_i min(0, w_i d_ij - lambda_i), and its value
   sum_i lambda_i + (the p smallest rho_j, pinned sites always included) is a lower bound on every layout.
   Subgradient steps (Polyak, with a halving step factor) raise the bound; each iteration's p sites are also a
   layout, whose cost is an upper bound.
2. Swap local search from the best of those layouts (vertex interchange, Teitz and Bart 1968), with every swap
   evaluated at once in O(n m) per step by the gain/loss/extra decomposition of Whitaker's fast interchange
   (Resende and Werneck 2003): profit(insert c, remove f) = gain(c) - loss(f) + extra(f, c).
3. A second round of subgradient steps, now with the better upper bound, to tighten the lower bound.

The gap (cost - bound) / cost is reported with the layout. Memory: one float32 copy of the travel matrix at most
(none when it is already float32 with nothing forbidden), and row chunks of CHUNK_ROWS for temporaries.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_array

from gainshare.engines.location.problem import (
    CHUNK_ROWS,
    LocationProblem,
    NoFeasibleLayoutError,
    Solution,
    nearest_open,
    objective_of,
)

# Travel for a pair that may not be used: far beyond any real distance or time, small enough that float32
# differences near it stay accurate to about 0.06.
FORBIDDEN = np.float32(1e6)
STALL_ITERATIONS = 12  # halve the step factor after this many iterations without a better bound
MIN_STEP_FACTOR = 1e-4

Float32 = NDArray[np.float32]
Indices = NDArray[np.intp]


@dataclass(frozen=True)
class _Work:
    travel: Float32  # n x m; forbidden pairs at FORBIDDEN
    weights: Float32
    pinned: NDArray[np.bool_]
    closed: NDArray[np.bool_]  # excluded sites
    p: int


@dataclass
class _Bounds:
    lower: float = -np.inf
    upper: float = np.inf
    best: Indices | None = None

    def gap(self) -> float:
        return (self.upper - self.lower) / self.upper if self.upper > 0 else 0.0


@dataclass(frozen=True)
class _Nearest:
    position: Indices  # index into the open sites of each practice's nearest
    d1: Float32  # travel to the nearest open site
    d2: Float32  # travel to the second nearest


def solve_heuristic(
    problem: LocationProblem,
    *,
    lagrangian_iterations: int = 400,
    max_swaps: int = 2000,
    tolerance: float = 1e-6,
) -> Solution:
    """A good layout for the uncapacitated p-median (pinned, excluded and maximum travel respected) and a lower
    bound on the best possible. Zero-demand practices do not shape the layout."""
    if problem.capacitated:
        raise ValueError("the heuristic solves the uncapacitated p-median; solve capacitated problems exactly")
    problem.check()
    work = _prepare(problem)
    bounds = _Bounds()
    free = work.p - int(work.pinned.sum())
    if free == 0:
        bounds.best = np.flatnonzero(work.pinned)
        iterations = 0
    elif work.p == 1:
        bounds.best, iterations = _single_site(work, bounds), 1
    else:
        multipliers = _initial_multipliers(work)
        multipliers, first = _lagrangian(work, bounds, multipliers, lagrangian_iterations, tolerance)
        assert bounds.best is not None
        best, swaps = _local_search(work, bounds.best, max_swaps, tolerance)
        cost = _cost(work, best)
        if cost < bounds.upper:
            bounds.upper, bounds.best = cost, best
        _, second = _lagrangian(work, bounds, multipliers, lagrangian_iterations // 4, tolerance)
        iterations = first + swaps + second
    return _solution(problem, bounds, iterations)


def _prepare(problem: LocationProblem) -> _Work:
    travel = problem.travel
    clean = travel.dtype == np.float32 and not problem.excluded and problem.max_travel is None
    if clean:
        clean = all(np.isfinite(travel[s : s + CHUNK_ROWS]).all() for s in range(0, problem.practices, CHUNK_ROWS))
    if not clean:
        copy = np.empty(travel.shape, dtype=np.float32)
        for start in range(0, problem.practices, CHUNK_ROWS):
            chunk = np.minimum(travel[start : start + CHUNK_ROWS], FORBIDDEN).astype(np.float32)
            chunk[~problem.allowed_rows(start, start + CHUNK_ROWS)] = FORBIDDEN
            copy[start : start + CHUNK_ROWS] = chunk
        travel = copy
    pinned = np.zeros(problem.sites, dtype=bool)
    pinned[list(problem.pinned)] = True
    return _Work(travel, problem.weights.astype(np.float32), pinned, ~problem.open_mask(), problem.p)


def _chunks(work: _Work) -> range:
    return range(0, work.travel.shape[0], CHUNK_ROWS)


def _single_site(work: _Work, bounds: _Bounds) -> Indices:
    """p = 1: every site's total cost, and the cheapest is optimal."""
    totals = np.zeros(work.travel.shape[1])
    for s in _chunks(work):
        weights = work.weights[s : s + CHUNK_ROWS, None].astype(np.float64)
        totals += (work.travel[s : s + CHUNK_ROWS].astype(np.float64) * weights).sum(axis=0)
    totals[work.closed] = np.inf
    best = np.array([int(np.argmin(totals))], dtype=np.intp)
    bounds.upper = bounds.lower = float(totals[best[0]])
    return best


def _initial_multipliers(work: _Work) -> NDArray[np.float64]:
    """lambda_i = the practice's cheapest weighted travel: the bound starts at sum_i min_j w_i d_ij."""
    result = np.empty(work.travel.shape[0])
    for s in _chunks(work):
        weighted = work.travel[s : s + CHUNK_ROWS] * work.weights[s : s + CHUNK_ROWS, None]
        result[s : s + CHUNK_ROWS] = weighted.min(axis=1)
    return result


def _lagrangian(
    work: _Work, bounds: _Bounds, multipliers: NDArray[np.float64], iterations: int, tolerance: float
) -> tuple[NDArray[np.float64], int]:
    step_factor, stall = 2.0, 0
    for iteration in range(1, iterations + 1):
        rho = _rho(work, multipliers)
        chosen = _choose(work, rho)
        value = float(multipliers.sum() + rho[chosen].sum())
        if value > bounds.lower:
            bounds.lower, stall = value, 0
        else:
            stall += 1
            if stall >= STALL_ITERATIONS:
                step_factor, stall = step_factor / 2, 0
        weighted = work.travel[:, chosen] * work.weights[:, None]
        cost = float(weighted.min(axis=1).sum(dtype=np.float64))
        if cost < bounds.upper:
            bounds.upper, bounds.best = cost, chosen
        subgradient = 1.0 - (weighted < multipliers[:, None]).sum(axis=1)
        norm = float(subgradient @ subgradient)
        if norm == 0 or bounds.gap() <= tolerance or step_factor < MIN_STEP_FACTOR:
            return multipliers, iteration
        multipliers = multipliers + step_factor * (bounds.upper - value) / norm * subgradient
    return multipliers, iterations


def _rho(work: _Work, multipliers: NDArray[np.float64]) -> NDArray[np.float64]:
    rho = np.zeros(work.travel.shape[1])
    low = multipliers.astype(np.float32)
    for s in _chunks(work):
        chunk = work.travel[s : s + CHUNK_ROWS] * work.weights[s : s + CHUNK_ROWS, None]
        chunk -= low[s : s + CHUNK_ROWS, None]
        np.minimum(chunk, 0.0, out=chunk)
        rho += chunk.sum(axis=0, dtype=np.float64)
    return rho


def _choose(work: _Work, rho: NDArray[np.float64]) -> Indices:
    """The pinned sites and the free ones with the smallest rho, p in all."""
    pinned = np.flatnonzero(work.pinned)
    need = work.p - len(pinned)
    scores = np.where(work.closed | work.pinned, np.inf, rho)
    free = np.argpartition(scores, need - 1)[:need] if need > 0 else np.empty(0, dtype=np.intp)
    return np.sort(np.concatenate([pinned, free])).astype(np.intp)


def _cost(work: _Work, sites: Indices) -> float:
    weighted = work.travel[:, sites] * work.weights[:, None]
    return float(weighted.min(axis=1).sum(dtype=np.float64))


def _nearest_two(work: _Work, sites: Indices) -> _Nearest:
    sub = work.travel[:, sites]
    two = np.argpartition(sub, 1, axis=1)[:, :2]
    rows = np.arange(sub.shape[0])
    first, second = sub[rows, two[:, 0]], sub[rows, two[:, 1]]
    swap = second < first
    position = np.where(swap, two[:, 1], two[:, 0]).astype(np.intp)
    return _Nearest(position, np.minimum(first, second), np.maximum(first, second))


def _local_search(work: _Work, start: Indices, max_swaps: int, tolerance: float) -> tuple[Indices, int]:
    """Best-improvement swaps until none improves the cost by more than tolerance (relative)."""
    current = np.array(start, dtype=np.intp)
    fixed = work.pinned[current]
    for swap in range(max_swaps):
        near = _nearest_two(work, current)
        profit = _swap_profits(work, current, near)
        profit[fixed, :] = -np.inf
        remove, insert = np.unravel_index(int(np.argmax(profit)), profit.shape)
        cost = float(np.dot(work.weights.astype(np.float64), near.d1))
        if not profit[remove, insert] > tolerance * max(cost, 1e-12):
            return np.sort(current), swap
        current[remove] = insert
    return np.sort(current), max_swaps


def _swap_profits(work: _Work, current: Indices, near: _Nearest) -> NDArray[np.float64]:
    """profit[f, c]: how much the cost falls when open site current[f] closes and site c opens."""
    p, m = len(current), work.travel.shape[1]
    gain = np.zeros(m)
    extra = np.zeros((p, m))
    for s in _chunks(work):
        stop = min(s + CHUNK_ROWS, work.travel.shape[0])
        travel = work.travel[s:stop]
        weights = work.weights[s:stop, None]
        d1, d2 = near.d1[s:stop, None], near.d2[s:stop, None]
        gain += (np.maximum(d1 - travel, 0.0) * weights).sum(axis=0, dtype=np.float64)
        better = d2 - np.maximum(travel, d1)
        np.maximum(better, 0.0, out=better)
        better *= weights
        owners = csr_array(
            (np.ones(stop - s, dtype=np.float32), (near.position[s:stop], np.arange(stop - s))), shape=(p, stop - s)
        )
        extra += owners @ better
    loss = np.bincount(near.position, weights=(work.weights * (near.d2 - near.d1)).astype(np.float64), minlength=p)
    profit = gain[None, :] - loss[:, None] + extra
    profit[:, current] = -np.inf
    profit[:, work.closed] = -np.inf
    return profit


def _solution(problem: LocationProblem, bounds: _Bounds, iterations: int) -> Solution:
    assert bounds.best is not None
    open_sites = tuple(int(j) for j in np.sort(bounds.best))
    assignment = nearest_open(problem, open_sites)
    missing = np.flatnonzero(assignment < 0)
    if len(missing):
        raise NoFeasibleLayoutError("the heuristic found no layout that keeps every practice within reach", missing)
    objective = objective_of(problem, assignment)
    lower = min(bounds.lower, objective)
    optimal = objective - lower <= 1e-9 * max(objective, 1.0)
    return Solution(open_sites, assignment, objective, lower, optimal, "heuristic", iterations)
