"""Turn a Limit (absolute, share of baseline or revenue, population table) into exact pence."""

from __future__ import annotations

import decimal
from decimal import Decimal
from typing import TypeVar

from gainshare.domain.errors import InvalidInputError
from gainshare.domain.figures import PeriodFacts
from gainshare.domain.issues import Issue, Source
from gainshare.domain.money import format_rate
from gainshare.domain.terms import Limit, PopulationRateRow
from gainshare.engines.rounding import EXACT

T = TypeVar("T")


def limit_pence(limit: Limit, baseline_pence: int, facts: PeriodFacts) -> tuple[Decimal, str]:
    """The exact amount of a limit in pence, and how it was worked out. The lesser applies."""
    candidates: list[tuple[Decimal, str]] = []
    with decimal.localcontext(EXACT):
        if limit.amount is not None:
            candidates.append((Decimal(limit.amount.pence), f"{limit.amount}"))
        if limit.percent_of_baseline is not None:
            value = limit.percent_of_baseline * baseline_pence
            candidates.append((value, f"{format_rate(limit.percent_of_baseline)} of the baseline"))
        if limit.percent_of_revenue is not None:
            revenue = _needed(facts.revenue, limit, "revenue")
            value = limit.percent_of_revenue * revenue.pence
            candidates.append((value, f"{format_rate(limit.percent_of_revenue)} of revenue {revenue}"))
        if limit.population_table:
            population = _needed(facts.population, limit, "population")
            rate = population_rate(limit.population_table, population, limit.clause)
            candidates.append(
                (rate * baseline_pence, f"{format_rate(rate)} of the baseline for a population of {population:,}")
            )
    if not candidates:
        raise InvalidInputError([Issue("limit.empty", "the limit states no amount", Source(clause=limit.clause))])
    value, how = min(candidates, key=lambda candidate: candidate[0])
    if len(candidates) > 1:
        how = f"the lesser of {', '.join(text for _, text in candidates)}: {how}"
    return value, how


def population_rate(rows: tuple[PopulationRateRow, ...], population: int, clause: str) -> Decimal:
    """The rate for a population, interpolated linearly inside the row that holds it."""
    for row in rows:
        upper = row.population_to
        if population >= row.population_from and (upper is None or population <= upper):
            if upper is None or upper == row.population_from or row.rate_from == row.rate_to:
                return row.rate_from
            with decimal.localcontext(EXACT):
                position = Decimal(population - row.population_from) / (upper - row.population_from)
                return row.rate_from + (row.rate_to - row.rate_from) * position
    raise InvalidInputError(
        [Issue("limit.population", f"no row of the table covers a population of {population:,}", Source(clause=clause))]
    )


def _needed(value: T | None, limit: Limit, what: str) -> T:
    if value is None:
        raise InvalidInputError(
            [
                Issue(
                    "figures.missing",
                    f"this limit needs the period's {what}, which the figures do not give",
                    Source(clause=limit.clause),
                )
            ]
        )
    return value
