"""MSSP ENHANCED track, 42 CFR 425.610(f)(4): the loss rate is 1 - 75% x quality score, between 40% and 75%,
and a flat 75% for an ACO that fails the quality standards (here: a score below the quality minimum)."""

from decimal import Decimal

from gainshare.adapters.agreement_file.loader import parse_agreement
from gainshare.domain.checks import check_agreement
from gainshare.domain.figures import PeriodFacts
from gainshare.domain.money import Money
from gainshare.domain.terms import ComplementRate, LossTerms, QualityMode, QualityTerms, SharingRules
from gainshare.engines.settlement import settle
from tests.builders import agreement, cost_figures, flat

D = Decimal


SEVENTY_FIVE = D("0.75")


def enhanced(below: Decimal | None = SEVENTY_FIVE) -> SharingRules:
    losses = LossTerms(ComplementRate(D("0.4"), D("0.75"), below))
    quality = QualityTerms(QualityMode.GATE_AND_MULTIPLIER, D("0.4"), "q", full_share_from=D("0.7"))
    return SharingRules(gains=flat("0.75").gains, losses=losses, quality=quality)


def loss_share(rules: SharingRules, score: str) -> Money:
    facts = PeriodFacts(quality_score=D(score))
    return settle(agreement(rules), cost_figures(1_000_000, 1_100_000, facts), "2025-26").share_of("FED")


def test_below_the_minimum_the_stated_rate_applies_not_the_complement() -> None:
    assert loss_share(enhanced(), "0.36") == Money(-75_000)  # the complement would be 1 - 0.27 = 73%


def test_at_or_above_the_minimum_the_complement_applies() -> None:
    assert loss_share(enhanced(), "0.4") == Money(-70_000)  # 1 - 0.3
    assert loss_share(enhanced(), "0.9") == Money(-40_000)  # 1 - 0.675 = 32.5% -> floor 40%


def test_without_the_rule_the_complement_applies_below_the_minimum_too() -> None:
    assert loss_share(enhanced(None), "0.36") == Money(-73_000)


def test_the_step_is_explained() -> None:
    facts = PeriodFacts(quality_score=D("0.2"))
    result = settle(agreement(enhanced()), cost_figures(1_000_000, 1_100_000, facts), "2025-26")
    assert "loss.quality_below_minimum" in {line.code for line in result.lines}


def test_checks_need_a_quality_section_and_a_fraction() -> None:
    rules = SharingRules(flat("0.75").gains, LossTerms(ComplementRate(D("0.4"), D("0.75"), D("1.5"))))
    assert sorted(issue.code for issue in check_agreement(agreement(rules))) == ["loss.quality_minimum", "rate.range"]


def test_the_agreement_file_reads_below_quality_minimum() -> None:
    text = """
gainshare: 1
id: e
version: 1
title: Enhanced
parties:
  - {id: ICB, role: commissioner, name: ICB}
  - {id: FED, role: provider, name: Federation}
term: {start: 2025-04-01, end: 2026-03-31}
schemes:
  - {id: all, name: All, hospital_price: "1", provision_price: "1"}
sharing:
  gains: {provider_share: "75%"}
  losses:
    provider_share: {complement_of_gain_share: true, floor: "40%", ceiling: "75%", below_quality_minimum: "75%"}
  quality: {mode: gate-and-multiplier, minimum: "0.4"}
"""
    losses = parse_agreement(text).sharing.losses
    assert losses is not None
    assert losses.provider_share == ComplementRate(D("0.4"), D("0.75"), D("0.75"))
