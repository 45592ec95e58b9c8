"""Benchmark: settle 10,000 agreements x 36 monthly periods with the full engine.

Prints the time, settlement lines per second (target: 100,000 or more), and the ratio against a naive
pure-Python flat split of the same figures run in the same process. Usage:

    .venv/bin/python bench/settlement.py [--agreements 10000] [--periods 36]
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from gainshare.domain.agreement import Agreement, BaselineAdjustments, Scheme
from gainshare.domain.figures import Figures, SchemeFigures
from gainshare.domain.money import Money
from gainshare.domain.parties import Party, PartyRole
from gainshare.domain.periods import add_months, month_period
from gainshare.domain.terms import GainTerms, Limit, ShareSchedule, SharingRules, Threshold
from gainshare.services.settlements import settle_all

PARTIES = (Party("ICB", "ICB", PartyRole.COMMISSIONER, "QZZ"), Party("FED", "Federation", PartyRole.PROVIDER))


def make_case(index: int, periods: int, rng: random.Random) -> tuple[Agreement, Figures]:
    start = date(2025, 4, 1)
    end = date.fromordinal(add_months(start, periods).toordinal() - 1)
    rules = SharingRules(
        GainTerms(
            ShareSchedule("sharing.gains", flat=Decimal("0.5")),
            threshold=Threshold(Limit("sharing.gains.threshold", percent_of_baseline=Decimal("0.01"))),
        )
    )
    scheme = Scheme("s1", "Scheme", Money(rng.randint(2_000, 20_000)), Money(rng.randint(1_000, 2_000)))
    agreement = Agreement(f"a{index}", 1, "Bench", PARTIES, start, end, 1, BaselineAdjustments(), (scheme,), rules)
    rows = []
    for month in range(periods):
        day = add_months(start, month)
        baseline = rng.randint(100, 1_000)
        actual = rng.randint(0, baseline)
        rows.append(
            SchemeFigures(
                "s1",
                month_period(day.year, day.month),
                Decimal(baseline),
                Decimal(actual),
                Decimal(rng.randint(0, baseline - actual)),
            )
        )
    return agreement, Figures(tuple(rows))


def naive_flat_split(cases: list[tuple[Agreement, Figures]]) -> int:
    """The same flat 50:50 split, written the obvious way in pure Python: one share line per period."""
    lines = 0
    for agreement, figures in cases:
        scheme = agreement.schemes[0]
        for row in figures.rows:
            assert row.baseline_activity is not None and row.actual_activity is not None
            saving = (row.baseline_activity - row.actual_activity) * scheme.hospital_price.pence - (
                (row.provision_activity or 0) * scheme.provision_price.pence
            )
            provider = (saving * Decimal("0.5")).quantize(Decimal(1), rounding=ROUND_HALF_UP) if saving > 0 else 0
            _commissioner = saving - provider
            lines += 2
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agreements", type=int, default=10_000)
    parser.add_argument("--periods", type=int, default=36)
    args = parser.parse_args()
    rng = random.Random(20251125)
    cases = [make_case(index, args.periods, rng) for index in range(args.agreements)]

    started = time.perf_counter()
    naive_lines = naive_flat_split(cases)
    naive_seconds = time.perf_counter() - started

    started = time.perf_counter()
    lines = 0
    for agreement, figures in cases:
        result = settle_all(agreement, figures)
        lines += sum(len(settlement.lines) for settlement in result.settlements)
    seconds = time.perf_counter() - started

    settlements = args.agreements * args.periods
    print(f"settled {args.agreements:,} agreements x {args.periods} periods = {settlements:,} settlements")
    print(
        f"engine: {seconds:.2f} s, {lines:,} lines, {lines / seconds:,.0f} lines/s, "
        f"{settlements / seconds:,.0f} settlements/s (target 100,000 lines/s)"
    )
    print(f"naive flat split: {naive_seconds:.2f} s, {naive_lines:,} lines, {naive_lines / naive_seconds:,.0f} lines/s")
    print(f"ratio engine/naive time per settlement: {seconds / naive_seconds:.1f}x")


if __name__ == "__main__":
    main()
