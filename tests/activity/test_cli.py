"""`gainshare data import`, `gainshare baseline` and `gainshare savings` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from typer.testing import CliRunner

from gainshare.interfaces.cli.main import app
from tests.activity.conftest import BASELINE_YEAR, TERM_MONTHS, activity_rows, write_csv, write_parquet

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def _agreement(tmp_path: Path) -> Path:
    """The example agreement, with its term moved to start where the test data's term does."""
    data = yaml.safe_load((ROOT / "examples" / "agreement.yaml").read_text())
    data["term"] = {"start": "2025-04-01", "end": "2027-03-31", "settlement_period": "annual"}
    data["schemes"][0]["setup_funding"]["period"] = "2025-26"
    for scheme in data["schemes"]:  # the shorter term has no 2027-28 to plan for
        scheme.get("planned_saving", {}).pop("2027-28", None)
    path = tmp_path / "agreement.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def _import(path: Path, store: Path, *extra: str) -> str:
    result = runner.invoke(app, ["data", "import", str(path), "--kind", "activity", "--store", str(store), *extra])
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())  # the console wraps long lines


def test_import_baseline_and_savings(tmp_path: Path) -> None:
    store = tmp_path / "store.duckdb"
    data = write_parquet(tmp_path / "a.parquet", activity_rows(BASELINE_YEAR) + activity_rows(TERM_MONTHS, seed=2))
    output = _import(data, store)
    assert "27 month(s) added" in output
    again = _import(data, store)
    assert "was imported before" in again and "nothing changed" in again

    agreement = _agreement(tmp_path)
    baseline = runner.invoke(app, ["baseline", str(agreement), "--store", str(store), "--json"])
    assert baseline.exit_code == 0, baseline.output
    totals = json.loads(baseline.output)["totals"]
    assert {(t["period"], t["scheme"]) for t in totals} == {
        (period, scheme) for period in ("2025-26", "2026-27") for scheme in ("anticoag", "joint-injections")
    }
    assert all(isinstance(t["baseline_cost_pence"], int) for t in totals)

    savings = runner.invoke(app, ["savings", str(agreement), "--store", str(store), "--json"])
    assert savings.exit_code == 0, savings.output
    payload = json.loads(savings.output)
    assert [s["period"] for s in payload["settlements"]] == ["2025-26", "2026-27"]
    assert len(payload["figures"]) == 2 * len(TERM_MONTHS)

    table = runner.invoke(app, ["savings", str(agreement), "--store", str(store), "--period", "2025-26"])
    assert table.exit_code == 0, table.output
    assert "savings 2025-26" in table.output and "Net saving" in table.output


def test_a_corrected_month_is_reported_as_replaced(tmp_path: Path) -> None:
    store = tmp_path / "store.duckdb"
    _import(write_csv(tmp_path / "a.csv", activity_rows(BASELINE_YEAR[:2])), store, "--source", "acute")
    output = _import(
        write_csv(tmp_path / "b.csv", activity_rows(BASELINE_YEAR[1:2], seed=1)), store, "--source", "acute"
    )
    assert "replaced" in output and "1 replaced" in output


def test_problems_exit_with_code_1_and_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("practice_code,service_line,pod,month,activity,cost_pence\nA1,x,OP,2024-04-01,-2,5\n")
    result = runner.invoke(app, ["data", "import", str(bad), "--kind", "activity", "--store", str(tmp_path / "s")])
    assert result.exit_code == 1
    assert "nothing was done" in result.output and "negative" in result.output and "bad.csv" in result.output
    missing = runner.invoke(app, ["savings", str(_agreement(tmp_path)), "--store", str(tmp_path / "none.duckdb")])
    assert missing.exit_code == 1 and "no activity store here yet" in missing.output
    mapping = runner.invoke(app, ["baseline", str(_agreement(tmp_path)), "--store", str(tmp_path / "s"), "--map", "x"])
    assert mapping.exit_code == 1 and "SCHEME=LINE" in mapping.output
