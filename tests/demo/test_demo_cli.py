"""`gainshare demo generate` end to end: files, schemas, determinism to the byte, and a settlement that works."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from gainshare.adapters.loaders.activity_schema import ACTIVITY_SCHEMA
from gainshare.interfaces.cli.main import app

runner = CliRunner()
TABLES = ("practices", "list_sizes", "activity", "hub_activity", "prices")


def _generate(directory: Path, *extra: str) -> None:
    result = runner.invoke(app, ["demo", "generate", "--out", str(directory), *extra])
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("demo")
    _generate(directory)
    return directory


def test_writes_every_table_in_csv_and_parquet(demo: Path) -> None:
    names = {path.name for path in demo.iterdir()}
    expected = {f"{table}.{fmt}" for table in TABLES for fmt in ("csv", "parquet")}
    assert expected | {"agreement.yaml", "figures.yaml", "metadata.json"} == names
    for table in TABLES:
        from_parquet = pq.read_table(demo / f"{table}.parquet")
        from_csv = pa_csv.read_csv(demo / f"{table}.csv").cast(from_parquet.schema)
        assert from_csv.equals(from_parquet), table


def test_activity_follows_the_shared_activity_schema(demo: Path) -> None:
    for name in ("activity", "hub_activity"):
        table = pq.read_table(demo / f"{name}.parquet")
        assert table.schema.equals(ACTIVITY_SCHEMA), name
        assert table.num_rows == 30 * 10 * 36
    hub_pods = set(pq.read_table(demo / "hub_activity.parquet").column("pod").to_pylist())
    assert hub_pods == {"HUB"}


def test_costs_are_integer_pence_matching_the_price_list(demo: Path) -> None:
    activity = pq.read_table(demo / "activity.parquet").to_pylist()
    prices = {
        (row["service_line"], row["financial_year"]): row["hospital_price_pence"]
        for row in pq.read_table(demo / "prices.parquet").to_pylist()
    }
    for row in activity[::97]:
        month = row["month"]
        year = month.year if month.month >= 4 else month.year - 1
        label = f"{year}-{(year + 1) % 100:02d}"
        assert row["cost_pence"] == row["activity"] * prices[(row["service_line"], label)]
    assert pq.read_schema(demo / "prices.parquet").field("hub_price_pence").type == pa.int64()


def test_list_sizes_add_up_to_the_practice_list(demo: Path) -> None:
    bands = pq.read_table(demo / "list_sizes.parquet")
    assert bands.num_rows == 30 * 36 * 2 * 20
    practices = pq.read_table(demo / "practices.parquet").to_pylist()
    last_month = max(bands.column("month").to_pylist())
    latest = bands.filter(pa.compute.equal(bands.column("month"), pa.scalar(last_month, pa.date32())))
    by_practice: dict[str, int] = {}
    for row in latest.to_pylist():
        by_practice[row["practice_code"]] = by_practice.get(row["practice_code"], 0) + row["patients"]
    assert by_practice == {row["practice_code"]: row["list_size"] for row in practices}


def test_metadata_records_the_planted_outliers(demo: Path) -> None:
    metadata = json.loads((demo / "metadata.json").read_text())
    assert metadata["synthetic"] is True and metadata["months"] == 36
    outliers = metadata["planted_outliers"]
    assert len(outliers) == 4
    codes = set(pq.read_table(demo / "practices.parquet").column("practice_code").to_pylist())
    lines = set(pq.read_table(demo / "prices.parquet").column("service_line").to_pylist())
    for outlier in outliers:
        assert outlier["practice_code"] in codes and outlier["service_line"] in lines
        assert outlier["direction"] in {"high", "low"} and outlier["factor"] != 1
    assert set(metadata["hub_hosts"]) <= codes
    assert metadata["rows"]["activity"] == 10_800


def test_same_seed_same_bytes_and_different_seed_different(tmp_path: Path, demo: Path) -> None:
    _generate(tmp_path / "again")
    _generate(tmp_path / "other", "--seed", "99")
    for path in sorted(demo.iterdir()):
        assert (tmp_path / "again" / path.name).read_bytes() == path.read_bytes(), path.name
    assert (tmp_path / "other" / "activity.parquet").read_bytes() != (demo / "activity.parquet").read_bytes()
    assert (tmp_path / "other" / "figures.yaml").read_bytes() != (demo / "figures.yaml").read_bytes()


def test_the_demo_agreement_settles(demo: Path) -> None:
    result = runner.invoke(app, ["settle", str(demo / "agreement.yaml"), str(demo / "figures.yaml"), "--json"])
    assert result.exit_code == 0, result.output
    settlements = json.loads(result.output)["settlements"]
    assert [item["period"] for item in settlements] == ["2024-25", "2025-26"]
    for item in settlements:
        saving = item["net_saving"]["pence"]
        assert 0 < saving < item["baseline_cost"]["pence"] * 0.3  # the hubs save money, plausibly
        assert sum(share["pence"] for share in item["shares"].values()) == saving
    text = runner.invoke(app, ["settle", str(demo / "agreement.yaml"), str(demo / "figures.yaml")])
    assert text.exit_code == 0 and "Northvale GP Federation" in text.output


def test_the_demo_agreement_is_valid(demo: Path) -> None:
    result = runner.invoke(app, ["agreement", "validate", str(demo / "agreement.yaml")])
    assert result.exit_code == 0, result.output


def test_national_mode_writes_chunked_parquet(tmp_path: Path) -> None:
    _generate(tmp_path, "--national-rows", "5_000", "--chunk-rows", "1000", "--rows-per-file", "2000")
    files = sorted((tmp_path / "national").glob("episodes-*.parquet"))
    assert len(files) == 3
    assert sum(pq.ParquetFile(path).metadata.num_rows for path in files) == 5_000
    assert sum(pq.ParquetFile(path).metadata.num_row_groups for path in files) == 5


@pytest.mark.parametrize("arguments", [["--practices", "0"], ["--national-rows", "10", "--chunk-rows", "0"]])
def test_bad_parameters_exit_1_and_write_nothing(tmp_path: Path, arguments: list[str]) -> None:
    result = runner.invoke(app, ["demo", "generate", "--out", str(tmp_path / "out"), *arguments])
    assert result.exit_code == 1
    assert not (tmp_path / "out").exists()
