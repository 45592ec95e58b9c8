from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook
from typer.testing import CliRunner

from gainshare.interfaces.cli.main import app
from tests.reports.helpers import EXAMPLES, ROOT

runner = CliRunner()


def test_statement_writes_html_pdf_and_xlsx(tmp_path: Path) -> None:
    out = {kind: tmp_path / f"statement.{kind}" for kind in ("html", "pdf", "xlsx")}
    args = ["statement", str(ROOT / "examples/agreement.yaml"), str(ROOT / "examples/figures.yaml")]
    for kind, path in out.items():
        args += [f"--{kind}", str(path)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "northvale-msk v1 · 2025-26" in result.output
    assert "£66,999.42" in out["html"].read_text(encoding="utf-8")
    assert out["pdf"].read_bytes().startswith(b"%PDF-")
    assert load_workbook(out["xlsx"]).sheetnames == ["Statement", "Inputs", "Calculation"]


def test_statement_of_a_named_period(tmp_path: Path) -> None:
    folder = EXAMPLES / "nhs-payments-on-account-true-up"
    page = tmp_path / "s.html"
    args = ["statement", str(folder / "agreement.yaml"), str(folder / "figures.yaml"), "--period", "2025-26"]
    result = runner.invoke(app, [*args, "--html", str(page)])
    assert result.exit_code == 0, result.output
    assert "Settlement statement for 2025-26" in page.read_text(encoding="utf-8")


def test_statement_needs_an_output() -> None:
    result = runner.invoke(
        app, ["statement", str(ROOT / "examples/agreement.yaml"), str(ROOT / "examples/figures.yaml")]
    )
    assert result.exit_code == 2
    assert "--html" in result.output


def test_statement_of_an_unknown_period_writes_nothing(tmp_path: Path) -> None:
    page = tmp_path / "s.html"
    args = ["statement", str(ROOT / "examples/agreement.yaml"), str(ROOT / "examples/figures.yaml")]
    result = runner.invoke(app, [*args, "--period", "2040-41", "--html", str(page)])
    assert result.exit_code == 1
    assert not page.exists()
