"""Seeded statistical tests: known distributions give known answers within tolerance."""

from __future__ import annotations

import math
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from gainshare.adapters.agreement_file.loader import load_agreement
from gainshare.domain.assumptions import (
    Assumptions,
    Beta,
    Correlation,
    Fixed,
    LogNormal,
    Normal,
    ProviderCosts,
    SchemeAssumptions,
    Triangular,
    Uniform,
    history_defaults,
)
from gainshare.domain.figures import PeriodFacts, SchemeFigures
from gainshare.domain.money import Money
from gainshare.domain.terms import GainTerms, Limit, ShareSchedule, SharingRules, Threshold
from gainshare.engines.settlement import settle_period
from gainshare.engines.simulation.distributions import mean_of, quantile_at
from gainshare.engines.simulation.outcomes import build_model, simulate, summarise, tornado
from gainshare.engines.simulation.rules import apply, compile_rules
from gainshare.engines.simulation.scenarios import chunks, variables_of
from gainshare.services.negotiation import TermSet, compare_terms, simulate_agreement
from tests.simulation.builders import flat_two_sided, one_year_agreement, saving_per_unit_shift, shift_assumptions

N = 200_000
EXAMPLE = Path(__file__).parents[2] / "examples" / "agreement.yaml"


def test_fixed_inputs_give_the_exact_engines_settlement() -> None:
    agreement = load_agreement(EXAMPLE)
    growth, shift = Decimal("0.012"), Decimal("0.4")  # demand grows with the list, so it matches the baseline
    schemes = tuple(
        SchemeAssumptions(
            scheme.id,
            Fixed(activity),
            Fixed(float(growth)),
            Fixed(float(shift)),
            Fixed(1.0),
            Fixed(float(scheme.hospital_price.pence)),
            Fixed(float(scheme.provision_price.pence)),
        )
        for scheme, activity in zip(agreement.schemes, (9800.0, 2400.0), strict=True)
    )
    model = build_model(agreement, Assumptions(schemes))
    evaluated = next(model.scenarios(2, np.random.default_rng(0)))
    rules = compile_rules(agreement.sharing)
    for column, period in enumerate(agreement.periods()):
        year = agreement.term_year(period.start)
        rows = []
        for scheme, activity in zip(agreement.schemes, (9800, 2400), strict=True):
            demand = Decimal(activity) * (1 + growth) ** year
            rows.append(SchemeFigures(scheme.id, period, Decimal(activity), demand * (1 - shift), demand * shift))
        settlement = settle_period(agreement, period, rows, PeriodFacts())
        # costs: three lines per scheme, each rounded once by the exact engine
        assert abs(evaluated.net[0, column] - settlement.net_saving.pence) <= 2
        assert abs(evaluated.baseline[0, column] - settlement.baseline_cost.pence) <= 2
        # sharing: from the same net saving and baseline, the same exact share
        exact = next(line.exact for line in settlement.lines if line.code == "share.provider_side")
        assert exact is not None
        same = apply(
            rules,
            np.array([float(settlement.net_saving.pence)]),
            np.array([float(settlement.baseline_cost.pence)]),
            np.array([1.0]),
        )
        assert same.provider[0] == pytest.approx(float(exact), abs=1e-6)


def test_normal_saving_with_a_flat_half_split_has_half_the_mean() -> None:
    mean, sd = 0.5, 0.12  # of the shift share (clipped to 0..1, 5 sd away): the saving is normal, mean 0.5 x k
    model = build_model(one_year_agreement(flat_two_sided()), shift_assumptions(Normal(mean, sd)))
    outcome = simulate(model, [flat_two_sided()], N, np.random.default_rng(11))[0]
    k = saving_per_unit_shift()
    tolerance = 4 * sd * k / math.sqrt(N)
    assert outcome.net_saving.mean() == pytest.approx(mean * k, abs=tolerance)
    assert outcome.provider_share.mean() == pytest.approx(mean * k / 2, abs=tolerance / 2)
    assert outcome.provider_share.std() == pytest.approx(sd * k / 2, rel=0.02)


def test_probability_of_meeting_a_threshold_matches_the_normal_cdf() -> None:
    mean, sd = 0.3, 0.2
    k = saving_per_unit_shift()
    threshold = 0.45 * k  # pence
    rules = SharingRules(
        GainTerms(ShareSchedule("g", flat=Decimal("0.5")), Threshold(Limit("t", amount=Money(round(threshold)))))
    )
    model = build_model(one_year_agreement(rules), shift_assumptions(Normal(mean, sd)))
    outcome = simulate(model, [rules], N, np.random.default_rng(5))[0]
    expected = 1 - 0.5 * (1 + math.erf((0.45 - mean) / (sd * math.sqrt(2))))
    assert outcome.threshold_met.mean() == pytest.approx(expected, abs=4 * math.sqrt(expected * (1 - expected) / N))
    # first-pound: below the threshold nothing, above it half of everything
    shares = outcome.provider_share
    assert np.all((shares == 0) | (shares >= threshold / 2 - 1))


def test_identical_terms_compare_exactly_equal_on_common_random_numbers() -> None:
    rules = flat_two_sided("0.4")
    agreement = one_year_agreement(rules)
    assumptions = shift_assumptions(Beta(4, 6), quality_score=Uniform(0.5, 1.0))
    result = compare_terms(agreement, assumptions, [TermSet("a", rules), TermSet("b", rules)], 5_000, seed=3)
    assert result.rows[0][1] == result.rows[1][1]
    again = compare_terms(agreement, assumptions, [TermSet("a", rules)], 5_000, seed=3)
    assert again.rows[0][1] == result.rows[0][1]


