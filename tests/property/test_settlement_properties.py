"""Properties of the settlement engine that must hold for any agreement and any figures."""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from gainshare.domain.figures import PeriodFacts
from gainshare.domain.money import Money
from gainshare.domain.parties import Party, PartyRole
from gainshare.domain.terms import (
    Band,
    BandBasis,
    ComplementRate,
    GainTerms,
    Limit,
    LossTerms,
    QualityMode,
    QualityTerms,
    RoundingMode,
    ShareSchedule,
    SharingRules,
    Split,
    Threshold,
    ThresholdSharing,
)
from gainshare.engines.limits import limit_pence
from gainshare.engines.postings import settlement_transactions
from gainshare.engines.settlement import settle
from tests.builders import FED, ICB, agreement, cost_figures

rates = st.integers(min_value=0, max_value=10_000).map(lambda n: Decimal(n) / 10_000)
small_rates = st.integers(min_value=0, max_value=2_000).map(lambda n: Decimal(n) / 10_000)
pence = st.integers(min_value=0, max_value=10**10)
TRUST = Party("TRUST", "Trust", PartyRole.PROVIDER, "RYY")
ICB2 = Party("ICB2", "ICB two", PartyRole.COMMISSIONER, "QYY")


@st.composite
def limits(draw: st.DrawFn, clause: str) -> Limit:
    amount = draw(st.none() | pence.map(Money))
    percent = draw(st.none() | small_rates)
    if amount is None and percent is None:
        percent = draw(small_rates)
    return Limit(clause, amount=amount, percent_of_baseline=percent)


@st.composite
def schedules(draw: st.DrawFn) -> ShareSchedule:
    if draw(st.booleans()):
        return ShareSchedule("g", flat=draw(rates))
    cuts = sorted(set(draw(st.lists(st.integers(1, 500), min_size=1, max_size=4))))
    edges = [Decimal(0), *(Decimal(c) / 1000 for c in cuts)]
    bands = [Band(lower, upper, draw(rates)) for lower, upper in pairwise(edges)]
    bands.append(Band(edges[-1], None, draw(rates)))
    return ShareSchedule("g", bands=tuple(bands), band_basis=BandBasis.PERCENT_OF_BASELINE)


@st.composite
def sharing_rules(draw: st.DrawFn, two_sided: bool | None = None, quality: bool = True) -> SharingRules:
    threshold = draw(st.none() | st.builds(Threshold, limits("t"), st.sampled_from(ThresholdSharing)))
    gains = GainTerms(draw(schedules()), threshold, draw(st.none() | limits("c")))
    losses = None
    if two_sided is None:
        two_sided = draw(st.booleans())
    if two_sided:
        share = (
            draw(rates)
            if gains.share.flat is None or draw(st.booleans())
            else ComplementRate(Decimal("0.4"), Decimal("0.75"))
        )
        losses = LossTerms(share, draw(st.none() | st.builds(Threshold, limits("lt"))), draw(st.none() | limits("lc")))
    quality_terms = None
    if quality and draw(st.booleans()):
        quality_terms = QualityTerms(draw(st.sampled_from(QualityMode)), draw(rates))
    return SharingRules(gains, losses, quality_terms, rounding=draw(st.sampled_from(RoundingMode)))


facts = st.builds(PeriodFacts, quality_score=rates)


@settings(max_examples=300, deadline=None)
@given(rules=sharing_rules(), baseline=pence, actual=pence, period_facts=facts)
def test_shares_add_up_to_the_net_saving_and_the_ledger_balances(
    rules: SharingRules, baseline: int, actual: int, period_facts: PeriodFacts
) -> None:
    deal = agreement(rules)
    result = settle(deal, cost_figures(baseline, actual, period_facts), "2025-26")
    assert result.net_saving == Money(baseline - actual)
    assert sum(amount.pence for _, amount in result.shares) == result.net_saving.pence
    for transaction in settlement_transactions(deal, result):
        assert sum(posting.amount.pence for posting in transaction.postings) == 0


@settings(max_examples=200, deadline=None)
@given(
    rules=sharing_rules(),
    baseline=pence,
    actual=pence,
    period_facts=facts,
    weights=st.lists(rates, min_size=2, max_size=2).filter(lambda w: sum(w) > 0),
)
def test_multilateral_shares_add_up(
    rules: SharingRules, baseline: int, actual: int, period_facts: PeriodFacts, weights: list[Decimal]
) -> None:
    total = sum(weights)
    split = Split((("FED", weights[0] / total), ("TRUST", weights[1] / total)), "ps")
    commissioners = Split((("ICB", Decimal("0.7")), ("ICB2", Decimal("0.3"))), "cs")
    rules = SharingRules(rules.gains, rules.losses, rules.quality, split, commissioners, rules.rounding)
    result = settle(
        agreement(rules, parties=(ICB, ICB2, FED, TRUST)), cost_figures(baseline, actual, period_facts), "2025-26"
    )
    assert sum(amount.pence for _, amount in result.shares) == baseline - actual
    provider_side = result.share_of("FED") + result.share_of("TRUST")
    assert provider_side == next(line.amount for line in result.lines if line.code == "share.provider_side")


@settings(max_examples=300, deadline=None)
@given(rules=sharing_rules(), baseline=pence, actual=pence, period_facts=facts)
def test_caps_and_thresholds_are_never_breached(
    rules: SharingRules, baseline: int, actual: int, period_facts: PeriodFacts
) -> None:
    result = settle(agreement(rules), cost_figures(baseline, actual, period_facts), "2025-26")
    provider = result.share_of("FED").pence
    net = baseline - actual
    if net >= 0:
        assert 0 <= provider <= net
        if rules.gains.cap is not None:
            assert provider <= limit_pence(rules.gains.cap, baseline, period_facts)[0]
        if (
            rules.gains.threshold is not None
            and net < limit_pence(rules.gains.threshold.limit, baseline, period_facts)[0]
        ):
            assert provider == 0
    else:
        assert net <= provider <= 0
        if rules.losses is None:
            assert provider == 0
        elif rules.losses.cap is not None:
            assert -provider <= limit_pence(rules.losses.cap, baseline, period_facts)[0]


@settings(max_examples=200, deadline=None)
@given(
    rules=sharing_rules(two_sided=False), baseline=pence, savings=st.lists(pence, min_size=2, max_size=2), score=rates
)
def test_one_sided_provider_share_never_falls_as_savings_rise(
    rules: SharingRules, baseline: int, savings: list[int], score: Decimal
) -> None:
    low, high = sorted(saving % (baseline + 1) for saving in savings)
    period_facts = PeriodFacts(quality_score=score)
    at_low = settle(agreement(rules), cost_figures(baseline, baseline - low, period_facts), "2025-26")
    at_high = settle(agreement(rules), cost_figures(baseline, baseline - high, period_facts), "2025-26")
    assert at_low.share_of("FED") <= at_high.share_of("FED")
