"""NPV, payback and ramp-up against hand-worked cases."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from gainshare.domain.money import Money
from gainshare.domain.opportunity import OpportunityCase
from gainshare.engines.opportunity import appraise, discount_factor, payback, ramp_share


def case(**changes: object) -> OpportunityCase:
    values: dict[str, object] = {
        "service_line": "x",
        "name": "X",
        "annual_hospital_activity": Decimal(1000),
        "movable_share": Decimal("0.5"),
        "hospital_price": Money.parse("100"),
        "out_of_hospital_cost": Money.parse("60"),
        "setup_cost": Money.parse("20000"),
        "annual_running_cost": Money.parse("5000"),
        "ramp_up_months": 0,
    }
    values.update(changes)
    return OpportunityCase(**values)  # type: ignore[arg-type]


def test_ramp_share_by_hand() -> None:
    # 6-month ramp: months 1..6 reach 1/6 .. 6/6, then 1: (21/6 + 6) / 12 = 19/24
    assert ramp_share(1, 6) == pytest.approx(Decimal(19) / 24, abs=Decimal("1e-25"))
    assert ramp_share(2, 6) == 1
    # 18-month ramp: year 1 = (1 + ... + 12) / 18 / 12 = 78 / 216; year 2 = ((13 + ... + 18) / 18 + 6) / 12
    assert ramp_share(1, 18) == pytest.approx(Decimal(78) / 216, abs=Decimal("1e-25"))
    assert ramp_share(2, 18) == pytest.approx((Decimal(93) / 18 + 6) / 12, abs=Decimal("1e-25"))
    assert ramp_share(1, 0) == 1


def test_npv_and_payback_by_hand() -> None:
    # 500 units move a year, saving GBP 40 each = GBP 20,000; less GBP 5,000 running = GBP 15,000 a year.
    result = appraise([case()], term_years=3).services[0]
    assert [year.net for year in result.years] == [Money.parse("15000")] * 3
    # NPV = -20,000 + 15,000 x (1/1.035 + 1/1.035^2 + 1/1.035^3) = -20,000 + 15,000 x 2.8016369... = 22,024.55
    exact = Fraction(-2_000_000) + sum(Fraction(1_500_000) / Fraction(1035, 1000) ** t for t in (1, 2, 3))
    assert result.npv.pence == round(exact)  # no tie here, so round() agrees with half-up
    assert result.npv == Money.parse("22024.55")
    # Payback: -20,000 then -5,000 after year 1, +10,000 after year 2: 1 + 5,000 / 15,000 years
    assert result.payback.years == pytest.approx(Decimal(4) / 3, abs=Decimal("1e-25"))
    # Discounted: year 1 is worth 14,492.75..., year 2 14,002.66...
    pv1, pv2 = Fraction(15000) / Fraction(1035, 1000), Fraction(15000) / Fraction(1035, 1000) ** 2
    expected_discounted = 1 + (20000 - pv1) / pv2
    assert float(result.discounted_payback.years or 0) == pytest.approx(float(expected_discounted), rel=1e-12)
    assert result.net_saving == Money.parse("25000")


def test_discount_factor_is_end_of_year() -> None:
    assert discount_factor(Decimal("0.035"), 1) == pytest.approx(Decimal(1) / Decimal("1.035"), abs=Decimal("1e-25"))
    assert discount_factor(Decimal(0), 5) == 1


def test_payback_not_within_the_term() -> None:
    result = appraise([case(setup_cost=Money.parse("100000"))], term_years=3).services[0]
    assert result.payback.years is None
    assert result.payback.render() == "not within the term"
    assert result.npv < Money(0)


def test_payback_is_immediate_without_setup_cost() -> None:
    assert payback(Decimal(0), [Decimal(10)]).years == 0


def test_payback_with_ramp_up_by_hand() -> None:
    # 12-month ramp: year 1 reaches (1 + ... + 12) / 12 / 12 = 13/24 of the mature 500 units.
    result = appraise([case(ramp_up_months=12, annual_running_cost=Money(0))], term_years=2).services[0]
    first = result.years[0]
    assert first.ramp == pytest.approx(Decimal(13) / 24, abs=Decimal("1e-25"))
    assert first.activity_moved == pytest.approx(Decimal(500) * 13 / 24, abs=Decimal("1e-25"))
    # gross = 500 x 13/24 x 4,000p = 1,083,333.33p -> 1,083,333p (half-up)
    assert first.gross_saving == Money(1_083_333)
    # payback: 2,000,000 - 1,083,333 = 916,667 left; year 2 nets 2,000,000: 1 + 916,667 / 2,000,000
    assert result.payback.years == Decimal(1) + Decimal(916_667) / Decimal(2_000_000)


def test_ranked_by_npv_and_assumptions_name_the_discount_rate() -> None:
    cases = [case(service_line="small", out_of_hospital_cost=Money.parse("90")), case(service_line="big")]
    appraisal = appraise(cases, term_years=3)
    assert [item.case.service_line for item in appraisal.services] == ["big", "small"]
    assert [item.rank for item in appraisal.services] == [1, 2]
    rate = appraisal.assumptions[0]
    assert rate.subject == "discount_rate" and rate.value == "3.5%" and not rate.evidence.is_assumption
    assert appraisal.total_npv == Money(sum(item.npv.pence for item in appraisal.services))


def test_a_user_discount_rate_is_stated_as_the_users() -> None:
    appraisal = appraise([case()], term_years=1, discount_rate=Decimal("0.05"))
    assert appraisal.assumptions[0].value == "5%"
    assert appraisal.services[0].npv == Money(round(Fraction(-2_000_000) + Fraction(1_500_000) / Fraction(105, 100)))


def test_money_stays_in_whole_pence() -> None:
    result = appraise([case(hospital_price=Money.parse("100.01"))], term_years=3).services[0]
    for year in result.years:
        assert isinstance(year.gross_saving.pence, int)
    with pytest.raises(TypeError):
        Money(1.5)  # type: ignore[arg-type]
