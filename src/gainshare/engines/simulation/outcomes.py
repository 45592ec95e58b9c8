"""Run scenarios through the model and the sharing rules; summarise each party's outcomes; the tornado.

Money leaves this module as integer pence (rounded from float64 once, here); probabilities as floats.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from gainshare.domain.agreement import Agreement
from gainshare.domain.assumptions import Assumptions
from gainshare.domain.terms import SharingRules
from gainshare.engines.simulation.distributions import Floats, is_fixed, quantile_at
from gainshare.engines.simulation.model import Evaluated, Layout, evaluate, layout
from gainshare.engines.simulation.rules import CompiledRules, apply, compile_rules
from gainshare.engines.simulation.scenarios import DEFAULT_CHUNK, Variables, chunks, quantile_row, variables_of

VAR_LEVEL = 0.05  # value at risk: the loss exceeded in only 5% of scenarios


@dataclass(frozen=True)
class Model:
    """An agreement and its assumptions, ready to simulate."""

    agreement: Agreement
    assumptions: Assumptions
    variables: Variables
    plan: Layout

    def compile(self, rules: SharingRules) -> CompiledRules:
        return compile_rules(rules, self.assumptions.population, self.assumptions.revenue_per_period)

    def scenarios(self, count: int, rng: np.random.Generator, chunk: int = DEFAULT_CHUNK) -> Iterator[Evaluated]:
        """The scenarios' costs, chunk by chunk (the same draws for every term set given the same generator)."""
        for draws in chunks(self.variables, rng, count, chunk):
            yield evaluate(self.plan, draws)


def build_model(agreement: Agreement, assumptions: Assumptions) -> Model:
    variables = variables_of(assumptions)
    return Model(agreement, assumptions, variables, layout(agreement, assumptions, variables))


@dataclass(frozen=True)
class Outcomes:
    """Per scenario, totals over the term in float pence, for one term set."""

    net_saving: Floats
    provider_share: Floats
    provider_costs: Floats
    threshold_met: Floats  # share of the scenario's periods whose saving met the gain threshold

    @property
    def commissioner_retained(self) -> Floats:
        return self.net_saving - self.provider_share

    @property
    def provider_net(self) -> Floats:
        return self.provider_share - self.provider_costs


def simulate(
    model: Model, term_sets: Sequence[SharingRules], count: int, rng: np.random.Generator, chunk: int = DEFAULT_CHUNK
) -> list[Outcomes]:
    """Every term set on the same scenarios (common random numbers)."""
    compiled = [model.compile(rules) for rules in term_sets]
    net = np.empty(count)
    costs = np.empty(count)
    shares = [np.empty(count) for _ in compiled]
    met = [np.empty(count) for _ in compiled]
    start = 0
    for evaluated in model.scenarios(count, rng, chunk):
        stop = start + evaluated.net.shape[0]
        net[start:stop] = evaluated.net.sum(axis=1)
        costs[start:stop] = evaluated.provider_costs
        for index, rules in enumerate(compiled):
            shared = apply(rules, evaluated.net, evaluated.baseline, evaluated.quality[:, None])
            shares[index][start:stop] = shared.provider.sum(axis=1)
            met[index][start:stop] = shared.threshold_met.mean(axis=1)
        start = stop
    return [Outcomes(net, share, costs, threshold) for share, threshold in zip(shares, met, strict=True)]


@dataclass(frozen=True)
class Summary:
    """A distribution of money: mean, percentiles and value at risk in pence; probability of a loss."""

    mean: int
    p5: int
    p50: int
    p95: int
    loss_probability: float  # P(value < 0)
    value_at_risk: int  # the loss (as a positive amount) exceeded with probability VAR_LEVEL; 0 if none


def summarise(values: Floats) -> Summary:
    p5, p50, p95 = np.quantile(values, [VAR_LEVEL, 0.5, 0.95])
    return Summary(
        mean=_pence(float(values.mean())),
        p5=_pence(float(p5)),
        p50=_pence(float(p50)),
        p95=_pence(float(p95)),
        loss_probability=float(np.mean(values < 0)),
        value_at_risk=max(0, -_pence(float(p5))),
    )


