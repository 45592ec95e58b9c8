"""`gainshare discover` end to end on the demo federation's files."""

from __future__ import annotations

import json
from decimal import Decimal
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


def _reference_file(demo: Path, folder: Path, rate: str, leave_out: str = "") -> Path:
    """A flat national rate for every sex and age band the demo's list sizes have, and the crude rate."""
    lines = (demo / "list_sizes.csv").read_text().splitlines()[1:]
    bands = sorted({tuple(cell.strip('"') for cell in line.split(",")[2:4]) for line in lines})
    rows = ["service_line,sex,age_band,rate_per_1000", "other-service,Persons,All ages,999"]
    rows += [f"anticoag,{'Male' if sex == 'M' else 'Female'},{band},{rate}" for sex, band in bands if band != leave_out]
    rows.append(f"anticoag,Persons,All ages,{rate}")
    path = folder / f"reference-{rate}-{leave_out or 'all'}.csv"
    path.write_text("\n".join(rows) + "\n")
    return path


def test_variation_against_a_national_reference(demo: Path, tmp_path: Path) -> None:
    reference = _reference_file(demo, tmp_path, "20")
    result = runner.invoke(
        app,
        ["discover", "variation", str(demo / "activity.csv"), str(demo / "list_sizes.csv"), "-s", "anticoag",
         "--from", "2023-04", "--to", "2024-03", "--reference", str(reference)],
        env={"COLUMNS": "250"},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "(national reference)" in result.output and reference.name in result.output
    table = [line.replace("│", " ").split() for line in result.output.splitlines()]
    rows = [cells for cells in table if cells and cells[0].startswith("Z9")]
    assert len(rows) > 20
    for cells in rows:  # 20 per 1,000 a year over twelve months: expected = patients x 0.02, by hand
        patients, expected = Decimal(cells[1].replace(",", "")), Decimal(cells[3].replace(",", ""))
        assert expected == (patients * Decimal("0.02")).quantize(Decimal("0.1"))


def test_a_reference_missing_a_band_the_practices_have_is_refused(demo: Path, tmp_path: Path) -> None:
    reference = _reference_file(demo, tmp_path, "20", leave_out="85-89")
    result = runner.invoke(
        app,
        ["discover", "variation", str(demo / "activity.csv"), str(demo / "list_sizes.csv"), "-s", "anticoag",
         "--reference", str(reference)],
    )  # fmt: skip
    assert result.exit_code == 1
    assert "the reference has no rate for female 85_89, male 85_89" in " ".join(result.output.split())
