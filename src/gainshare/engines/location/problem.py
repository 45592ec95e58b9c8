"""A location problem on indices (practices are rows, candidate sites are columns) and its solution."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from gainshare.domain.errors import GainshareError

Matrix = NDArray[np.floating[Any]]
CHUNK_ROWS = 1024  # rows of the travel matrix worked on at once: temporaries stay small at 7,000 x 7,000


class NoFeasibleLayoutError(GainshareError):
    """No choice of sites meets the constraints (number of hubs, pinned sites, capacity, maximum travel)."""

    def __init__(self, message: str, practices: Collection[int] = ()) -> None:
        super().__init__(message)
        self.practices = tuple(sorted(practices))  # rows that no allowed site can serve, when that is the reason


@dataclass(frozen=True)
class LocationProblem:
    """Choose p of the m sites and assign each of the n practices to one open site, minimising the sum of
    demand x travel.

    travel: n x m, np.inf where a site cannot be reached; weights: demand per practice (whole items);
    capacities: per site, the most items it can take (np.inf: no limit), or None for the uncapacitated p-median.
    A practice may only be assigned to a site within max_travel (when given) that is not excluded.
    """

    travel: Matrix
    weights: NDArray[np.int64]
    p: int
    pinned: frozenset[int] = frozenset()
    excluded: frozenset[int] = frozenset()
    max_travel: float | None = None
    capacities: NDArray[np.float64] | None = None
    _shape: tuple[int, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.travel.ndim != 2:
            raise ValueError("travel must be a practices x sites matrix")
        n, m = self.travel.shape
        object.__setattr__(self, "_shape", (n, m))
        if self.weights.shape != (n,):
            raise ValueError(f"expected {n} weights, one per practice")
        if np.any(self.weights < 0):
            raise ValueError("demand must be zero or more")
        if self.capacities is not None and self.capacities.shape != (m,):
            raise ValueError(f"expected {m} capacities, one per site")
        if any(not 0 <= j < m for j in self.pinned | self.excluded):
            raise ValueError("pinned and excluded sites must be columns of the travel matrix")
        if self.pinned & self.excluded:
            raise ValueError("a site cannot be both pinned and excluded")
        if not 1 <= self.p <= m:
            raise ValueError(f"the number of hubs must be 1 to {m}, not {self.p}")

    @property
    def practices(self) -> int:
        return self._shape[0]

    @property
    def sites(self) -> int:
        return self._shape[1]

    @property
    def capacitated(self) -> bool:
        return self.capacities is not None and bool(np.isfinite(self.capacities).any())

    def open_mask(self) -> NDArray[np.bool_]:
        """Sites that may be opened."""
        mask = np.ones(self.sites, dtype=bool)
        mask[list(self.excluded)] = False
        return mask

    def allowed_rows(self, start: int, stop: int) -> NDArray[np.bool_]:
        """Which (practice, site) pairs of rows start:stop may be used: reachable, within max travel, not
        excluded."""
        chunk = self.travel[start:stop]
        allowed = np.isfinite(chunk)
        if self.max_travel is not None:
            allowed &= chunk <= self.max_travel
        allowed &= self.open_mask()[None, :]
        return allowed

    def check(self) -> None:
        """Raise NoFeasibleLayoutError for the plain reasons, naming the practices no allowed site can serve."""
        free = int(self.open_mask().sum())
        if len(self.pinned) > self.p:
            raise NoFeasibleLayoutError(f"{len(self.pinned)} sites are pinned but only {self.p} hubs are wanted")
        if free < self.p:
            raise NoFeasibleLayoutError(f"{self.p} hubs are wanted but only {free} sites may be opened")
        unreachable = [
            start + int(row)
            for start in range(0, self.practices, CHUNK_ROWS)
            for row in np.flatnonzero(~self.allowed_rows(start, start + CHUNK_ROWS).any(axis=1))
        ]
        if unreachable:
            raise NoFeasibleLayoutError("some practices have no site within reach", unreachable)
        if self.capacities is not None:
            best = np.sort(np.where(self.open_mask(), self.capacities, 0.0))[::-1][: self.p].sum()
            if best < float(self.weights.sum()):
                raise NoFeasibleLayoutError(
                    f"the {self.p} largest sites can see {best:,.0f} items, less than the demand of "
                    f"{int(self.weights.sum()):,}"
                )


@dataclass(frozen=True)
class Solution:
    open_sites: tuple[int, ...]  # sorted column indices
    assignment: NDArray[np.intp]  # practice row -> site column
    objective: float  # sum of weight x travel, in float64
    lower_bound: float
    proven_optimal: bool
    method: str  # "exact" or "heuristic"
    iterations: int = 0

    @property
    def gap(self) -> float:
        if self.objective <= 0:
            return 0.0
        return max(0.0, (self.objective - self.lower_bound) / self.objective)


def objective_of(problem: LocationProblem, assignment: NDArray[np.intp]) -> float:
    rows = np.arange(problem.practices)
    travel = problem.travel[rows, assignment].astype(np.float64)
    return float(np.dot(problem.weights.astype(np.float64), travel))


def nearest_open(problem: LocationProblem, open_sites: Collection[int]) -> NDArray[np.intp]:
    """Each practice's nearest open site among the allowed ones (-1 when none is allowed)."""
    columns = np.array(sorted(open_sites), dtype=np.intp)
    result = np.empty(problem.practices, dtype=np.intp)
    for start in range(0, problem.practices, CHUNK_ROWS):
        stop = min(start + CHUNK_ROWS, problem.practices)
        chunk = problem.travel[start:stop][:, columns].astype(np.float64)
        allowed = problem.allowed_rows(start, stop)[:, columns]
        chunk = np.where(allowed, chunk, np.inf)
        best = np.argmin(chunk, axis=1)
        result[start:stop] = np.where(np.isfinite(chunk[np.arange(stop - start), best]), columns[best], -1)
    return result