@dataclass(frozen=True)
class TermsSummary:
    scenarios: int
    net_saving: Summary
    provider_share: Summary
    provider_net: Summary
    commissioner_retained: Summary
    threshold_probability: float  # P(a period's saving meets the gain threshold)
    provider_costs_mean: int


def summarise_outcomes(outcomes: Outcomes) -> TermsSummary:
    return TermsSummary(
        scenarios=int(outcomes.net_saving.size),
        net_saving=summarise(outcomes.net_saving),
        provider_share=summarise(outcomes.provider_share),
        provider_net=summarise(outcomes.provider_net),
        commissioner_retained=summarise(outcomes.commissioner_retained),
        threshold_probability=float(outcomes.threshold_met.mean()),
        provider_costs_mean=_pence(float(outcomes.provider_costs.mean())),
    )


HISTOGRAM_BINS = 40


@dataclass(frozen=True)
class Histogram:
    """Counts of scenarios in equal bins; the bins' edges in whole pence (len(edges) == len(counts) + 1)."""

    edges: tuple[int, ...]
    counts: tuple[int, ...]


def histogram(values: Floats, bins: int = HISTOGRAM_BINS) -> Histogram:
    """Equal bins over the range of the values, edges rounded to whole pence (one bin when every value is equal)."""
    low, high = float(values.min()), float(values.max())
    if high - low < 1:
        return Histogram((_pence(low), _pence(low) + 1), (int(values.size),))
    edges = np.linspace(low, high, bins + 1)
    counts, _ = np.histogram(values, edges)
    return Histogram(tuple(_pence(float(edge)) for edge in edges), tuple(int(count) for count in counts))


@dataclass(frozen=True)
class Distributions:
    """Histograms of each party's outcomes over the term."""

    net_saving: Histogram
    provider_share: Histogram
    provider_net: Histogram
    commissioner_retained: Histogram


def distributions(outcomes: Outcomes, bins: int = HISTOGRAM_BINS) -> Distributions:
    return Distributions(
        histogram(outcomes.net_saving, bins),
        histogram(outcomes.provider_share, bins),
        histogram(outcomes.provider_net, bins),
        histogram(outcomes.commissioner_retained, bins),
    )


@dataclass(frozen=True)
class TornadoBar:
    """One assumption at its low and high quantile, every other at its median."""

    variable: str
    low_value: float
    high_value: float
    provider_net_low: int
    provider_net_high: int
    commissioner_low: int
    commissioner_high: int

    @property
    def swing(self) -> int:
        return max(
            abs(self.provider_net_high - self.provider_net_low), abs(self.commissioner_high - self.commissioner_low)
        )


@dataclass(frozen=True)
class Tornado:
    provider_net_base: int
    commissioner_base: int
    low_quantile: float
    high_quantile: float
    bars: tuple[TornadoBar, ...]  # largest swing first


def tornado(model: Model, rules: SharingRules, low: float = 0.1, high: float = 0.9) -> Tornado:
    """One-at-a-time sensitivity of the provider's net position and the commissioner's retained saving."""
    variables = model.variables
    medians = quantile_row(variables, 0.5)
    uncertain = [column for column, dist in enumerate(variables.distributions) if not is_fixed(dist)]
    rows = [medians]
    for column in uncertain:
        for probability in (low, high):
            row = medians.copy()
            row[column] = quantile_at(variables.distributions[column], probability)
            rows.append(row)
    draws = np.vstack(rows)
    evaluated = evaluate(model.plan, draws)
    share = apply(model.compile(rules), evaluated.net, evaluated.baseline, evaluated.quality[:, None]).provider
    provider = share.sum(axis=1) - evaluated.provider_costs
    commissioner = evaluated.net.sum(axis=1) - share.sum(axis=1)
    bars = [
        TornadoBar(
            variables.names[column],
            float(draws[1 + 2 * place, column]),
            float(draws[2 + 2 * place, column]),
            _pence(float(provider[1 + 2 * place])),
            _pence(float(provider[2 + 2 * place])),
            _pence(float(commissioner[1 + 2 * place])),
            _pence(float(commissioner[2 + 2 * place])),
        )
        for place, column in enumerate(uncertain)
    ]
    bars.sort(key=lambda bar: bar.swing, reverse=True)
    return Tornado(_pence(float(provider[0])), _pence(float(commissioner[0])), low, high, tuple(bars))


def _pence(value: float) -> int:
    return round(value)