def test_different_terms_see_the_same_scenarios() -> None:
    """Same seed: the net saving is identical whatever the terms; only the split differs."""
    agreement = one_year_agreement(flat_two_sided())
    assumptions = shift_assumptions(Normal(0.3, 0.2))
    result = compare_terms(
        agreement, assumptions, [TermSet("half", flat_two_sided()), TermSet("most", flat_two_sided("0.8"))], 5_000, 9
    )
    (_, half), (_, most) = result.rows
    assert half.net_saving == most.net_saving
    assert most.provider_share.mean > half.provider_share.mean


@pytest.mark.parametrize(
    ("distribution", "mean"),
    [
        (Normal(2.0, 0.5), 2.0),
        (LogNormal(3.0, 1.0), 3.0),
        (Triangular(1.0, 2.0, 6.0), 3.0),
        (Uniform(-1.0, 3.0), 1.0),
        (Beta(2.0, 6.0, 10.0, 18.0), 12.0),
        (Fixed(7.0), 7.0),
    ],
)
def test_each_distribution_has_its_mean_sampled_and_through_the_copula(distribution: object, mean: float) -> None:
    scheme = SchemeAssumptions("s1", Fixed(1.0), Fixed(0.0), distribution, Normal(0.5, 0.1), Fixed(1.0), Fixed(1.0))  # type: ignore[arg-type]
    for correlations in ((), (Correlation("s1.shift_share", "s1.ramp_up", 0.5),)):
        variables = variables_of(Assumptions((scheme,), correlations=correlations))
        draws = next(chunks(variables, np.random.default_rng(2), N, N))
        column = draws[:, variables.index("s1.shift_share")]
        assert column.mean() == pytest.approx(mean, abs=0.02 * max(1.0, abs(mean)))
    assert mean_of(distribution) == pytest.approx(mean, rel=1e-3)  # type: ignore[arg-type]


def test_gaussian_copula_gives_the_rank_correlation_asked_for() -> None:
    rho = 0.6
    schemes = tuple(
        SchemeAssumptions(name, Fixed(1.0), Fixed(0.0), Beta(8, 12), Fixed(1.0), Fixed(1.0), Fixed(1.0))
        for name in ("a", "b")
    )
    variables = variables_of(Assumptions(schemes, correlations=(Correlation("a.shift_share", "b.shift_share", rho),)))
    draws = next(chunks(variables, np.random.default_rng(4), N, N))
    first, second = (draws[:, variables.index(f"{name}.shift_share")] for name in ("a", "b"))
    spearman = np.corrcoef(np.argsort(np.argsort(first)), np.argsort(np.argsort(second)))[0, 1]
    assert spearman == pytest.approx(6 / math.pi * math.asin(rho / 2), abs=0.01)


def test_summary_percentiles_and_value_at_risk() -> None:
    values = np.linspace(-100.0, 1900.0, 2001)  # pence
    summary = summarise(values)
    assert summary.mean == 900
    assert summary.p5 == 0
    assert summary.p95 == 1800
    assert summary.loss_probability == pytest.approx(100 / 2001)
    assert summary.value_at_risk == 0
    assert summarise(values - 500).value_at_risk == 500


def test_tornado_ranks_the_assumptions_that_matter() -> None:
    rules = flat_two_sided()
    scheme = SchemeAssumptions(
        "s1", Fixed(1000.0), Fixed(0.0), Uniform(0.1, 0.5), Uniform(0.9, 1.0), Fixed(10_000.0), Fixed(4_000.0)
    )
    costs = ProviderCosts(Fixed(0.0), Uniform(0.0, 100.0))
    model = build_model(one_year_agreement(rules), Assumptions((scheme,), provider_costs=costs))
    result = tornado(model, rules)
    assert [bar.variable for bar in result.bars] == ["s1.shift_share", "s1.ramp_up", "provider.running_per_year"]
    shift = result.bars[0]
    assert shift.low_value == pytest.approx(quantile_at(Uniform(0.1, 0.5), 0.1))
    assert shift.provider_net_high > shift.provider_net_low
    assert shift.commissioner_high > shift.commissioner_low


def test_history_gives_baseline_and_growth_defaults() -> None:
    history = [100.0, 110.0, 90.0, 100.0] * 3 + [120.0] * 12
    defaults = history_defaults(history)
    assert defaults.baseline_activity == pytest.approx(1440.0)
    assert defaults.monthly_cv == pytest.approx(float(np.std(history, ddof=1) / np.mean(history)))
    assert defaults.growth_sd == pytest.approx(max(defaults.monthly_cv / math.sqrt(12), 0.01))
    assert history_defaults([50.0] * 6).baseline_activity == pytest.approx(600.0)


def test_service_reports_money_as_whole_pence_and_the_seed_used() -> None:
    agreement = one_year_agreement(flat_two_sided())
    report = simulate_agreement(agreement, shift_assumptions(Normal(0.3, 0.2)), 1_000)
    assert isinstance(report.summary.provider_share.mean, int)
    again = simulate_agreement(agreement, shift_assumptions(Normal(0.3, 0.2)), 1_000, seed=report.seed)
    assert again.summary == report.summary
