"""Each sharing rule on its own, through the settlement engine, with hand-worked figures."""

from decimal import Decimal

import pytest

from gainshare.domain.errors import InvalidInputError
from gainshare.domain.figures import PeriodFacts
from gainshare.domain.money import Money
from gainshare.domain.parties import Party, PartyRole
from gainshare.domain.settlement import LineKind
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
    RoundingMode,
    ShareSchedule,
    SharingRules,
    Split,
    Threshold,
    ThresholdSharing,
)
from gainshare.engines.settlement import settle
from tests.builders import FED, ICB, agreement, cost_figures, flat

D = Decimal


def run(rules: SharingRules, baseline: int, actual: int, facts: PeriodFacts | None = None, **kwargs: object):
    return settle(agreement(rules, **kwargs), cost_figures(baseline, actual, facts), "2025-26")


def codes(settlement) -> set[str]:
    return {line.code for line in settlement.lines}


def gains(**kwargs: object) -> SharingRules:
    schedule = kwargs.pop("share", ShareSchedule("sharing.gains", flat=D("0.5")))
    return SharingRules(gains=GainTerms(schedule, **kwargs))  # type: ignore[arg-type]


def test_flat_split_halves_the_saving_and_the_odd_penny_goes_by_rounding() -> None:
    result = run(flat("0.5"), 1_000_001, 0)  # saving £10,000.01
    assert result.net_saving == Money(1_000_001)
    assert result.share_of("FED") == Money(500_001)  # 500,000.5 rounds half-up
    assert result.share_of("ICB") == Money(500_000)


def test_half_even_rounding_is_the_agreements_choice() -> None:
    rules = SharingRules(gains=flat("0.5").gains, rounding=RoundingMode.HALF_EVEN)
    assert run(rules, 1_000_001, 0).share_of("FED") == Money(500_000)


def test_threshold_not_met_shares_nothing() -> None:
    threshold = Threshold(Limit("t", percent_of_baseline=D("0.02")))
    result = run(gains(threshold=threshold), 1_000_000, 990_000)  # 1% saving < 2%
    assert result.share_of("FED") == Money(0)
    assert result.share_of("ICB") == Money(10_000)
    assert "saving.threshold_not_met" in codes(result)


def test_threshold_met_first_pound_shares_all() -> None:
    threshold = Threshold(Limit("t", percent_of_baseline=D("0.02")))
    result = run(gains(threshold=threshold), 1_000_000, 970_000)  # saving 30,000p >= 20,000p
    assert result.share_of("FED") == Money(15_000)


def test_threshold_met_excess_only_shares_the_excess() -> None:
    threshold = Threshold(Limit("t", amount=Money(20_000)), ThresholdSharing.EXCESS_ONLY)
    result = run(gains(threshold=threshold), 1_000_000, 970_000)
    assert result.share_of("FED") == Money(5_000)  # 50% of (30,000 - 20,000)


def test_threshold_exactly_met_counts_as_met() -> None:
    threshold = Threshold(Limit("t", amount=Money(30_000)))
    assert run(gains(threshold=threshold), 1_000_000, 970_000).share_of("FED") == Money(15_000)


def test_bands_are_marginal_on_percent_of_baseline() -> None:
    bands = (Band(D(0), D("0.01"), D("0.5")), Band(D("0.01"), D("0.03"), D("0.6")), Band(D("0.03"), None, D("0.4")))
    schedule = ShareSchedule("sharing.gains.bands", bands=bands)
    # baseline 1,000,000p; saving 50,000p: 10,000 at 50% + 20,000 at 60% + 20,000 at 40% = 5,000+12,000+8,000
    result = run(gains(share=schedule), 1_000_000, 950_000)
    assert result.share_of("FED") == Money(25_000)
    assert {"gain.band1", "gain.band2", "gain.band3"} <= codes(result)


def test_bands_in_amounts() -> None:
    bands = (Band(D(0), D(10_000), D("1")), Band(D(10_000), None, D("0.25")))
    schedule = ShareSchedule("b", bands=bands, band_basis=BandBasis.AMOUNT)
    assert run(gains(share=schedule), 100_000, 70_000).share_of("FED") == Money(10_000 + 5_000)


def test_bands_with_excess_only_threshold_start_at_the_threshold() -> None:
    bands = (Band(D(0), D(10_000), D("1")), Band(D(10_000), None, D("0.5")))
    schedule = ShareSchedule("b", bands=bands, band_basis=BandBasis.AMOUNT)
    threshold = Threshold(Limit("t", amount=Money(5_000)), ThresholdSharing.EXCESS_ONLY)
    # saving 20,000: shared part 5,000..20,000 -> 5,000 at 100% + 10,000 at 50%
    assert run(gains(share=schedule, threshold=threshold), 100_000, 80_000).share_of("FED") == Money(10_000)


def test_cap_absolute_and_percent_take_the_lesser() -> None:
    cap = Limit("c", amount=Money(9_000), percent_of_baseline=D("0.01"))
    result = run(gains(cap=cap), 1_000_000, 900_000)  # 50% of 100,000 = 50,000; caps 9,000 and 10,000
    assert result.share_of("FED") == Money(9_000)
    assert result.share_of("ICB") == Money(91_000)
    assert "gain.capped" in codes(result)


def test_cap_of_a_fractional_percent_never_rounds_above_itself() -> None:
    cap = Limit("c", percent_of_baseline=D("0.1"))
    result = run(gains(cap=cap), 10_005, 0)  # cap = 1,000.5p -> 1,000p
    assert result.share_of("FED") == Money(1_000)


