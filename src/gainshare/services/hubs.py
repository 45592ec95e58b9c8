"""Design: the hub-and-spoke layout of a service across member practices.

Inputs are domain values (practice sites with locations, demand per practice, candidate sites, capacity, an
optional travel-time matrix); the engines in gainshare.engines.location choose the hubs. Travel is the straight
line (haversine) times a circuity factor (DEFAULT_CIRCUITY) unless a travel-time matrix is given. A practice with
no demand for the service does not shape the layout; it is given its nearest hub afterwards (and a warning if
that is out of reach). Capacitated layouts are always solved exactly; uncapacitated ones exactly up to
EXACT_PAIRS practice-site pairs, then by the Lagrangian heuristic, whose gap to its lower bound is reported.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum

import numpy as np
from numpy.typing import NDArray

from gainshare.domain.errors import InvalidInputError
from gainshare.domain.hubs import (
    DEFAULT_CIRCUITY,
    Assignment,
    Capacity,
    CurvePoint,
    Demand,
    HubLoad,
    HubPlan,
    ReferralFlowMatrix,
    Site,
    SolveMethod,
    TravelMatrix,
    TravelUnit,
    referral_flows,
)
from gainshare.domain.issues import Issue, Severity, Source
from gainshare.domain.money import Money
from gainshare.engines.location.distance import haversine_matrix
from gainshare.engines.location.exact import solve_exact
from gainshare.engines.location.heuristic import solve_heuristic
from gainshare.engines.location.problem import LocationProblem, NoFeasibleLayoutError, Solution

EXACT_PAIRS = 40_000  # practices x candidate sites up to which "auto" solves the uncapacitated model exactly


class Method(Enum):
    AUTO = "auto"
    EXACT = "exact"
    HEURISTIC = "heuristic"


@dataclass(frozen=True, slots=True)
class HubInputs:
    practices: tuple[Site, ...]
    demand: Demand
    candidates: tuple[Site, ...] | None = None  # None: every member practice may host a hub
    capacity: Capacity | None = None  # default for sites without their own
    travel: TravelMatrix | None = None
    circuity: float = DEFAULT_CIRCUITY
    price: Money | None = None  # agreed price per referred item, for the flow matrix


@dataclass(frozen=True, slots=True)
class HubRequest:
    hubs: int | None = None
    curve_to: int | None = None  # the trade-off curve for 1..curve_to hubs
    pinned: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    max_travel: float | None = None  # in the plan's unit (km or minutes)
    method: Method = Method.AUTO
    time_limit: float | None = None  # seconds, for the exact solver


@dataclass(frozen=True, slots=True)
class HubReport:
    plan: HubPlan | None
    curve: tuple[CurvePoint, ...]
    flows: ReferralFlowMatrix | None
    practices: tuple[Site, ...]
    candidates: tuple[Site, ...]
    unit: TravelUnit
    circuity: float | None
    warnings: tuple[Issue, ...] = field(default=())


@dataclass(frozen=True)
class _Model:
    members: tuple[Site, ...]  # with demand > 0: the rows of the problem
    idle: tuple[Site, ...]  # no demand for the service
    candidates: tuple[Site, ...]
    travel: NDArray[np.float32]  # all practices (members then idle) x candidates
    unit: TravelUnit


class HubService:
    def plan(self, inputs: HubInputs, request: HubRequest) -> HubReport:
        _check_request(inputs, request)
        model = _model(inputs)
        warnings: list[Issue] = []
        plan = flows = None
        if request.hubs is not None:
            plan, warnings = self._plan(inputs, request, model, request.hubs)
            flows = referral_flows(plan, inputs.price) if inputs.price is not None else None
        curve = self._curve(inputs, request, model) if request.curve_to else ()
        circuity = inputs.circuity if model.unit is TravelUnit.KM else None
        practices = model.members + model.idle
        return HubReport(plan, curve, flows, practices, model.candidates, model.unit, circuity, tuple(warnings))

    def _plan(self, inputs: HubInputs, request: HubRequest, model: _Model, hubs: int) -> tuple[HubPlan, list[Issue]]:
        problem = _problem(inputs, request, model, hubs)
        try:
            solution = _solve(problem, request)
        except NoFeasibleLayoutError as error:
            raise InvalidInputError([_infeasible(error, model)]) from None
        return _to_plan(inputs, model, problem, solution, request.max_travel)

    def _curve(self, inputs: HubInputs, request: HubRequest, model: _Model) -> tuple[CurvePoint, ...]:
        assert request.curve_to is not None
        points: list[CurvePoint] = []
        for hubs in range(max(1, len(request.pinned)), min(request.curve_to, len(model.candidates)) + 1):
            problem = _problem(inputs, request, model, hubs)
            try:
                solution = _solve(problem, request)
            except NoFeasibleLayoutError:
                points.append(CurvePoint(hubs, None, None, None, None))
                continue
            plan, _ = _to_plan(inputs, model, problem, solution, request.max_travel)
            points.append(CurvePoint(hubs, plan.average_travel, plan.worst_travel, plan.objective, plan.gap, plan.hubs))
        return tuple(points)


def _check_request(inputs: HubInputs, request: HubRequest) -> None:
    issues: list[Issue] = []
    codes = {site.code for site in (inputs.candidates if inputs.candidates is not None else inputs.practices)}
    for option, chosen in (("--pin", request.pinned), ("--exclude", request.excluded)):
        issues += [
            Issue("hubs.site", f"{code} is not a candidate site", Source(clause=option))
            for code in chosen
            if code not in codes
        ]
    issues += [
        Issue("hubs.site", f"{code} is both pinned and excluded", Source(clause="--pin"))
        for code in sorted(set(request.pinned) & set(request.excluded))
    ]
    if request.hubs is None and not request.curve_to:
        issues.append(Issue("hubs.count", "give the number of hubs (--hubs) or a trade-off curve (--curve)"))
    if request.hubs is not None and not 1 <= request.hubs <= len(codes):
        issues.append(Issue("hubs.count", f"the number of hubs must be 1 to {len(codes)}", Source(clause="--hubs")))
    if request.max_travel is not None and request.max_travel <= 0:
        issues.append(Issue("hubs.travel", "the maximum travel must be more than zero", Source(clause="--max-travel")))
    if inputs.circuity < 1:
        issues.append(Issue("hubs.circuity", "the circuity factor must be at least 1", Source(clause="--circuity")))
    if issues:
        raise InvalidInputError(issues)


def _model(inputs: HubInputs) -> _Model:
    members = tuple(p for p in inputs.practices if inputs.demand.of(p.code) > 0)
    idle = tuple(p for p in inputs.practices if inputs.demand.of(p.code) == 0)
    if not members:
        raise InvalidInputError(
            [Issue("hubs.demand", f"no member practice has demand for {inputs.demand.service_line!r} in the window")]
        )
    candidates = inputs.candidates if inputs.candidates is not None else inputs.practices
    everyone = members + idle
    if inputs.travel is not None:
        return _Model(
            members, idle, candidates, _matrix_travel(inputs.travel, everyone, candidates), TravelUnit.MINUTES
        )
    _require_points(everyone, "practice")
    _require_points(candidates, "candidate site")
    travel = haversine_matrix(*_coordinates(everyone), *_coordinates(candidates), scale=inputs.circuity)
    return _Model(members, idle, candidates, travel.astype(np.float32, copy=False), TravelUnit.KM)


def _require_points(sites: Sequence[Site], what: str) -> None:
    issues = [
        Issue(
            "hubs.location",
            f"{what} {site.code} has no coordinates and its postcode {site.postcode or '(none)'} was not found; "
            "give coordinates, a postcode file or a travel matrix",
        )
        for site in sites
        if site.point is None
    ]
    if issues:
        raise InvalidInputError(issues)


def _coordinates(sites: Sequence[Site]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    lat = np.array([site.point.lat for site in sites if site.point is not None])
    lon = np.array([site.point.lon for site in sites if site.point is not None])
    return lat, lon


def _matrix_travel(matrix: TravelMatrix, practices: Sequence[Site], sites: Sequence[Site]) -> NDArray[np.float32]:
    grid = np.frombuffer(matrix.minutes.tobytes(), dtype=np.float32 if matrix.minutes.typecode == "f" else np.float64)
    grid = grid.reshape(len(matrix.origins), len(matrix.destinations))
    rows = _positions(matrix.origins, [p.code for p in practices])
    cols = _positions(matrix.destinations, [s.code for s in sites])
    travel = np.full((len(practices), len(sites)), np.inf, dtype=np.float32)
    have_row, have_col = rows >= 0, cols >= 0
    block = grid[np.ix_(rows[have_row], cols[have_col])]
    travel[np.ix_(have_row, have_col)] = np.where(np.isnan(block), np.inf, block)
    return travel


def _positions(keys: Sequence[str], codes: Sequence[str]) -> NDArray[np.intp]:
    index = {code: i for i, code in enumerate(keys)}
    return np.array([index.get(code, -1) for code in codes], dtype=np.intp)


def _limits(inputs: HubInputs, candidates: Sequence[Site]) -> NDArray[np.float64] | None:
    months = len(inputs.demand.months)
    limits = []
    for site in candidates:
        capacity = site.capacity or inputs.capacity
        limit = capacity.limit(months) if capacity is not None else None
        limits.append(np.inf if limit is None else float(limit))
    result = np.array(limits)
    return result if np.isfinite(result).any() else None


def _problem(inputs: HubInputs, request: HubRequest, model: _Model, hubs: int) -> LocationProblem:
    index = {site.code: j for j, site in enumerate(model.candidates)}
    weights = np.array([inputs.demand.of(p.code) for p in model.members], dtype=np.int64)
    return LocationProblem(
        travel=model.travel[: len(model.members)],
        weights=weights,
        p=hubs,
        pinned=frozenset(index[code] for code in request.pinned),
        excluded=frozenset(index[code] for code in request.excluded),
        max_travel=request.max_travel,
        capacities=_limits(inputs, model.candidates),
    )


def _solve(problem: LocationProblem, request: HubRequest) -> Solution:
    exact = request.method is Method.EXACT or problem.capacitated
    if request.method is Method.AUTO:
        exact = exact or problem.practices * problem.sites <= EXACT_PAIRS
    if exact:
        return solve_exact(problem, time_limit=request.time_limit)
    return solve_heuristic(problem)


def _to_plan(
    inputs: HubInputs, model: _Model, problem: LocationProblem, solution: Solution, max_travel: float | None
) -> tuple[HubPlan, list[Issue]]:
    hubs = tuple(model.candidates[j].code for j in solution.open_sites)
    assignments = [
        Assignment(site.code, model.candidates[j].code, inputs.demand.of(site.code), float(problem.travel[i, j]))
        for i, (site, j) in enumerate(zip(model.members, solution.assignment, strict=True))
    ]
    warnings = _assign_idle(model, solution.open_sites, max_travel, assignments)
    plan = HubPlan(
        service_line=inputs.demand.service_line,
        unit=model.unit,
        hubs=hubs,
        assignments=tuple(sorted(assignments, key=lambda a: a.practice)),
        loads=_loads(inputs, model, hubs, assignments),
        objective=solution.objective,
        lower_bound=solution.lower_bound,
        method=SolveMethod.EXACT if solution.method == "exact" else SolveMethod.HEURISTIC,
        proven_optimal=solution.proven_optimal,
        months=len(inputs.demand.months),
    )
    return plan, warnings


def _assign_idle(
    model: _Model, open_sites: Sequence[int], max_travel: float | None, assignments: list[Assignment]
) -> list[Issue]:
    warnings: list[Issue] = []
    columns = np.array(open_sites, dtype=np.intp)
    for offset, site in enumerate(model.idle):
        travel = model.travel[len(model.members) + offset, columns]
        best = int(np.argmin(travel))
        if not np.isfinite(travel[best]) or (max_travel is not None and travel[best] > max_travel):
            warnings.append(
                Issue("hubs.idle", f"{site.code} has no demand and no hub within reach", severity=Severity.WARNING)
            )
            if not np.isfinite(travel[best]):
                continue
        assignments.append(Assignment(site.code, model.candidates[columns[best]].code, 0, float(travel[best])))
    return warnings


def _loads(
    inputs: HubInputs, model: _Model, hubs: Sequence[str], assignments: Sequence[Assignment]
) -> tuple[HubLoad, ...]:
    months = len(inputs.demand.months)
    by_code: Mapping[str, Site] = {site.code: site for site in model.candidates}
    loads = []
    for hub in hubs:
        mine = [a for a in assignments if a.hub == hub]
        items = sum(a.items for a in mine)
        capacity = by_code[hub].capacity or inputs.capacity
        needed = capacity.sessions_needed(items, months) if capacity is not None else None
        available = capacity.sessions_per_month if capacity is not None else None
        loads.append(HubLoad(hub, len(mine), items, needed, available))
    return tuple(loads)


def _infeasible(error: NoFeasibleLayoutError, model: _Model) -> Issue:
    message = str(error)
    if error.practices:
        codes = ", ".join(model.members[i].code for i in error.practices[:20])
        message += f": {codes}"
    return Issue("hubs.infeasible", message)
