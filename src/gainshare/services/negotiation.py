"""Negotiate: simulate an agreement under uncertainty, compare term sets, search for terms both sides accept."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from gainshare.domain.agreement import Agreement
from gainshare.domain.assumptions import Assumptions, check_assumptions
from gainshare.domain.errors import InvalidInputError
from gainshare.domain.issues import Issue, Source
from gainshare.domain.terms import SharingRules
from gainshare.engines.simulation.distributions import mean_of
from gainshare.engines.simulation.frontier import Constraints, Frontier, Grid, search
from gainshare.engines.simulation.outcomes import (
    Distributions,
    Model,
    TermsSummary,
    Tornado,
    build_model,
    distributions,
    simulate,
    summarise_outcomes,
    tornado,
)

DEFAULT_SCENARIOS = 10_000
DEFAULT_FRONTIER_SCENARIOS = 20_000


@dataclass(frozen=True)
class SimulationReport:
    agreement: Agreement
    seed: int
    summary: TermsSummary
    tornado: Tornado
    distributions: Distributions  # histograms of each party's outcomes


@dataclass(frozen=True)
class TermSet:
    name: str
    rules: SharingRules


@dataclass(frozen=True)
class Comparison:
    agreement: Agreement
    seed: int
    scenarios: int
    rows: tuple[tuple[str, TermsSummary], ...]  # every term set on the same scenarios


@dataclass(frozen=True)
class FrontierReport:
    agreement: Agreement
    seed: int
    frontier: Frontier


def simulate_agreement(
    agreement: Agreement, assumptions: Assumptions, scenarios: int = DEFAULT_SCENARIOS, seed: int | None = None
) -> SimulationReport:
    """Each party's distribution of outcomes under the agreement's own terms, and what drives it (tornado)."""
    model, used, rng = _prepare(agreement, assumptions, scenarios, seed)
    outcomes = simulate(model, [agreement.sharing], scenarios, rng)[0]
    return SimulationReport(
        agreement, used, summarise_outcomes(outcomes), tornado(model, agreement.sharing), distributions(outcomes)
    )


def compare_terms(
    agreement: Agreement,
    assumptions: Assumptions,
    term_sets: Sequence[TermSet],
    scenarios: int = DEFAULT_SCENARIOS,
    seed: int | None = None,
) -> Comparison:
    """Several term sets side by side on the same simulated scenarios (common random numbers)."""
    model, used, rng = _prepare(agreement, assumptions, scenarios, seed)
    outcomes = simulate(model, [item.rules for item in term_sets], scenarios, rng)
    rows = tuple((item.name, summarise_outcomes(result)) for item, result in zip(term_sets, outcomes, strict=True))
    return Comparison(agreement, used, scenarios, rows)


def default_constraints(
    assumptions: Assumptions,
    provider_max_loss_probability: float = 0.10,
    provider_min_expected_share: int | None = None,
    commissioner_min_expected_retained: int = 0,
) -> Constraints:
    """The provider's minimum expected share defaults to its expected set-up cost."""
    if provider_min_expected_share is None:
        provider_min_expected_share = round(mean_of(assumptions.provider_costs.setup))
    return Constraints(provider_max_loss_probability, provider_min_expected_share, commissioner_min_expected_retained)


def negotiation_frontier(
    agreement: Agreement,
    assumptions: Assumptions,
    grid: Grid,
    constraints: Constraints,
    scenarios: int = DEFAULT_FRONTIER_SCENARIOS,
    seed: int | None = None,
) -> FrontierReport:
    """Every combination of share, threshold and cap on the same scenarios; the feasible set and a recommendation."""
    model, used, rng = _prepare(agreement, assumptions, scenarios, seed)
    return FrontierReport(agreement, used, search(model, agreement.sharing, grid, constraints, scenarios, rng))


def _prepare(
    agreement: Agreement, assumptions: Assumptions, scenarios: int, seed: int | None
) -> tuple[Model, int, np.random.Generator]:
    issues = check_assumptions(assumptions, agreement)
    if scenarios < 1:
        issues.append(Issue("simulation.scenarios", "the number of scenarios must be at least 1", Source()))
    if issues:
        raise InvalidInputError(issues)
    used = seed if seed is not None else int(np.random.SeedSequence().generate_state(1)[0])  # reported: reproducible
    return build_model(agreement, assumptions), used, np.random.default_rng(used)
