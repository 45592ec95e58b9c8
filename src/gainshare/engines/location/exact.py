"""The p-median and capacitated p-median as mixed-integer programmes, solved exactly by HiGHS (scipy.optimize.milp).

Variables: y_j = 1 when site j opens; x_ij = 1 when practice i is assigned to site j, created only for allowed
pairs (reachable, within the maximum travel, site not excluded). Constraints:

- each practice assigned once: sum_j x_ij = 1
- only to an open site: x_ij <= y_j (the strong form; its LP relaxation is tight for most p-median instances)
- p sites open: sum_j y_j = p; pinned sites have y_j = 1, excluded sites have no variables at all
- capacitated: sum_i w_i x_ij <= C_j y_j, and x binary (each practice refers to one hub: single sourcing)

Without capacities x may be continuous: for any integral y the assignment LP has an integral optimum (each
practice to its nearest open site), which is what the solution reports.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array, csr_array

from gainshare.engines.location.problem import (
    CHUNK_ROWS,
    LocationProblem,
    NoFeasibleLayoutError,
    Solution,
    nearest_open,
    objective_of,
)

STATUS_OPTIMAL = 0
STATUS_LIMIT = 1
STATUS_INFEASIBLE = 2


def solve_exact(problem: LocationProblem, *, time_limit: float | None = None, mip_rel_gap: float = 0.0) -> Solution:
    """The optimal layout (or, if time_limit stops HiGHS first, its best layout with the bound it proved)."""
    problem.check()
    rows, cols = _allowed_pairs(problem)
    n, m, k = problem.practices, problem.sites, len(rows)
    weights = problem.weights.astype(np.float64)
    cost = np.concatenate([weights[rows] * problem.travel[rows, cols].astype(np.float64), np.zeros(m)])
    constraints = _constraints(problem, rows, cols)
    lower = np.zeros(k + m)
    upper = np.ones(k + m)
    lower[k + np.array(sorted(problem.pinned), dtype=np.intp)] = 1.0
    upper[k + np.array(sorted(problem.excluded), dtype=np.intp)] = 0.0
    integrality = np.concatenate([np.full(k, 1 if problem.capacitated else 0), np.ones(m)])
    bounds = Bounds(lower, upper)
    if time_limit is None:
        result = milp(cost, integrality=integrality, bounds=bounds, constraints=constraints,
                      options={"mip_rel_gap": mip_rel_gap, "disp": False})  # fmt: skip
    else:
        result = milp(cost, integrality=integrality, bounds=bounds, constraints=constraints,
                      options={"mip_rel_gap": mip_rel_gap, "disp": False, "time_limit": time_limit})  # fmt: skip
    if result.status == STATUS_INFEASIBLE:
        raise NoFeasibleLayoutError(_why_infeasible(problem))
    if result.x is None:
        raise NoFeasibleLayoutError(f"HiGHS found no layout before its limit ({result.message})")
    values = np.asarray(result.x)
    open_sites = tuple(int(j) for j in np.flatnonzero(values[k:] > 0.5))
    if problem.capacitated:
        assignment = _assignment_from_x(values[:k], rows, cols, n)
    else:
        assignment = nearest_open(problem, open_sites)
    objective = objective_of(problem, assignment)
    optimal = result.status == STATUS_OPTIMAL
    bound = getattr(result, "mip_dual_bound", None)
    lower_bound = objective if optimal or bound is None else min(float(bound), objective)
    return Solution(open_sites, assignment, objective, lower_bound, optimal, "exact")


def _allowed_pairs(problem: LocationProblem) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    row_parts: list[NDArray[np.intp]] = []
    col_parts: list[NDArray[np.intp]] = []
    for start in range(0, problem.practices, CHUNK_ROWS):
        r, c = np.nonzero(problem.allowed_rows(start, start + CHUNK_ROWS))
        row_parts.append(r + start)
        col_parts.append(c)
    return np.concatenate(row_parts).astype(np.intp), np.concatenate(col_parts).astype(np.intp)


def _constraints(problem: LocationProblem, rows: NDArray[np.intp], cols: NDArray[np.intp]) -> list[LinearConstraint]:
    n, m, k = problem.practices, problem.sites, len(rows)
    x = np.arange(k)
    ones = np.ones(k)
    assign = coo_array((ones, (rows, x)), shape=(n, k + m))
    link = coo_array(
        (np.concatenate([ones, -ones]), (np.concatenate([x, x]), np.concatenate([x, k + cols]))), shape=(k, k + m)
    )
    count = coo_array((np.ones(m), (np.zeros(m, dtype=np.intp), k + np.arange(m))), shape=(1, k + m))
    constraints = [
        LinearConstraint(csr_array(assign), 1.0, 1.0),
        LinearConstraint(csr_array(link), -np.inf, 0.0),
        LinearConstraint(csr_array(count), float(problem.p), float(problem.p)),
    ]
    if problem.capacitated and problem.capacities is not None:
        limited = np.flatnonzero(np.isfinite(problem.capacities))
        position = np.full(m, -1)
        position[limited] = np.arange(len(limited))
        keep = position[cols] >= 0
        weights = problem.weights.astype(np.float64)
        load = coo_array((weights[rows[keep]], (position[cols[keep]], x[keep])), shape=(len(limited), k + m))
        site = coo_array((-problem.capacities[limited], (np.arange(len(limited)), k + limited)), shape=load.shape)
        constraints.append(LinearConstraint(csr_array(load) + csr_array(site), -np.inf, 0.0))
    return constraints


def _assignment_from_x(
    x: NDArray[np.float64], rows: NDArray[np.intp], cols: NDArray[np.intp], n: int
) -> NDArray[np.intp]:
    assignment = np.full(n, -1, dtype=np.intp)
    best = np.full(n, -1.0)
    for value, i, j in zip(x, rows, cols, strict=True):
        if value > best[i]:
            best[i], assignment[i] = value, j
    return assignment


def _why_infeasible(problem: LocationProblem) -> str:
    reasons = [f"{problem.p} hub(s)"]
    if problem.pinned:
        reasons.append(f"{len(problem.pinned)} pinned")
    if problem.max_travel is not None:
        reasons.append(f"travel at most {problem.max_travel:g}")
    if problem.capacitated:
        reasons.append("each hub within its capacity")
    return "no layout meets every constraint: " + ", ".join(reasons)
