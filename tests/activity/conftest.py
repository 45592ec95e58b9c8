"""Small activity data made by the tests themselves, and one shared local Spark session."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from gainshare.adapters.activity.spark_backend import local_session
from gainshare.adapters.loaders.activity_schema import ACTIVITY_COLUMNS, ACTIVITY_SCHEMA, EPISODE_SCHEMA
from gainshare.domain.agreement import Agreement, BaselineAdjustments, Scheme
from gainshare.domain.money import Money
from gainshare.domain.periods import add_months
from tests.builders import agreement

WHEN = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)
PRACTICES = ("A81001", "A81002", "B82003")
LINES = ("anticoag", "joint-injections", "dermatology")


def two_scheme_agreement() -> Agreement:
    return agreement(
        term_start=date(2025, 4, 1),
        term_end=date(2027, 3, 31),
        baseline=BaselineAdjustments(Decimal("0.012"), Decimal("0.025"), Decimal("0.011")),
        schemes=(
            Scheme("anticoag", "Anticoagulation", Money(3400), Money(2150)),
            Scheme("joint-injections", "Joint injections", Money(14200), Money(8500)),
        ),
    )


def activity_rows(months: list[date], seed: int = 0) -> list[dict[str, Any]]:
    """Deterministic aggregated rows: every practice x line x pod (hospital OP, out-of-hospital HUB) x month."""
    rows = []
    for month in months:
        for p, practice in enumerate(PRACTICES):
            for s, line in enumerate(LINES):
                for pod in ("OP", "HUB"):
                    count = (7 * p + 5 * s + month.month + seed + (3 if pod == "OP" else 0)) % 23 + 1
                    rows.append(
                        {
                            "practice_code": practice,
                            "service_line": line,
                            "pod": pod,
                            "month": month,
                            "activity": count,
                            "cost_pence": count * (1234 + 17 * s),
                        }
                    )
    return rows


def months_from(start: date, count: int) -> list[date]:
    return [add_months(start, index) for index in range(count)]


def write_csv(path: Path, rows: list[dict[str, Any]], columns: tuple[str, ...] = ACTIVITY_COLUMNS) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns))
        writer.writeheader()
        for row in rows:
            writer.writerow(
                {key: (value.isoformat() if isinstance(value, date) else value) for key, value in row.items()}
            )
    return path


def write_parquet(path: Path, rows: list[dict[str, Any]], schema: pa.Schema = ACTIVITY_SCHEMA) -> Path:
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), path)
    return path


def episode_rows(months: list[date]) -> list[dict[str, Any]]:
    """Patient-level episodes on several days of each month (so summing to months is really tested)."""
    rows = []
    for month in months:
        for p, practice in enumerate(PRACTICES):
            for s, line in enumerate(LINES[:2]):
                for n in range((p + s + month.month) % 4 + 1):
                    rows.append(
                        {
                            "patient_id": f"P{p}{s}{n}{month:%y%m}",
                            "practice_code": practice,
                            "date": month.replace(day=1 + 9 * (n % 3)),
                            "code": "WH12Z",
                            "service_line": line,
                            "cost_pence": 1000 + 10 * n,
                        }
                    )
    return rows


def write_episodes(path: Path, rows: list[dict[str, Any]]) -> Path:
    return write_parquet(path, rows, EPISODE_SCHEMA)


BASELINE_YEAR = months_from(date(2024, 4, 1), 12)
TERM_MONTHS = months_from(date(2025, 4, 1), 15)  # 2025-04 to 2026-06: the first year and a quarter of the second


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "activity.duckdb"


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """One local Spark session for the whole test run (startup takes seconds)."""
    session = local_session(cores=1, shuffle_partitions=2)
    yield session
    session.stop()