def test_one_sided_agreement_leaves_losses_with_the_commissioner() -> None:
    result = run(flat(), 100_000, 130_000)
    assert result.net_saving == Money(-30_000)
    assert result.share_of("FED") == Money(0)
    assert result.share_of("ICB") == Money(-30_000)
    assert "loss.one_sided" in codes(result)


def test_two_sided_loss_with_threshold_and_cap() -> None:
    losses = LossTerms(
        D("0.4"), Threshold(Limit("lt", percent_of_baseline=D("0.02"))), Limit("lc", amount=Money(5_000))
    )
    rules = SharingRules(gains=flat().gains, losses=losses)
    small = run(rules, 1_000_000, 1_010_000)  # 1% loss < 2% threshold
    assert small.share_of("FED") == Money(0)
    shared = run(rules, 1_000_000, 1_030_000)  # 3% loss: 40% of 30,000 = 12,000, capped at 5,000
    assert shared.share_of("FED") == Money(-5_000)
    assert shared.share_of("ICB") == Money(-25_000)
    assert "loss.capped" in codes(shared)


def test_complement_loss_rate_uses_quality_and_is_clamped() -> None:
    losses = LossTerms(ComplementRate(D("0.4"), D("0.75")))
    quality = QualityTerms(QualityMode.MULTIPLIER)
    rules = SharingRules(gains=flat("0.75").gains, losses=losses, quality=quality)
    high = run(rules, 1_000_000, 1_100_000, PeriodFacts(quality_score=D("1")))  # 1-0.75 = 25% -> floor 40%
    assert high.share_of("FED") == Money(-40_000)
    low = run(rules, 1_000_000, 1_100_000, PeriodFacts(quality_score=D("0.2")))  # 1-0.15 = 85% -> ceiling 75%
    assert low.share_of("FED") == Money(-75_000)
    mid = run(rules, 1_000_000, 1_100_000, PeriodFacts(quality_score=D("0.6")))  # 1-0.45 = 55%
    assert mid.share_of("FED") == Money(-55_000)


def test_quality_gate_blocks_gains_below_the_minimum() -> None:
    rules = SharingRules(gains=flat().gains, quality=QualityTerms(QualityMode.GATE, D("0.8")))
    assert run(rules, 100_000, 0, PeriodFacts(quality_score=D("0.79"))).share_of("FED") == Money(0)
    assert run(rules, 100_000, 0, PeriodFacts(quality_score=D("0.8"))).share_of("FED") == Money(50_000)


def test_quality_multiplier_scales_the_gain() -> None:
    rules = SharingRules(gains=flat().gains, quality=QualityTerms(QualityMode.GATE_AND_MULTIPLIER, D("0.5")))
    assert run(rules, 100_000, 0, PeriodFacts(quality_score=D("0.9"))).share_of("FED") == Money(45_000)
    assert run(rules, 100_000, 0, PeriodFacts(quality_score=D("0.4"))).share_of("FED") == Money(0)


def test_missing_quality_score_is_named() -> None:
    rules = SharingRules(gains=flat().gains, quality=QualityTerms(QualityMode.GATE, D("0.5")))
    with pytest.raises(InvalidInputError, match="quality score"):
        run(rules, 100_000, 0)


def test_multilateral_split_adds_up_to_the_penny() -> None:
    trust = Party("TRUST", "Community Trust", PartyRole.PROVIDER, "RYY")
    icb2 = Party("ICB2", "Second ICB", PartyRole.COMMISSIONER, "QYY")
    rules = SharingRules(
        gains=flat("0.5").gains,
        provider_split=Split((("FED", D("0.5")), ("TRUST", D("0.5"))), "ps"),
        commissioner_split=Split((("ICB", D("0.6")), ("ICB2", D("0.4"))), "cs"),
    )
    result = run(rules, 101, 0, parties=(ICB, icb2, FED, trust))  # saving 101p; provider side 50.5 -> 51
    shares = dict(result.shares)
    assert shares["FED"] + shares["TRUST"] == Money(51)
    assert shares["ICB"] + shares["ICB2"] == Money(50)
    assert shares == {"FED": Money(26), "TRUST": Money(25), "ICB": Money(30), "ICB2": Money(20)}


def test_payments_on_account_produce_a_true_up() -> None:
    facts = PeriodFacts(paid_on_account=(("FED", Money(60_000)),))
    result = run(flat(), 100_000, 0, facts)
    assert dict(result.true_ups) == {"FED": Money(-10_000)}  # share 50,000 less 60,000 paid: 10,000 back


def test_population_table_threshold_interpolates() -> None:
    table = (
        PopulationRateRow(5_000, 5_999, D("0.039"), D("0.036")),
        PopulationRateRow(6_000, None, D("0.02"), D("0.02")),
    )
    threshold = Threshold(Limit("msr", population_table=table))
    # population 5,500 -> 3.9% - 0.3% x 500/999
    facts = PeriodFacts(population=5_500)
    rate = D("0.039") + (D("0.036") - D("0.039")) * D(500) / D(999)
    baseline = 10_000_000
    needed = rate * baseline
    just_below = run(gains(threshold=threshold), baseline, baseline - int(needed), facts)
    assert just_below.share_of("FED") == Money(0)
    met = run(gains(threshold=threshold), baseline, baseline - int(needed) - 1, facts)
    assert met.share_of("FED") > Money(0)


def test_share_lines_cite_the_losses_clause_for_a_loss() -> None:
    rules = SharingRules(gains=flat().gains, losses=LossTerms(D("0.5"), clause="Schedule 4 (sharing.losses)"))
    result = run(rules, 100_000, 120_000)
    [provider_line] = [line for line in result.lines if line.code == "share.provider"]
    assert provider_line.clause == "Schedule 4 (sharing.losses)"
    assert run(flat(), 120_000, 100_000).lines_of(LineKind.SHARE)[1].clause == "sharing.gains"
