"""The vectorised sharing rules agree with the exact engine (engines/sharing.py) within a penny, before rounding.

Hypothesis draws sharing rules from the whole of domain/terms.py and a batch of scenarios (net saving, baseline,
quality score); the vectorised engine does the batch at once, the exact engine one by one.
"""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from gainshare.domain.figures import PeriodFacts
from gainshare.domain.money import Money
from gainshare.domain.terms import (
    Band,
    BandBasis,
    ComplementRate,
    GainTerms,
    Limit,
    LossTerms,
    PopulationRateRow,
    QualityMode,
    QualityTerms,
    ShareSchedule,
    SharingRules,
    Threshold,
    ThresholdSharing,
)
from gainshare.engines.limits import limit_pence
from gainshare.engines.sharing import share
from gainshare.engines.simulation.rules import apply, compile_rules

PENNY = 1.0
rates = st.integers(0, 10_000).map(lambda n: Decimal(n) / 10_000)
small_rates = st.integers(0, 2_000).map(lambda n: Decimal(n) / 10_000)
pence = st.integers(0, 10**10)
scores = st.sampled_from([Decimal(0), Decimal("0.5"), Decimal("0.75"), Decimal("0.9"), Decimal(1)]) | rates  # ties
POPULATION_TABLE = (
    PopulationRateRow(0, 4_999, Decimal("0.039"), Decimal("0.039")),
    PopulationRateRow(5_000, 59_999, Decimal("0.036"), Decimal("0.02")),
    PopulationRateRow(60_000, None, Decimal("0.02"), Decimal("0.02")),
)


@st.composite
def limits(draw: st.DrawFn, clause: str) -> Limit:
    amount = draw(st.none() | pence.map(Money))
    percent = draw(st.none() | small_rates)
    revenue = draw(st.none() | small_rates)
    table = draw(st.sampled_from([(), POPULATION_TABLE]))
    if amount is None and percent is None and revenue is None and not table:
        percent = draw(small_rates)
    return Limit(clause, amount, percent, revenue, table)


@st.composite
def schedules(draw: st.DrawFn) -> ShareSchedule:
    if draw(st.booleans()):
        return ShareSchedule("g", flat=draw(rates))
    basis = draw(st.sampled_from(BandBasis))
    scale = 1000 if basis is BandBasis.PERCENT_OF_BASELINE else 1
    cuts = sorted(set(draw(st.lists(st.integers(1, 10**7 if scale == 1 else 500), min_size=1, max_size=4))))
    edges = [Decimal(0), *(Decimal(cut) / scale for cut in cuts)]
    bands = [Band(lower, upper, draw(rates)) for lower, upper in pairwise(edges)]
    bands.append(Band(edges[-1], None, draw(rates)))
    return ShareSchedule("g", bands=tuple(bands), band_basis=basis)


def thresholds(clause: str) -> st.SearchStrategy[Threshold]:
    return st.builds(Threshold, limits(clause), st.sampled_from(ThresholdSharing))


@st.composite
def sharing_rules(draw: st.DrawFn) -> SharingRules:
    gains = GainTerms(draw(schedules()), draw(st.none() | thresholds("t")), draw(st.none() | limits("c")))
    losses = None
    if draw(st.booleans()):
        rate: Decimal | ComplementRate = draw(rates)
        if gains.share.flat is not None and draw(st.booleans()):
            floor = draw(small_rates)
            rate = ComplementRate(floor, floor + draw(rates) * (1 - floor), draw(st.none() | rates))
        losses = LossTerms(rate, draw(st.none() | thresholds("lt")), draw(st.none() | limits("lc")))
    quality = None
    if draw(st.booleans()):
        quality = QualityTerms(draw(st.sampled_from(QualityMode)), draw(scores), "q", draw(st.none() | scores))
    return SharingRules(gains, losses, quality)


scenario = st.tuples(
    st.integers(-(10**10), 10**10),  # net saving, pence
    st.integers(0, 10**11),  # baseline, pence
    scores,  # quality score
)


def _near_threshold(threshold: Threshold | None, amount: int, baseline: int, facts: PeriodFacts) -> bool:
    """At a first-pound threshold the share jumps; within a penny of it, float and Decimal may fall either side."""
    if threshold is None or threshold.sharing is ThresholdSharing.EXCESS_ONLY:
        return False
    value, _ = limit_pence(threshold.limit, baseline, facts)
    return abs(amount - value) <= 1


def _decidable(rules: SharingRules, net: int, baseline: int, facts: PeriodFacts) -> bool:
    if net >= 0:
        return not _near_threshold(rules.gains.threshold, net, baseline, facts)
    return rules.losses is None or not _near_threshold(rules.losses.threshold, -net, baseline, facts)


@settings(max_examples=400, deadline=None)
@given(
    rules=sharing_rules(),
    scenarios=st.lists(scenario, min_size=1, max_size=25),
    population=st.integers(0, 200_000),
    revenue=st.integers(0, 10**11),
)
def test_vectorised_share_matches_exact_engine(
    rules: SharingRules, scenarios: list[tuple[int, int, Decimal]], population: int, revenue: int
) -> None:
    compiled = compile_rules(rules, population, float(revenue))
    net = np.array([float(item[0]) for item in scenarios])
    baseline = np.array([float(item[1]) for item in scenarios])
    score = np.array([float(item[2]) for item in scenarios])
    vectorised = apply(compiled, net, baseline, score).provider
    for index, (net_pence, baseline_pence, quality) in enumerate(scenarios):
        facts = PeriodFacts(quality_score=quality, population=population, revenue=Money(revenue))
        if not _decidable(rules, net_pence, baseline_pence, facts):
            continue
        exact = share(rules, net_pence, baseline_pence, facts).provider_exact
        assert abs(vectorised[index] - float(exact)) <= PENNY, (net_pence, baseline_pence, quality, exact)


@settings(max_examples=100, deadline=None)
@given(rules=sharing_rules(), seed=st.integers(0, 2**32 - 1))
def test_matches_exact_engine_on_simulated_scenarios(rules: SharingRules, seed: int) -> None:
    """Scenarios drawn the way the simulation draws them (period-shaped arrays, broadcast quality)."""
    rng = np.random.default_rng(seed)
    baseline = np.rint(rng.uniform(0, 5e7, size=(20, 3)))
    net = np.rint(baseline * rng.normal(0.03, 0.05, size=(20, 3)))
    score = np.round(rng.uniform(0.5, 1.0, size=20), 4)
    compiled = compile_rules(rules, 50_000, 1e8)
    vectorised = apply(compiled, net, baseline, score[:, None]).provider
    for row in range(20):
        for column in range(3):
            facts = PeriodFacts(Decimal(str(score[row])), 50_000, Money(100_000_000))
            net_pence, baseline_pence = int(net[row, column]), int(baseline[row, column])
            if not _decidable(rules, net_pence, baseline_pence, facts):
                continue
            exact = share(rules, net_pence, baseline_pence, facts).provider_exact
            assert abs(vectorised[row, column] - float(exact)) <= PENNY
