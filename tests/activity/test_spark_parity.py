"""The same Ibis pipeline on DuckDB and on PySpark (local mode) over the same data: identical results."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import ibis
import pytest
from typer.testing import CliRunner

from gainshare.adapters.activity.duckdb_store import DuckDBActivityStore
from gainshare.adapters.activity.ibis_pipeline import IbisActivityPipeline, monthly_from_episodes
from gainshare.adapters.activity.spark_backend import SparkActivity
from gainshare.interfaces.cli.main import app
from gainshare.services.activity import ActivityService, SchemeMapping, pipeline_plan
from gainshare.services.ports import ActivityImportRequest, ActivityKind, ActivityPipeline
from tests.activity.conftest import (
    BASELINE_YEAR,
    TERM_MONTHS,
    WHEN,
    activity_rows,
    episode_rows,
    months_from,
    two_scheme_agreement,
    write_csv,
    write_episodes,
)
from tests.activity.test_cli import _agreement
from tests.activity.test_pipeline import Fixed

pytestmark = pytest.mark.spark


def results(pipeline: ActivityPipeline) -> dict[str, Any]:
    agreement = two_scheme_agreement()
    mapping = SchemeMapping({"anticoag": ("anticoag", "dermatology")})
    plan = pipeline_plan(agreement, mapping)
    service = ActivityService(_unused_store(), pipeline, Fixed(agreement))
    savings = service.savings("agreement.yaml", mapping)
    baseline = service.baseline("agreement.yaml", mapping, by_practice=True)
    return {
        "baseline": sorted(pipeline.baseline(plan, by_practice=True), key=repr),
        "actuals": sorted(pipeline.actuals(plan, by_practice=True), key=repr),
        "scheme_months": sorted(pipeline.scheme_months(plan), key=repr),
        "months": pipeline.months_with_data(),
        "figures": savings.figures.rows,
        "settlements": savings.result.settlements,
        "baseline_report": (baseline.lines, baseline.totals),
    }


def _unused_store() -> Any:
    return object()


def test_the_whole_pipeline_gives_identical_results_on_duckdb_and_spark(
    spark: Any, tmp_path: Path, store_path: Path
) -> None:
    rows = activity_rows(BASELINE_YEAR) + activity_rows(TERM_MONTHS, seed=4)
    with DuckDBActivityStore(store_path) as store:
        store.import_file(_request(write_csv(tmp_path / "a.csv", rows)))
        parquet = tmp_path / "activity.parquet"
        store.export_parquet(parquet)
        on_duckdb = results(IbisActivityPipeline(store.activity_table))
    on_spark = results(SparkActivity(spark, parquet).pipeline())
    assert on_duckdb["figures"]  # something was compared
    assert len(on_duckdb["baseline"]) == 3 * 2 * 24
    for key, value in on_duckdb.items():
        assert on_spark[key] == value, key
    # equal values could hide floats (3.0 == 3): every count and sum that came back from Spark is a Python int
    numbers = [
        getattr(cell, name)
        for key in ("baseline", "actuals", "scheme_months")
        for cell in on_spark[key]
        for name in cell.__slots__
        if name not in {"practice_code", "scheme", "month"}
    ]
    assert numbers and all(type(value) is int for value in numbers)


def test_episodes_sum_to_the_same_months_on_spark_as_in_the_store(spark: Any, tmp_path: Path, store_path: Path) -> None:
    episodes = episode_rows(months_from(date(2024, 4, 1), 3))
    path = write_episodes(tmp_path / "episodes.parquet", episodes)
    with DuckDBActivityStore(store_path) as store:
        store.import_file(_request(path, ActivityKind.EPISODES))
        stored = (
            store.connection()
            .execute("SELECT practice_code, service_line, pod, month, activity, cost_pence FROM activity ORDER BY ALL")
            .fetchall()
        )
    spark.read.parquet(str(path)).createOrReplaceTempView("episodes_test")
    table = ibis.pyspark.connect(spark).table("episodes_test")
    monthly = monthly_from_episodes(table, "EPISODE").to_pyarrow().to_pylist()
    on_spark = sorted(
        (r["practice_code"], r["service_line"], r["pod"], r["month"], r["activity"], r["cost_pence"]) for r in monthly
    )
    assert on_spark == stored and len(stored) == 3 * 2 * 3


def _request(path: Path, kind: ActivityKind = ActivityKind.AGGREGATED) -> ActivityImportRequest:
    return ActivityImportRequest(str(path), kind, "sus", WHEN)


def test_the_cli_gives_the_same_savings_with_backend_pyspark(spark: Any, tmp_path: Path, store_path: Path) -> None:
    rows = activity_rows(BASELINE_YEAR) + activity_rows(TERM_MONTHS[:3], seed=1)
    with DuckDBActivityStore(store_path) as store:
        store.import_file(_request(write_csv(tmp_path / "a.csv", rows)))
    agreement = str(_agreement(tmp_path))
    outputs = []
    for backend in ("duckdb", "pyspark"):
        result = CliRunner().invoke(
            app, ["savings", agreement, "--store", str(store_path), "--backend", backend, "--json"]
        )
        assert result.exit_code == 0, result.output
        outputs.append(json.loads(result.output))
    assert outputs[0] == outputs[1] and outputs[0]["settlements"]
