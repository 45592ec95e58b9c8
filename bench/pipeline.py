"""Benchmark: national-scale patient-level activity through the activity store and the Ibis pipeline.

Generates synthetic national episodes (the demo generator's national mode: 6,300 practices, 10 service lines,
36 months from April 2023) as Parquet chunks, then times:

1. gainshare end to end: import into a fresh DuckDB store (hash, checks, sum to months, one transaction),
   then the baseline and actuals by practice, scheme and month, and savings settled by the engine;
   rows per second over the whole run;
2. the same aggregation three ways, each run in this process from the same Parquet files: episodes summed to
   practice/service line/month, then baseline by practice, actuals by practice and the scheme-month figures:
   (a) the Ibis expressions on DuckDB, (b) hand-written DuckDB SQL, (c) pandas. It checks that all three give
   the same numbers and prints the ratios (targets: Ibis at most 1.3x the SQL time; at least 5x faster than
   pandas);
3. peak memory (getrusage max RSS) after each part.

Usage:

    .venv/bin/python bench/pipeline.py [--rows 50_000_000] [--data DIR] [--skip-pandas]

Data is generated once per row count under --data (default: gainshare-bench in the temporary folder) and
reused. pandas is needed for
(c) only: `pip install -e '.[bench]'`.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import ibis
import pyarrow as pa

from gainshare.adapters.activity.duckdb_store import DuckDBActivityStore
from gainshare.adapters.activity.ibis_pipeline import (
    IbisActivityPipeline,
    actuals_expr,
    baseline_expr,
    monthly_from_episodes,
    scheme_months_expr,
)
from gainshare.adapters.demo_writer import write_episodes
from gainshare.domain.agreement import Agreement, BaselineAdjustments, Scheme
from gainshare.domain.money import Money
from gainshare.domain.parties import Party, PartyRole
from gainshare.domain.terms import GainTerms, ShareSchedule, SharingRules
from gainshare.engines.demo.national import NationalParameters, build_universe
from gainshare.engines.demo.services import SERVICE_LINES
from gainshare.services.activity import ActivityService, SchemeMapping, pipeline_plan
from gainshare.services.ports import ActivityKind, PipelinePlan

T = TypeVar("T")
POD = "EPISODE"
ROUNDS = 3


def bench_agreement() -> Agreement:
    parties = (Party("ICB", "ICB", PartyRole.COMMISSIONER, "QZZ"), Party("FED", "Federation", PartyRole.PROVIDER))
    schemes = tuple(
        Scheme(line.id, line.name, Money(line.hospital_price_pence), Money(line.hub_price_pence))
        for line in SERVICE_LINES
    )
    rules = SharingRules(GainTerms(ShareSchedule("sharing.gains", flat=Decimal("0.5"))))
    adjustments = BaselineAdjustments(Decimal("0.012"), Decimal("0.025"), Decimal("0.011"))
    return Agreement("bench", 1, "Bench", parties, date(2024, 4, 1), date(2026, 3, 31), 12, adjustments, schemes, rules)


class Fixed:
    def __init__(self, agreement: Agreement) -> None:
        self.agreement = agreement

    def load(self, location: str) -> Agreement:
        return self.agreement


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(label: str, action: Callable[[], T], times: dict[str, float]) -> T:
    started = time.perf_counter()
    result = action()
    times[label] = time.perf_counter() - started
    print(f"  {label:<28} {times[label]:8.2f} s   (peak RSS so far {peak_mb():,.0f} MB)", flush=True)
    return result


def generate(rows: int, root: Path) -> Path:
    folder = root / f"episodes-{rows}"
    marker = root / f"episodes-{rows}.complete"
    if marker.exists():
        print(f"using {rows:,} episodes in {folder}")
        return folder
    print(f"generating {rows:,} episodes into {folder} ...", flush=True)
    started = time.perf_counter()
    universe = build_universe(NationalParameters(rows=rows, chunk_rows=min(1_000_000, max(rows, 1))))
    written = write_episodes(universe, folder, rows_per_file=5_000_000)
    marker.write_text(str(written.rows))
    print(f"  {written.rows:,} rows in {len(written.files)} files, {time.perf_counter() - started:.1f} s")
    return folder


def end_to_end(folder: Path, rows: int, agreement: Agreement) -> dict[str, float]:
    print("1. gainshare end to end (DuckDB store + Ibis pipeline + settlement engine)")
    times: dict[str, float] = {}
    mapping = SchemeMapping()
    with tempfile.TemporaryDirectory() as scratch, DuckDBActivityStore(Path(scratch) / "store.duckdb") as store:
        service = ActivityService(store, IbisActivityPipeline(store.activity_table), Fixed(agreement))
        when = datetime.now(UTC)
        outcome = timed(
            "import (episodes)", lambda: service.import_file(str(folder), ActivityKind.EPISODES, when), times
        )
        stored = sum(change.rows for change in outcome.months)
        baseline = timed("baseline by practice", lambda: service.baseline("bench", mapping, by_practice=True), times)
        actuals = timed("actuals by practice", lambda: service.actuals("bench", mapping, by_practice=True), times)
        savings = timed("savings, settled", lambda: service.savings("bench", mapping), times)
    total = sum(times.values())
    print(
        f"  {outcome.rows_read:,} episodes -> {stored:,} monthly rows; {len(baseline.lines):,} baseline and "
        f"{len(actuals):,} actuals lines; {len(savings.figures.rows):,} scheme-months; net savings "
        + ", ".join(f"{s.period} {s.net_saving}" for s in savings.result.settlements)
    )
    print(
        f"  total {total:.2f} s: {rows / total:,.0f} episodes/s end to end; "
        f"import alone {rows / times['import (episodes)']:,.0f} rows/s"
    )
    return times


def _sorted(table: pa.Table) -> list[tuple[Any, ...]]:
    """The rows as tuples, sorted: the three ways may return rows in different orders and string types."""
    return sorted(zip(*(column.to_pylist() for column in table.columns), strict=True))


def ibis_way(files: str, plan: PipelinePlan) -> tuple[pa.Table, pa.Table, pa.Table]:
    con = ibis.duckdb.connect()
    monthly = con.create_table("monthly", monthly_from_episodes(con.read_parquet(files), POD))
    return (
        baseline_expr(monthly, plan, by_practice=True).to_pyarrow(),
        actuals_expr(monthly, plan, by_practice=True).to_pyarrow(),
        scheme_months_expr(monthly, plan).to_pyarrow(),
    )


def sql_way(files: str, plan: PipelinePlan) -> tuple[pa.Table, pa.Table, pa.Table]:
    con = duckdb.connect()
    lines = pa.table(
        {"service_line": [line for line, _ in plan.service_lines], "scheme": [s for _, s in plan.service_lines]}
    )
    calendar = pa.table({
        "term_month": pa.array([m.month for m in plan.calendar], pa.date32()),
        "term_year": pa.array([m.term_year for m in plan.calendar], pa.int64()),
        "baseline_month": pa.array([m.baseline_month for m in plan.calendar], pa.date32()),
    })  # fmt: skip
    con.register("lines", lines)
    con.register("calendar", calendar)
    pods = ", ".join(f"'{pod}'" for pod in plan.provision_pods) or "NULL"
    con.execute(f"""
        CREATE TABLE monthly AS
        SELECT practice_code, service_line, '{POD}' AS pod, CAST(date_trunc('month', "date") AS DATE) AS month,
               CAST(count(*) AS BIGINT) AS activity, CAST(sum(cost_pence) AS BIGINT) AS cost_pence
        FROM read_parquet('{files}') GROUP BY ALL;
        CREATE VIEW classified AS
        SELECT m.practice_code, l.scheme, m.month, m.activity, m.cost_pence, m.pod IN ({pods}) AS provision
        FROM monthly m JOIN lines l ON m.service_line = l.service_line;
    """)
    baseline = con.sql("""
        SELECT k.practice_code, k.scheme, c.term_month, c.term_year,
               CAST(sum(k.activity) AS BIGINT) AS activity, CAST(sum(k.cost_pence) AS BIGINT) AS cost_pence
        FROM classified k JOIN calendar c ON k.month = c.baseline_month WHERE NOT k.provision GROUP BY ALL
        ORDER BY c.term_month, k.scheme, k.practice_code
    """).to_arrow_table()
    actuals = con.sql("""
        SELECT k.practice_code, k.scheme, c.term_month, c.term_year,
               CAST(coalesce(sum(k.activity) FILTER (WHERE NOT k.provision), 0) AS BIGINT) AS hospital_activity,
               CAST(coalesce(sum(k.cost_pence) FILTER (WHERE NOT k.provision), 0) AS BIGINT) AS hospital_cost_pence,
               CAST(coalesce(sum(k.activity) FILTER (WHERE k.provision), 0) AS BIGINT) AS provision_activity,
               CAST(coalesce(sum(k.cost_pence) FILTER (WHERE k.provision), 0) AS BIGINT) AS provision_cost_pence
        FROM classified k JOIN calendar c ON k.month = c.term_month GROUP BY ALL
        ORDER BY c.term_month, k.scheme, k.practice_code
    """).to_arrow_table()
    months = con.sql("""
        WITH long AS (
            SELECT k.scheme, c.term_month, k.activity AS baseline, 0 AS actual, 0 AS provision
            FROM classified k JOIN calendar c ON k.month = c.baseline_month WHERE NOT k.provision
            UNION ALL
            SELECT k.scheme, c.term_month, 0, CASE WHEN k.provision THEN 0 ELSE k.activity END,
                   CASE WHEN k.provision THEN k.activity ELSE 0 END
            FROM classified k JOIN calendar c ON k.month = c.term_month
        )
        SELECT scheme, term_month, CAST(sum(baseline) AS BIGINT) AS baseline, CAST(sum(actual) AS BIGINT) AS actual,
               CAST(sum(provision) AS BIGINT) AS provision
        FROM long WHERE term_month IN (SELECT DISTINCT month FROM monthly) GROUP BY ALL ORDER BY term_month, scheme
    """).to_arrow_table()
    return baseline, actuals, months


def pandas_way(folder: Path, plan: PipelinePlan) -> tuple[pa.Table, pa.Table, pa.Table]:
    import numpy as np  # noqa: PLC0415
    import pandas as pd  # noqa: PLC0415 - a bench-only dependency: pip install -e '.[bench]'

    frame = pd.read_parquet(folder, columns=["practice_code", "service_line", "date", "cost_pence"])
    frame["month"] = pd.to_datetime(frame["date"]).to_numpy().astype("datetime64[M]").astype("datetime64[s]")
    monthly = (
        frame.groupby(["practice_code", "service_line", "month"], observed=True, sort=False)
        .agg(activity=("cost_pence", "size"), cost_pence=("cost_pence", "sum"))
        .reset_index()
    )
    monthly["pod"] = POD
    lines = pd.DataFrame(list(plan.service_lines), columns=["service_line", "scheme"])
    calendar = pd.DataFrame({
        "term_month": pd.to_datetime([m.month for m in plan.calendar]).astype("datetime64[s]"),
        "term_year": np.array([m.term_year for m in plan.calendar], dtype="int64"),
        "baseline_month": pd.to_datetime([m.baseline_month for m in plan.calendar]).astype("datetime64[s]"),
    })  # fmt: skip
    classified = monthly.merge(lines, on="service_line")
    classified["provision"] = classified["pod"].isin(list(plan.provision_pods))
    keys = ["practice_code", "scheme", "term_month", "term_year"]
    hospital = classified[~classified["provision"]]
    base = hospital.merge(calendar, left_on="month", right_on="baseline_month")
    baseline = base.groupby(keys, observed=True, sort=False)[["activity", "cost_pence"]].sum().reset_index()
    term = classified.merge(calendar, left_on="month", right_on="term_month")
    for column in ("activity", "cost_pence"):
        term[f"hospital_{column}"] = term[column].where(~term["provision"], 0)
        term[f"provision_{column}"] = term[column].where(term["provision"], 0)
    actual_columns = ["hospital_activity", "hospital_cost_pence", "provision_activity", "provision_cost_pence"]
    actuals = term.groupby(keys, observed=True, sort=False)[actual_columns].sum().reset_index()
    reported = set(monthly["month"].unique())
    scheme_base = baseline.groupby(["scheme", "term_month"])["activity"].sum().rename("baseline")
    scheme_actual = actuals.groupby(["scheme", "term_month"])[["hospital_activity", "provision_activity"]].sum()
    months = pd.concat([scheme_base, scheme_actual], axis=1).fillna(0).astype("int64").reset_index()
    months = months[months["term_month"].isin(reported)].rename(
        columns={"hospital_activity": "actual", "provision_activity": "provision"}
    )

    def arrow(df: pd.DataFrame) -> pa.Table:
        table = pa.Table.from_pandas(df, preserve_index=False)
        return table.set_column(
            table.column_names.index("term_month"),
            "term_month",
            table["term_month"].cast(pa.timestamp("s")).cast(pa.date32()),
        )

    return arrow(baseline), arrow(actuals), arrow(months)


def compare(folder: Path, plan: PipelinePlan, rows: int, skip_pandas: bool) -> None:
    print("2. the same aggregation three ways (episodes -> months -> baseline, actuals, scheme-months)")
    files = str(folder / "*.parquet")
    times: dict[str, float] = {}
    ibis_times: list[float] = []
    sql_times: list[float] = []
    # alternating rounds, best of each, so that neither side alone pays for a cold cache or a busy neighbour
    for round_ in range(1, ROUNDS + 1):
        ibis_result = timed(f"ibis expressions, round {round_}", lambda: ibis_way(files, plan), times)
        ibis_times.append(times[f"ibis expressions, round {round_}"])
        sql_result = timed(f"hand-written SQL, round {round_}", lambda: sql_way(files, plan), times)
        sql_times.append(times[f"hand-written SQL, round {round_}"])
    for ours, theirs in zip(ibis_result, sql_result, strict=True):
        assert _sorted(ours) == _sorted(theirs.select(ours.column_names)), "Ibis and SQL disagree"
    ibis_best, sql_best = min(ibis_times), min(sql_times)
    print(
        f"  identical results; best of {ROUNDS}: Ibis {ibis_best:.2f} s ({rows / ibis_best:,.0f} rows/s), "
        f"SQL {sql_best:.2f} s ({rows / sql_best:,.0f} rows/s)"
    )
    print(f"  ratio Ibis / hand-written SQL: {ibis_best / sql_best:.2f}x (target at most 1.3x)")
    if skip_pandas:
        return
    pandas_result = timed("pandas", lambda: pandas_way(folder, plan), times)
    for ours, theirs in zip(ibis_result, pandas_result, strict=True):
        assert _sorted(ours) == _sorted(theirs.select(ours.column_names)), "Ibis and pandas disagree"
    print(f"  identical results; pandas {rows / times['pandas']:,.0f} rows/s")
    print(f"  ratio pandas / Ibis: {times['pandas'] / ibis_best:.1f}x faster with Ibis (target at least 5x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=50_000_000)
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "gainshare-bench")
    parser.add_argument("--skip-pandas", action="store_true", help="Skip pandas (it needs far more memory).")
    parser.add_argument("--generate-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate_only:
        generate(args.rows, args.data)
        return
    # generate in a child process, so that this process's peak memory is the pipeline's alone
    subprocess.run([sys.executable, __file__, "--generate-only", "--rows", str(args.rows), "--data", str(args.data)],
                   check=True)  # fmt: skip
    folder = args.data / f"episodes-{args.rows}"
    agreement = bench_agreement()
    end_to_end(folder, args.rows, agreement)
    compare(folder, pipeline_plan(agreement, SchemeMapping()), args.rows, args.skip_pandas)
    print(f"3. peak memory (max RSS of this process): {peak_mb():,.0f} MB")


if __name__ == "__main__":
    main()
