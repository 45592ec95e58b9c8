"""The incentives, conflicts and landscape commands, end to end on small made files."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from gainshare.interfaces.cli.main import app
from tests.incentives.test_scheme_file import GOOD

runner = CliRunner()
LIST_SIZES = """PUBLICATION,EXTRACT_DATE,TYPE,CCG_CODE,ONS_CCG_CODE,CODE,POSTCODE,SEX,AGE,NUMBER_OF_PATIENTS
GP_PRAC_PAT_LIST,01APR2015,GP,03W,E38000051,C82001,LE1 1AA,ALL,ALL,1001
GP_PRAC_PAT_LIST,01APR2015,GP,03W,E38000051,C82002,LE1 1AB,ALL,ALL,2003
"""
REGISTER = """gainshare_conflicts_register: 1
organisation: NHS ELR CCG
declarations:
  - {person: a.gp@nhs.net, name: Dr A GP, role: GP member, organisation: {ods_code: C82001, name: The Surgery},
     nature: financial, description: Partner, from: 2014-04-01}
"""


def test_schedule_json_adds_up(tmp_path: Path) -> None:
    (tmp_path / "scheme.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "lists.csv").write_text(LIST_SIZES, encoding="utf-8")
    result = runner.invoke(
        app, ["incentives", "schedule", str(tmp_path / "scheme.yaml"), str(tmp_path / "lists.csv"), "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["total_entitlement_pence"] == 751_000  # 3004 patients x GBP 2.50
    assert sum(line["entitlement_pence"] for line in data["lines"]) == 751_000
    assert {line["status"] for line in data["lines"] if line["stage"] != "up-front"} == {"awaiting sign-off"}


def test_a_bad_scheme_file_exits_1_naming_the_problem(tmp_path: Path) -> None:
    (tmp_path / "scheme.yaml").write_text(GOOD.replace('"2.50"', "2.50"), encoding="utf-8")
    (tmp_path / "lists.csv").write_text(LIST_SIZES, encoding="utf-8")
    result = runner.invoke(app, ["incentives", "schedule", str(tmp_path / "scheme.yaml"), str(tmp_path / "lists.csv")])
    assert result.exit_code == 1
    assert "rate_per_patient: write it as a quoted string" in result.output


def test_register_writes_html_and_csv(tmp_path: Path) -> None:
    (tmp_path / "register.yaml").write_text(REGISTER, encoding="utf-8")
    html, csv_out = tmp_path / "register.html", tmp_path / "register.csv"
    result = runner.invoke(
        app, ["conflicts", "register", str(tmp_path / "register.yaml"), "--html", str(html), "--csv", str(csv_out)]
    )
    assert result.exit_code == 0, result.output
    assert "Dr A GP" in html.read_text(encoding="utf-8")
    assert csv_out.read_text(encoding="utf-8").splitlines()[1].startswith("Dr A GP,a.gp@nhs.net")


def test_landscape_filters_by_status_and_icb() -> None:
    result = runner.invoke(app, ["landscape", "--status", "federated", "--icb", "QMF"])
    assert result.exit_code == 0, result.output
    assert "4 CCGs" in result.output
    assert runner.invoke(app, ["landscape", "--status", "maybe"]).exit_code == 2
