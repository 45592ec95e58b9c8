"""Benchmark: Monte Carlo of one agreement, 1,000,000 scenarios x 10 schemes x 5 annual periods, full sharing rules.

The rules: marginal bands above an excess-only threshold (the lesser of an amount, a share of the baseline and a
population table), a cap (the lesser of an amount and a share of the baseline), a quality gate and multiplier with
a full-share standard, two-sided losses at the complement of the gain share (floor, ceiling, a rate below the
quality minimum) with a loss threshold and cap. Assumptions of every kind of distribution, the ten schemes'
shift shares correlated through the Gaussian copula.

Prints the seconds, peak memory (tracemalloc: numpy's allocations; and the process's maximum resident set), and
the ratio against a straightforward per-scenario pure-Python loop (floats, same model and rules) on a
subsample, scaled up. Usage:

    .venv/bin/python bench/simulation.py [--scenarios 1000000] [--loop-scenarios 2000]
"""

from __future__ import annotations

import argparse
import math
import random
import resource
import time
import tracemalloc
from datetime import date
from decimal import Decimal
from statistics import NormalDist

import numpy as np
from scipy import special

from gainshare.domain.agreement import Agreement, BaselineAdjustments, Scheme
from gainshare.domain.assumptions import (
    Assumptions,
    Beta,
    Correlation,
    Distribution,
    Fixed,
    LogNormal,
    Normal,
    ProviderCosts,
    SchemeAssumptions,
    Triangular,
    Uniform,
)
from gainshare.domain.money import Money
from gainshare.domain.parties import Party, PartyRole
from gainshare.domain.terms import (
    Band,
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
from gainshare.engines.simulation.model import Layout
from gainshare.engines.simulation.outcomes import build_model, simulate, summarise_outcomes
from gainshare.engines.simulation.rules import CompiledRules, LimitRule
from gainshare.engines.simulation.scenarios import Variables, draw

SCHEMES = 10
PARTIES = (Party("ICB", "ICB", PartyRole.COMMISSIONER, "QZZ"), Party("FED", "Federation", PartyRole.PROVIDER))
TABLE = (
    PopulationRateRow(0, 59_999, Decimal("0.036"), Decimal("0.02")),
    PopulationRateRow(60_000, None, Decimal("0.02"), Decimal("0.02")),
)


def rules() -> SharingRules:
    gains = GainTerms(
        ShareSchedule("g", flat=Decimal("0.5")),
        Threshold(Limit("t", Money(5_000_000), Decimal("0.02"), population_table=TABLE), ThresholdSharing.EXCESS_ONLY),
        Limit("c", Money(200_000_000), Decimal("0.1")),
    )
    losses = LossTerms(
        ComplementRate(Decimal("0.4"), Decimal("0.75"), Decimal("0.75")),
        Threshold(Limit("lt", percent_of_baseline=Decimal("0.01"))),
        Limit("lc", percent_of_baseline=Decimal("0.04")),
    )
    quality = QualityTerms(QualityMode.GATE_AND_MULTIPLIER, Decimal("0.6"), "q", Decimal("0.9"))
    return SharingRules(gains, losses, quality)


def banded_rules() -> SharingRules:
    base = rules()
    bands = ShareSchedule(
        "g",
        bands=(Band(Decimal(0), Decimal("0.05"), Decimal("0.6")), Band(Decimal("0.05"), None, Decimal("0.4"))),
    )
    return SharingRules(
        GainTerms(bands, base.gains.threshold, base.gains.cap),
        LossTerms(
            Decimal("0.3"), base.losses.threshold if base.losses else None, base.losses.cap if base.losses else None
        ),
        base.quality,
    )


def agreement() -> Agreement:
    schemes = tuple(
        Scheme(f"s{i}", f"Scheme {i}", Money(10_000 + 1_000 * i), Money(4_000 + 500 * i)) for i in range(SCHEMES)
    )
    return Agreement(
        "bench",
        1,
        "Bench",
        PARTIES,
        date(2025, 4, 1),
        date(2030, 3, 31),
        12,
        BaselineAdjustments(Decimal("0.012"), Decimal("0.025"), Decimal("0.011")),
        schemes,
        rules(),
    )


def assumptions() -> Assumptions:
    schemes = tuple(
        SchemeAssumptions(
            f"s{i}",
            LogNormal(5_000.0 + 500 * i, 400.0),
            Normal(0.012, 0.02),
            Beta(8.0, 12.0),
            Triangular(0.4, 0.7, 1.0),
            Uniform(9_500.0 + 1_000 * i, 10_500.0 + 1_000 * i),
            Normal(4_000.0 + 500 * i, 300.0, 0.0),
        )
        for i in range(SCHEMES)
    )
    correlations = tuple(Correlation(f"s{i}.shift_share", f"s{i + 1}.shift_share", 0.4) for i in range(SCHEMES - 1))
    costs = ProviderCosts(Fixed(5_000_000.0), Triangular(4_000_000.0, 5_000_000.0, 8_000_000.0))
    return Assumptions(schemes, Beta(18.0, 2.0), costs, correlations, population=80_000)


# --- the straightforward per-scenario loop --------------------------------------------------------------------


def _limit(limit: LimitRule, baseline: float) -> float:
    values = [rate * baseline for rate in limit.baseline_rates]
    if limit.constant is not None:
        values.append(limit.constant)
    return min(values)


def _share_one(rules: CompiledRules, net: float, baseline: float, score: float) -> float:  # noqa: C901, PLR0912
    if net >= 0:
        start = 0.0
        if rules.threshold is not None:
            value = _limit(rules.threshold.limit, baseline)
            if net < value:
                return 0.0
            start = value if rules.threshold.excess_only else 0.0
        quality = rules.quality
        if quality is not None and quality.gate and score < quality.minimum:
            return 0.0
        if rules.flat is not None:
            gross = (net - start) * rules.flat
        else:
            gross = 0.0
            scale = baseline if rules.bands_on_baseline else 1.0
            for band in rules.bands:
                lower = max(band.lower * scale, start)
                upper = net if band.upper is None else min(band.upper * scale, net)
                gross += max(upper - lower, 0.0) * band.rate
        if quality is not None and quality.multiplier:
            full = quality.full_share_from
            gross *= 1.0 if full is not None and score >= full else score
        if rules.cap is not None:
            gross = min(gross, float(int(_limit(rules.cap, baseline))))
        return gross
    losses = rules.losses
    if losses is None:
        return 0.0
    loss = -net
    start = 0.0
    if losses.threshold is not None:
        value = _limit(losses.threshold.limit, baseline)
        if loss < value:
            return 0.0
        start = value if losses.threshold.excess_only else 0.0
    rate = losses.rate
    if isinstance(rate, float):
        factor = rate
    else:
        used = score if rules.quality is not None else 1.0
        factor = min(max(1 - rate.flat * used, rate.floor), rate.ceiling)
        if rate.below_minimum is not None and rules.quality is not None and used < rules.quality.minimum:
            factor = rate.below_minimum
    gross = (loss - start) * factor
    if losses.cap is not None:
        gross = min(gross, float(int(_limit(losses.cap, baseline))))
    return -gross


def loop(plan: Layout, compiled: CompiledRules, draws: np.ndarray) -> list[float]:
    rows = draws.tolist()
    periods = list(
        zip(
            plan.length_years.tolist(),
            plan.term_year.tolist(),
            plan.elapsed_years.tolist(),
            plan.activity_factor.tolist(),
            plan.price_factor.tolist(),
            strict=True,
        )
    )
    setup = plan.setup_funding.tolist()
    totals = []
    for row in rows:
        total = 0.0
        for p, (length, year, elapsed, activity_factor, price_factor) in enumerate(periods):
            net = baseline = 0.0
            for s, columns in enumerate(plan.scheme_columns):
                activity, growth, shift, ramp, price, unit = (row[c] for c in columns)
                historic = activity * length
                scheme_baseline = historic * activity_factor * price * price_factor
                demand = historic * (1 + max(growth, -1.0)) ** year
                moved = demand * min(max(shift, 0.0), 1.0) * (1 - (1 - min(max(ramp, 0.0), 1.0)) ** elapsed)
                net += scheme_baseline - (demand - moved) * price * price_factor - moved * unit - setup[s][p]
                baseline += scheme_baseline
            total += _share_one(compiled, net, baseline, row[plan.quality_column])
        totals.append(total)
    return totals


def _draw_one(distribution: Distribution, rng: random.Random) -> float:
    match distribution:
        case Fixed(value=value):
            return value
        case Normal(mean=mean, sd=sd, minimum=low, maximum=high):
            value = rng.gauss(mean, sd)
            return min(max(value, -math.inf if low is None else low), math.inf if high is None else high)
        case LogNormal():
            mu, sigma = distribution.log_parameters()
            return rng.lognormvariate(mu, sigma)
        case Triangular(low=low, mode=mode, high=high):
            return rng.triangular(low, high, mode)
        case Uniform(low=low, high=high):
            return rng.uniform(low, high)
        case Beta(alpha=alpha, beta=beta, low=low, high=high):
            return low + (high - low) * rng.betavariate(alpha, beta)


def loop_draws(variables: Variables, count: int, seed: int) -> np.ndarray:
    """Per scenario, in Python: each variable from the random module; the copula by hand (Cholesky, normal CDF,
    the beta's inverse CDF from scipy one value at a time)."""
    rng = random.Random(seed)
    normal = NormalDist()
    factor = variables.cholesky.tolist() if variables.cholesky is not None else []
    rows = []
    for _ in range(count):
        row = [_draw_one(distribution, rng) for distribution in variables.distributions]
        z = [rng.gauss(0.0, 1.0) for _ in variables.correlated]
        for place, column in enumerate(variables.correlated):
            mixed = sum(factor[place][k] * z[k] for k in range(place + 1))
            distribution = variables.distributions[column]
            u = normal.cdf(mixed)
            if isinstance(distribution, Beta):
                value = float(special.betaincinv(distribution.alpha, distribution.beta, u))
                row[column] = distribution.low + (distribution.high - distribution.low) * value
        rows.append(row)
    return np.array(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=1_000_000)
    parser.add_argument("--loop-scenarios", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    model = build_model(agreement(), assumptions())
    terms = [rules(), banded_rules()]

    start = time.perf_counter()
    summary = summarise_outcomes(simulate(model, terms[:1], args.scenarios, np.random.default_rng(args.seed))[0])
    seconds = time.perf_counter() - start
    start = time.perf_counter()
    simulate(model, terms, args.scenarios, np.random.default_rng(args.seed))
    both = time.perf_counter() - start
    tracemalloc.start()
    simulate(model, terms[:1], args.scenarios, np.random.default_rng(args.seed))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    sample = draw(model.variables, np.random.default_rng(args.seed), args.loop_scenarios)
    compiled = model.compile(terms[0])
    start = time.perf_counter()
    looped = loop(model.plan, compiled, sample)
    loop_seconds = time.perf_counter() - start
    check = simulate(model, terms[:1], args.loop_scenarios, np.random.default_rng(args.seed), chunk=args.loop_scenarios)
    difference = float(np.max(np.abs(np.array(looped) - check[0].provider_share)))
    scaled = loop_seconds * args.scenarios / args.loop_scenarios
    start = time.perf_counter()
    loop(model.plan, compiled, loop_draws(model.variables, args.loop_scenarios, args.seed))
    scaled_with_draws = (time.perf_counter() - start) * args.scenarios / args.loop_scenarios

    cells = args.scenarios * SCHEMES * len(model.plan.period_ids)
    print(f"scenarios x schemes x periods: {args.scenarios:,} x {SCHEMES} x {len(model.plan.period_ids)} = {cells:,}")
    print(f"vectorised, one term set:   {seconds:.2f} s ({cells / seconds / 1e6:.1f} M scheme-periods/s)")
    print(f"vectorised, two term sets:  {both:.2f} s (flat and banded rules on common random numbers)")
    print(f"peak traced memory:         {peak / 2**20:.0f} MiB (chunked); max RSS {_max_rss_mib():.0f} MiB")
    print(
        f"python loop (model and rules on the same draws): {args.loop_scenarios:,} scenarios in {loop_seconds:.2f} s"
        f" -> {scaled:.0f} s for {args.scenarios:,}"
    )
    print(f"speed-up vs the loop:       {scaled / seconds:.0f}x (largest difference {difference:.2e} pence)")
    print(
        f"python loop drawing per scenario too (random module, copula by hand): {scaled_with_draws:.0f} s scaled,"
        f" speed-up {scaled_with_draws / seconds:.0f}x"
    )
    print(
        f"provider share: mean {summary.provider_share.mean / 100:,.2f} GBP, P(loss after costs) "
        f"{summary.provider_net.loss_probability:.1%}"
    )


def _max_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main()
