"""Quality sliding scale (MSSP, 42 CFR 425.605(d)(1)(i)(A)(4) and 425.610(d)(4)): a score that meets the standard
earns the full share; a score between the minimum and the standard scales it; below the minimum, nothing."""

from decimal import Decimal

from gainshare.adapters.agreement_file.loader import parse_agreement
from gainshare.domain.checks import check_agreement
from gainshare.domain.figures import PeriodFacts
from gainshare.domain.money import Money
from gainshare.domain.terms import QualityMode, QualityTerms, SharingRules
from gainshare.engines.clauses import agreement_clauses
from gainshare.engines.settlement import settle
from tests.builders import agreement, cost_figures, flat

D = Decimal


def sliding(mode: QualityMode = QualityMode.GATE_AND_MULTIPLIER) -> SharingRules:
    quality = QualityTerms(mode, D("0.4"), "q", full_share_from=D("0.7"))
    return SharingRules(gains=flat("0.4").gains, quality=quality)


def provider_share(rules: SharingRules, score: str) -> Money:
    facts = PeriodFacts(quality_score=D(score))
    return settle(agreement(rules), cost_figures(1_000_000, 0, facts), "2025-26").share_of("FED")


def test_a_score_meeting_the_standard_earns_the_full_share() -> None:
    assert provider_share(sliding(), "0.7") == Money(400_000)
    assert provider_share(sliding(), "0.95") == Money(400_000)


def test_a_score_between_minimum_and_standard_scales_the_share() -> None:
    assert provider_share(sliding(), "0.6") == Money(240_000)  # 40% x 0.6
    assert provider_share(sliding(), "0.4") == Money(160_000)  # the minimum itself is met


def test_a_score_below_the_minimum_earns_nothing() -> None:
    assert provider_share(sliding(), "0.39") == Money(0)


def test_plain_multiplier_mode_also_honours_the_full_share_score() -> None:
    assert provider_share(sliding(QualityMode.MULTIPLIER), "0.8") == Money(400_000)
    assert provider_share(sliding(QualityMode.MULTIPLIER), "0.2") == Money(80_000)


def test_the_step_says_which_branch_applied() -> None:
    facts = PeriodFacts(quality_score=D("0.9"))
    codes = {line.code for line in settle(agreement(sliding()), cost_figures(100, 0, facts), "2025-26").lines}
    assert "quality.full_share" in codes
    assert "quality.multiplier" not in codes


def test_checks_refuse_a_full_share_score_below_the_minimum_or_with_a_plain_gate() -> None:
    low = SharingRules(flat().gains, quality=QualityTerms(QualityMode.MULTIPLIER, D("0.5"), "q", D("0.4")))
    gate = SharingRules(flat().gains, quality=QualityTerms(QualityMode.GATE, D("0.5"), "q", D("0.8")))
    assert [issue.code for issue in check_agreement(agreement(low))] == ["quality.full_share"]
    assert [issue.code for issue in check_agreement(agreement(gate))] == ["quality.full_share"]


def test_the_agreement_file_reads_full_share_from() -> None:
    text = """
gainshare: 1
id: q
version: 1
title: Sliding scale
parties:
  - {id: ICB, role: commissioner, name: ICB}
  - {id: FED, role: provider, name: Federation}
term: {start: 2025-04-01, end: 2026-03-31}
schemes:
  - {id: all, name: All, hospital_price: "1", provision_price: "1"}
sharing:
  gains: {provider_share: "40%"}
  quality: {mode: gate-and-multiplier, minimum: "0.4", full_share_from: "70%"}
"""
    parsed = parse_agreement(text)
    assert parsed.sharing.quality is not None
    assert parsed.sharing.quality.full_share_from == D("0.7")
    assert ("sharing.quality", "gate-and-multiplier, minimum 0.4, full share from 0.7") in agreement_clauses(parsed)
