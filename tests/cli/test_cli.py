"""The CLI as a user runs it: exit codes, messages, tables and JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml
from typer.testing import CliRunner

from gainshare.interfaces.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
AGREEMENT = ROOT / "examples" / "agreement.yaml"
FIGURES = ROOT / "examples" / "figures.yaml"
runner = CliRunner()


def test_validate_ok() -> None:
    result = runner.invoke(app, ["agreement", "validate", str(AGREEMENT)])
    assert result.exit_code == 0, result.output
    assert "is valid" in result.output and "3 settlement" in result.output


def test_validate_reports_problems_with_exit_code_1(tmp_path: Path) -> None:
    data = yaml.safe_load(AGREEMENT.read_text())
    data["sharing"]["gains"]["provider_share"] = "150%"
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data))
    result = runner.invoke(app, ["agreement", "validate", str(bad)])
    assert result.exit_code == 1
    assert "1 problem found; nothing was done." in result.output
    assert "sharing.gains.provider_share: 150% is outside 0% to 100%" in result.output
    assert "Traceback" not in result.output


def test_show_lists_clauses() -> None:
    result = runner.invoke(app, ["agreement", "show", str(AGREEMENT)], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    assert "sharing.gains.provider_share" in result.output and "50%" in result.output


def test_diff_shows_clause_changes(tmp_path: Path) -> None:
    data = yaml.safe_load(AGREEMENT.read_text())
    data["version"] = 2
    data["sharing"]["gains"]["provider_share"] = "60%"
    data["schemes"].append({"id": "ecg", "name": "ECG", "hospital_price": "60", "provision_price": "30"})
    later = tmp_path / "v2.yaml"
    later.write_text(yaml.safe_dump(data))
    result = runner.invoke(app, ["agreement", "diff", str(AGREEMENT), str(later)], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    assert "version 1 → 2" in result.output
    assert "sharing.gains.provider_share" in result.output and "60%" in result.output
    assert "schemes[ecg].name" in result.output and "added" in result.output


def test_settle_json_adds_up() -> None:
    result = runner.invoke(app, ["settle", str(AGREEMENT), str(FIGURES), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    [settlement] = payload["settlements"]
    shares = settlement["shares"]
    assert sum(share["pence"] for share in shares.values()) == settlement["net_saving"]["pence"]
    assert all(isinstance(line["amount_pence"], int) for line in settlement["lines"])
    assert all(line["clause"] for line in settlement["lines"])
    [transaction] = payload["ledger"]
    assert sum(posting["pence"] for posting in transaction["postings"]) == 0


def test_settle_table_shows_shares() -> None:
    result = runner.invoke(app, ["settle", str(AGREEMENT), str(FIGURES)], env={"COLUMNS": "140"})
    assert result.exit_code == 0, result.output
    assert "Northvale GP Federation receives" in result.output
    assert "Final true-up" in result.output


def test_settle_with_bad_figures_exits_1_and_names_the_row(tmp_path: Path) -> None:
    figures = tmp_path / "f.csv"
    figures.write_text("period,scheme,baseline_activity,actual_activity\n2025-04,anticoag,10,2\n2031-04,nope,1,1\n")
    result = runner.invoke(app, ["settle", str(AGREEMENT), str(figures)])
    assert result.exit_code == 1
    assert "row 3" in result.output and "'nope' is not in the agreement" in result.output
    assert "outside the agreement's term" in result.output


def test_settle_unknown_period_is_named() -> None:
    result = runner.invoke(app, ["settle", str(AGREEMENT), str(FIGURES), "--period", "2040-41"])
    assert result.exit_code == 1
    assert "'2040-41' is not a settlement period" in result.output


def test_help_everywhere() -> None:
    for args in (["--help"], ["agreement", "--help"], ["settle", "--help"], ["agreement", "diff", "--help"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0
        assert "Usage" in result.output


def test_python_dash_m_works() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "gainshare", "--version"], capture_output=True, text=True, check=True
    )
    assert result.stdout.startswith("gainshare ")


def test_schema_is_json_schema() -> None:
    result = runner.invoke(app, ["agreement", "schema"])
    schema = json.loads(result.output)
    assert schema["$schema"].endswith("2020-12/schema")
    assert "sharing" in schema["properties"]
