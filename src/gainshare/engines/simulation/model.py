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
from numpy.typing import NDArray

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
    """Every scheme at once, period by period, on (schemes, scenarios) arrays (contiguous rows of the draws).

    The arithmetic above, regrouped so that few arrays are made: with k = activity x price and m = activity x
    shift, per period (F length, A list growth, U price factor; G_s = (1 + growth_s)^y and
    R_s = 1 - (1 - ramp_s)^t)

        baseline = F A U sum_s k_s
        net      = baseline - F U sum_s k_s G_s + F (U sum_s m_s price_s G_s R_s - sum_s m_s unit_s G_s R_s) - set-up
    """
    rows = draws.T  # (variables, n): the draws are column-major, so each variable's row is contiguous
    activity, growth, shift, ramp, price, unit_cost = (rows[column] for column in _by_variable(plan))
    weighted = activity * price  # k (S, n)
    moved = activity * np.clip(shift, 0.0, 1.0)  # m
    moved_price = moved * price
    moved_unit = moved * unit_cost
    grown = _powers(1 + np.maximum(growth, -1.0), plan.term_year)  # exponent -> G
    remaining = _powers(1 - np.clip(ramp, 0.0, 1.0), plan.elapsed_years)  # exponent -> (1 - ramp)^t
    count, periods = draws.shape[0], plan.length_years.size
    net = np.empty((periods, count))
    baseline = np.empty((periods, count))
    total = weighted.sum(axis=0)
    setup = plan.setup_funding.sum(axis=0)
    for period in range(periods):
        length, price_factor = plan.length_years[period], plan.price_factor[period]
        growth_now = grown[plan.term_year[period]]
        reached = growth_now - growth_now * remaining[plan.elapsed_years[period]]  # G R
        np.multiply(total, length * plan.activity_factor[period] * price_factor, out=baseline[period])
        row = net[period]
        np.multiply(np.einsum("sn,sn->n", weighted, growth_now), -length * price_factor, out=row)
        row += baseline[period]
        row += np.einsum("sn,sn->n", moved_price, reached) * (length * price_factor)
        row -= np.einsum("sn,sn->n", moved_unit, reached) * length
        row -= setup[period]
    running = draws[:, plan.provider_running_column] * plan.length_years.sum()
    return Evaluated(net.T, baseline.T, draws[:, plan.quality_column], draws[:, plan.provider_setup_column] + running)


def _by_variable(plan: Layout) -> NDArray[np.intp]:
    return np.asarray(plan.scheme_columns, dtype=np.intp).T  # (variables, S)


def _powers(base: Floats, exponents: Floats) -> dict[float, Floats]:
    """base to each distinct exponent: by repeated multiplication when the exponents are small whole numbers
    (annual periods), several times faster than np.power."""
    distinct = sorted(set(exponents.tolist()))
    if any(value != round(value) or not 0 <= value <= _MAX_REPEATED for value in distinct):
        return {value: np.power(base, value) for value in distinct}
    result: dict[float, Floats] = {}
    current = np.ones_like(base)
    done = 0
    for value in distinct:
        while done < value:
            current = current * base
            done += 1
        result[value] = current
    return result
