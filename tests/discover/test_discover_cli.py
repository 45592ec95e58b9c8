"""`gainshare discover` end to end on the demo federation's files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gainshare.interfaces.cli.main import app

runner = CliRunner()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    result = runner.invoke(app, ["demo", "generate", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_variation_flags_the_recorded_outlier(demo: Path) -> None:
    planted = json.loads((demo / "metadata.json").read_text())["planted_outliers"][0]
    result = runner.invoke(
        app,
        ["discover", "variation", str(demo / "activity.csv"), str(demo / "list_sizes.csv"),
         "--service-line", planted["service_line"], "--from", "2023-04", "--to", "2024-03"],
        env={"COLUMNS": "250"},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if planted["practice_code"] in line)
    assert ("above 99.8%" if planted["direction"] == "high" else "below 99.8%") in row
    assert "Assumptions used" in result.output
    assert "funnel_limits = phe" in result.output


def test_opportunity_ranks_services_and_states_assumptions(demo: Path) -> None:
    result = runner.invoke(
        app,
        ["discover", "opportunity", str(demo / "activity.csv"), "--to", "2024-03", "--term-years", "3"],
        env={"COLUMNS": "250"},
    )
    assert result.exit_code == 0, result.output
    assert "Services ranked by NPV over 3 years at 3.5%" in result.output
    assert "discount_rate = 3.5%" in result.output
    assert "assumption:" in result.output
    assert "end of that year" in result.output


def test_unknown_service_line_is_a_user_error(demo: Path) -> None:
    result = runner.invoke(
        app,
        ["discover", "variation", str(demo / "activity.csv"), str(demo / "list_sizes.csv"), "-s", "nonsense"],
    )
    assert result.exit_code == 1
    assert "not in the catalogue" in result.output
