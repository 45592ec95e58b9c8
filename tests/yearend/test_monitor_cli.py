"""`gainshare monitor spc|forecast`, `distribute` and `referrals statements` over files."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from gainshare.interfaces.cli.main import app
from tests.yearend.conftest import EXAMPLES, MONTHS, actuals_csv, year_of_actuals

runner = CliRunner()
AGREEMENT = str(EXAMPLES / "agreement.yaml")


def test_spc_from_a_file_with_the_change_point_at_the_scheme_start(tmp_path: Path) -> None:
    spike = [40, 43, 38, 42, 39, 44, 37, 41, 95, 40]
    figures = tmp_path / "actuals.csv"
    figures.write_bytes(year_of_actuals(MONTHS[:10], spike))
    result = runner.invoke(
        app, ["monitor", "spc", str(figures), "--agreement", AGREEMENT, "--scheme", "anticoag", "--json"]
    )
    assert result.exit_code == 0, result.output
    chart = json.loads(result.output)
    assert [s["count"] for s in chart["segments"]] == [10, 10]
    spike_point = next(p for p in chart["points"] if p["label"] == "2025-12")
    assert (spike_point["value"], spike_point["rule"]) == ("190", "outside-limits")
    moved = runner.invoke(
        app,
        ["monitor", "spc", str(figures), "--agreement", AGREEMENT, "--scheme", "anticoag", "--change-point", "2025-09"],
    )
    assert moved.exit_code == 0 and "Segment 1" in moved.output


def test_bad_rows_are_named_and_nothing_is_done(tmp_path: Path) -> None:
    figures = tmp_path / "bad.csv"
    figures.write_bytes(actuals_csv([("2025-4", "anticoag", "Z00001", 1, 2, "x")]))  # type: ignore[list-item]
    result = runner.invoke(app, ["monitor", "spc", str(figures), "--agreement", AGREEMENT, "--scheme", "anticoag"])
    assert result.exit_code == 1
    assert "row 2" in result.output and "'month'" in result.output and "'hub_activity'" in result.output


def test_forecast_from_a_file(tmp_path: Path) -> None:
    figures = tmp_path / "actuals.csv"
    figures.write_bytes(year_of_actuals(MONTHS[:6]))
    result = runner.invoke(
        app, ["monitor", "forecast", str(figures), "--agreement", AGREEMENT, "--period", "2025-26", "--json"]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["months_observed"] == 6
    assert payload["lower_pence"] <= payload["outturn_pence"] <= payload["upper_pence"]
    assert payload["provider_share_pence"] > 0


def test_distribute_by_weighted_list_to_the_penny(tmp_path: Path) -> None:
    weights = tmp_path / "weights.csv"
    weights.write_text("practice,weighted_list,activity,score\nA81001,8000,300,0.9\nA81002,12000,100,0.8\n")
    result = runner.invoke(app, ["distribute", "1000.01", "--practices", str(weights), "--top-slice", "10%", "--json"])
    assert result.exit_code == 0, result.output
    lines = {line["recipient"]: line["amount_pence"] for line in json.loads(result.output)["lines"]}
    assert lines == {"FED": 10_000, "A81001": 36_000, "A81002": 54_001}  # 36,000.4 and 54,000.6: the penny to .6
    bad = runner.invoke(app, ["distribute", "1000", "--practices", str(weights), "--basis", "weird"])
    assert bad.exit_code == 1 and "weird" in bad.output


def test_referral_statements_file(tmp_path: Path) -> None:
    items = tmp_path / "items.csv"
    items.write_text(
        "referring_practice,providing_practice,month,items,price_per_item\n"
        "A81002,A81001,2025-05,12,35.00\nA81003,A81001,2025-05,4,35.00\nA81001,A81002,2025-05,3,22.50\n"
    )
    out = tmp_path / "statements.csv"
    result = runner.invoke(app, ["referrals", "statements", str(items), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "A81001 £492.50" in result.output and out.read_text().count("2025-05") == 3
    items.write_text("referring_practice,providing_practice,month,items\nA81002,A81002,2025-05,-1\n")
    bad = runner.invoke(app, ["referrals", "statements", str(items), "--out", str(out)])
    assert bad.exit_code == 1 and "price_per_item" in bad.output
