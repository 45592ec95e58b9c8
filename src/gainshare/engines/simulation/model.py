"""The arithmetic of the schemes (DESIGN section 2) over scenarios: baseline, actual hospital and provision cost.

Per scenario, scheme and settlement period p (term year y, length f years, t years from the term start to its end):

    historic   = baseline_activity x f
    baseline   = historic x (1 + list growth)^y x hospital price x (1 + uplift - efficiency)^y
    demand     = historic x (1 + activity growth)^y
    moved      = demand x shift share x (1 - (1 - ramp up)^t)
    actual     = (demand - moved) x hospital price x (1 + uplift - efficiency)^y
    provision  = moved x out-of-hospital cost
    net saving = baseline - actual - provision - set-up funding in p

Shift share and ramp-up are clipped to [0, 1] and growth to at least -100%.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gainshare.domain.agreement import Agreement
from gainshare.domain.assumptions import SCHEME_VARIABLES, Assumptions
from gainshare.domain.periods import whole_months_between
from gainshare.engines.simulation.distributions import Floats
from gainshare.engines.simulation.scenarios import Variables

MONTHS_PER_YEAR = 12
_MAX_REPEATED = 64


@dataclass(frozen=True)
class Layout:
    """What the model needs from the agreement and the assumptions, worked out once."""

    period_ids: tuple[str, ...]
    length_years: Floats  # (P,) f
    term_year: Floats  # (P,) y
    elapsed_years: Floats  # (P,) t
    activity_factor: Floats  # (P,) (1 + list growth)^y
    price_factor: Floats  # (P,) (1 + uplift - efficiency)^y
    scheme_columns: tuple[tuple[int, ...], ...]  # per scheme, the columns of SCHEME_VARIABLES in the draws
    setup_funding: Floats  # (S, P) pence the commissioner pays as set-up funding
    quality_column: int
    provider_setup_column: int
    provider_running_column: int


@dataclass(frozen=True)
class Evaluated:
    """Per scenario and period: the net saving and baseline summed over schemes; per scenario the rest."""

    net: Floats  # (n, P) pence
    baseline: Floats  # (n, P) pence
    quality: Floats  # (n,)
    provider_costs: Floats  # (n,) pence over the whole term


def layout(agreement: Agreement, assumptions: Assumptions, variables: Variables) -> Layout:
    periods = agreement.periods()
    months = np.array([whole_months_between(p.start, p.end) + 1 for p in periods], dtype=np.float64)
    elapsed = np.array([whole_months_between(agreement.term_start, p.end) + 1 for p in periods], dtype=np.float64)
    years = [agreement.term_year(p.start) for p in periods]
    by_id = {item.scheme: item for item in assumptions.schemes}
    order = [scheme for scheme in agreement.schemes if scheme.id in by_id]
    setup = np.zeros((len(order), len(periods)))
    for row, scheme in enumerate(order):
        funding = scheme.setup_funding
        for column, period in enumerate(periods):
            if funding is not None and funding.period == period.id:
                setup[row, column] = funding.amount.pence
    return Layout(
        period_ids=tuple(p.id for p in periods),
        length_years=months / MONTHS_PER_YEAR,
        term_year=np.array(years, dtype=np.float64),
        elapsed_years=elapsed / MONTHS_PER_YEAR,
        activity_factor=np.array([float(agreement.baseline.activity_factor(y)) for y in years]),
        price_factor=np.array([float(agreement.baseline.price_factor(y)) for y in years]),
        scheme_columns=tuple(
            tuple(variables.index(f"{scheme.id}.{name}") for name in SCHEME_VARIABLES) for scheme in order
        ),
        setup_funding=setup,
        quality_column=variables.index("quality_score"),
        provider_setup_column=variables.index("provider.setup"),
        provider_running_column=variables.index("provider.running_per_year"),
    )


def evaluate(plan: Layout, draws: Floats) -> Evaluated:
    count = draws.shape[0]
    net = np.zeros((count, plan.length_years.size))
    baseline = np.zeros_like(net)
    for scheme, columns in enumerate(plan.scheme_columns):
        _add_scheme(plan, draws, columns, plan.setup_funding[scheme], net, baseline)
    running = draws[:, plan.provider_running_column] * plan.length_years.sum()
    return Evaluated(net, baseline, draws[:, plan.quality_column], draws[:, plan.provider_setup_column] + running)


def _add_scheme(
    plan: Layout, draws: Floats, columns: tuple[int, ...], setup: Floats, net: Floats, baseline: Floats
) -> None:
    activity, growth, shift, ramp, price, unit_cost = (draws[:, column, None] for column in columns)
    scheme_baseline = (activity * price) * (plan.length_years * plan.activity_factor * plan.price_factor)
    demand = (activity * plan.length_years) * _powers(1 + np.maximum(growth, -1.0), plan.term_year)
    reached = 1 - _powers(1 - np.clip(ramp, 0.0, 1.0), plan.elapsed_years)
    moved = demand * reached
    moved *= np.clip(shift, 0.0, 1.0)
    price_now = price * plan.price_factor
    baseline += scheme_baseline
    net += scheme_baseline
    net -= demand * price_now
    moved *= price_now - unit_cost
    net += moved
    net -= setup


def _powers(base: Floats, exponents: Floats) -> Floats:
    """base (n, 1) to each exponent (P,): by repeated multiplication when the exponents are small whole numbers
    (annual periods), which is several times faster than np.power."""
    whole = np.rint(exponents)
    if not np.array_equal(whole, exponents) or whole.min() < 0 or whole.max() > _MAX_REPEATED:
        return np.power(base, exponents)
    result = np.empty((base.shape[0], exponents.size))
    current = np.ones(base.shape[0])
    done = 0
    flat = base[:, 0]
    for column, exponent in sorted(enumerate(whole.astype(int)), key=lambda pair: pair[1]):
        while done < exponent:
            current = current * flat
            done += 1
        result[:, column] = current
    return result
