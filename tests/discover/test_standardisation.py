"""Indirect standardisation against hand-worked values."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gainshare.domain.money import Money
from gainshare.domain.population import AgeBand, Sex
from gainshare.domain.variation import LimitMethod, PracticeObservation, ReferenceKind, Significance
from gainshare.engines.variation import (
    analyse_variation,
    classify,
    count_interval,
    expected_count,
    federation_reference,
    federation_reference_from_band_counts,
    national_reference,
    percentile,
    practice_variation,
    variation_opportunity,
)

YOUNG = (Sex.FEMALE, AgeBand(0, 4))
OLD = (Sex.MALE, AgeBand(65, 69))


def observation(code: str, observed: int, young: int, old: int) -> PracticeObservation:
    return PracticeObservation(code, observed, ((*YOUNG, young), (*OLD, old)))


def test_national_reference_expected_ratio_and_rates_by_hand() -> None:
    # 10 and 100 events per 1,000 patients a year; the national crude rate is 50 per 1,000 a year.
    reference = national_reference({YOUNG: Decimal(10), OLD: Decimal(100)}, Decimal(50), period_months=12)
    practice = observation("A", observed=45, young=1000, old=200)
    # expected = 1000 x 0.010 + 200 x 0.100 = 10 + 20 = 30; ratio = 45 / 30 = 1.5
    assert expected_count(practice, reference) == Decimal(30)
    result = practice_variation(practice, reference, 12, LimitMethod.PHE)
    assert result.ratio == Decimal("1.5")
    assert result.crude_rate == Decimal("37.5")  # 45 / 1,200 x 1,000
    assert result.standardised_rate == Decimal("75")  # 1.5 x 50
    assert reference.kind is ReferenceKind.NATIONAL


def test_rates_are_annualised_from_the_period() -> None:
    # Six months of data: the reference rates per year are halved for the period; rates per year stay the same.
    reference = national_reference({YOUNG: Decimal(10), OLD: Decimal(100)}, Decimal(50), period_months=6)
    practice = observation("A", observed=45, young=1000, old=200)
    result = practice_variation(practice, reference, 6, LimitMethod.PHE)
    assert result.expected == Decimal(15)
    assert result.ratio == Decimal(3)
    assert result.crude_rate == Decimal(75)  # 45 in half a year is 90 a year per 1,200 patients
    assert result.standardised_rate == Decimal(150)


def test_federation_reference_from_a_profile_by_hand() -> None:
    a = observation("A", observed=45, young=1000, old=200)
    b = observation("B", observed=55, young=500, old=500)
    reference = federation_reference([a, b], {YOUNG: Decimal(1), OLD: Decimal(10)})
    # weighted patients: A 1000 + 2000 = 3000, B 500 + 5000 = 5500; scale = 100 / 8500
    assert expected_count(a, reference) == pytest.approx(Decimal(3000) * 100 / 8500, abs=Decimal("1e-20"))
    assert expected_count(a, reference) + expected_count(b, reference) == pytest.approx(Decimal(100))
    assert reference.crude_rate == pytest.approx(Decimal(100) / 2200, abs=Decimal("1e-20"))
    result = practice_variation(a, reference, 12, LimitMethod.PHE)
    assert result.ratio == pytest.approx(Decimal("1.275"), abs=Decimal("1e-20"))  # 45 / (300000 / 8500)
    # standardised rate = ratio x crude = 1.275 x 100 / 2200 x 1000
    assert result.standardised_rate == pytest.approx(Decimal("1.275") * 100 / 2200 * 1000, abs=Decimal("1e-20"))


def test_federation_reference_from_band_counts_by_hand() -> None:
    a = observation("A", observed=45, young=1000, old=200)
    b = observation("B", observed=55, young=500, old=500)
    reference = federation_reference_from_band_counts({YOUNG: 30, OLD: 70}, [a, b])
    assert reference.rates[YOUNG] == Decimal("0.02")
    assert reference.rates[OLD] == Decimal(70) / 700
    # A: 1000 x 0.02 + 200 x 0.1 = 40
    assert expected_count(a, reference) == Decimal(40)


def test_a_band_without_a_reference_rate_is_an_error() -> None:
    reference = national_reference({YOUNG: Decimal(10)}, Decimal(50), 12)
    with pytest.raises(ValueError, match="no rate for male 65_69"):
        expected_count(observation("A", 1, 10, 10), reference)


def test_percentile_interpolates_between_ranks() -> None:
    values = [Decimal(v) for v in ("1", "2", "3", "4")]
    assert percentile(values, Decimal("0.5")) == Decimal("2.5")
    assert percentile(values, Decimal("0.75")) == Decimal("3.25")
    assert percentile(values, Decimal(1)) == Decimal(4)
    assert percentile(values, Decimal(0)) == Decimal(1)


def test_opportunity_brings_practices_above_the_median_down_to_it() -> None:
    reference = national_reference({YOUNG: Decimal(10), OLD: Decimal(100)}, Decimal(50), 12)
    practices = [
        practice_variation(observation(code, observed, 1000, 200), reference, 12, LimitMethod.PHE)
        for code, observed in (("A", 30), ("B", 36), ("C", 45))
    ]
    # expected 30 each; ratios 1.0, 1.2, 1.5; median 1.2; only C is above: 45 - 1.2 x 30 = 9 units
    found = variation_opportunity(practices, Decimal("0.5"), Money.parse("12.34"), 12)
    assert found.target_ratio == Decimal("1.2")
    assert found.activity == Decimal(9)
    assert found.value == Money(9 * 1234)
    assert [item.practice_code for item in found.practices] == ["C"]
    # Over six months the yearly opportunity doubles.
    half = variation_opportunity(practices, Decimal("0.5"), Money.parse("12.34"), 6)
    assert half.activity == Decimal(18)


def test_analyse_variation_states_its_assumptions() -> None:
    reference = national_reference({YOUNG: Decimal(10), OLD: Decimal(100)}, Decimal(50), 12)
    result = analyse_variation("x", [observation("A", 45, 1000, 200)], reference, 12, Money(100))
    assert any(item.subject == "funnel_limits" and not item.evidence.is_assumption for item in result.assumptions)


def test_the_worked_example_in_the_docs() -> None:
    """docs/discover.md: practice A is above the 95% limit but not the 99.8% one."""
    assert classify(45, Decimal(30)) is Significance.HIGH_95
    low, high = count_interval(45, Decimal("0.998"))
    assert round(low, 1) == 27.1 and round(high, 1) == 69.9
    low, high = count_interval(45, Decimal("0.95"))
    assert round(low, 1) == 32.8 and round(high, 1) == 60.2
