"""The opportunity pack: the workbook's formulas, evaluated by pycel (a Python formula engine), give the engine's
Decimal results to the penny; the PDF shows the same figures and labels every assumption; `discover pack` writes
both files."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from pycel import ExcelCompiler
from typer.testing import CliRunner

from gainshare.adapters.discover_datasets import FolderDiscoverDatasets, write_demo_dataset
from gainshare.bootstrap import discover_service
from gainshare.domain.catalogue import Assumption, Evidence
from gainshare.domain.money import Money
from gainshare.domain.opportunity import OpportunityCase
from gainshare.engines.demo.federation import DemoParameters, generate_federation
from gainshare.engines.opportunity import appraise
from gainshare.interfaces.cli.main import app
from gainshare.reports.discover_pack import pack_html, pack_pdf
from gainshare.reports.discover_workbook import NOT_WITHIN, WorkbookLayout, write_workbook
from gainshare.services.discover import OpportunityPack, OpportunityReport, Period

PENNY = 0.005
GENERATED = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("discover")
    write_demo_dataset(generate_federation(DemoParameters()), root, "Y99901")
    return root


@pytest.fixture(scope="module")
def demo_pack(demo_folder: Path) -> OpportunityPack:
    dataset = FolderDiscoverDatasets(demo_folder).find("Y99901")
    assert dataset is not None
    return discover_service().pack(dataset.inputs, title="Demo pack", source=dataset.description)


def evaluate(data: bytes, folder: Path) -> ExcelCompiler:
    """pycel over the workbook with no cached values (XlsxWriter stores 0 for every formula): all recomputed."""
    path = folder / "pack.xlsx"
    path.write_bytes(data)
    return ExcelCompiler(excel=openpyxl.load_workbook(path))


def _case(service_line: str, setup: int, running: int, ramp: int, movable: str = "0.5") -> OpportunityCase:
    evidence = Evidence("a test value")
    return OpportunityCase(
        service_line=service_line,
        name=service_line.title(),
        annual_hospital_activity=Decimal(1000),
        movable_share=Decimal(movable),
        hospital_price=Money(10_000),
        out_of_hospital_cost=Money(6_000),
        setup_cost=Money(setup),
        annual_running_cost=Money(running),
        ramp_up_months=ramp,
        assumptions=(Assumption(f"{service_line}.setup_cost", str(setup), evidence),),
    )


def worked_pack() -> OpportunityPack:
    """The docs' worked example (NPV £22,024.55, payback 1.33 years) and three edge cases: a 7-month ramp with
    uneven pence, no set-up (payback 0), and a set-up never repaid within the term."""
    cases = [
        _case("worked", 2_000_000, 500_000, 0),
        _case("ramped", 1_234_567, 123_456, 7, "0.37"),
        _case("free", 0, 100_000, 3),
        _case("never", 90_000_000, 1_900_000, 12),
    ]
    report = OpportunityReport(appraise(cases, 3), Period((date(2024, 4, 1),)))
    return OpportunityPack("Worked example", "test cases", report, ())


def _pounds(money: Money) -> float:
    return float(money.as_decimal_pounds())


def check_services(xl: ExcelCompiler, pack: OpportunityPack, layout: WorkbookLayout) -> None:
    for item in pack.opportunity.appraisal.services:
        cells = layout.services[item.case.service_line]
        assert abs(xl.evaluate(cells.npv) - _pounds(item.npv)) < PENNY, item.case.service_line
        assert abs(xl.evaluate(cells.net_saving) - _pounds(item.net_saving)) < PENNY
        for year, gross, net, factor in zip(item.years, cells.gross, cells.net, cells.factor, strict=True):
            assert abs(xl.evaluate(gross) - _pounds(year.gross_saving)) < PENNY, (item.case.service_line, year)
            assert abs(xl.evaluate(net) - _pounds(year.net)) < PENNY
            assert xl.evaluate(factor) == pytest.approx(float(year.discount_factor), rel=1e-12)
        for payback, cell in ((item.payback, cells.payback), (item.discounted_payback, cells.discounted_payback)):
            value: Any = xl.evaluate(cell)
            if payback.years is None:
                assert value == NOT_WITHIN
            else:
                assert value == pytest.approx(float(payback.years), abs=1e-9)
        assert xl.evaluate(layout.summary_rank[item.case.service_line]) == item.rank


def test_worked_example_formulas_match_the_engine(tmp_path: Path) -> None:
    pack = worked_pack()
    by_line = {item.case.service_line: item for item in pack.opportunity.appraisal.services}
    assert by_line["worked"].npv == Money(2_202_455)  # docs/discover.md
    assert by_line["never"].payback.years is None
    assert by_line["free"].payback.years == 0
    data, layout = write_workbook(pack)
    xl = evaluate(data, tmp_path)
    check_services(xl, pack, layout)
    assert xl.evaluate(layout.services["worked"].npv) == pytest.approx(22_024.55, abs=1e-9)
    assert xl.evaluate(layout.services["worked"].payback) == pytest.approx(4 / 3, abs=1e-12)


def test_changing_the_discount_rate_cell_changes_every_npv(tmp_path: Path) -> None:
    """The rate is one input cell that the service sheets use, not a value pasted into each."""
    pack = worked_pack()
    data, layout = write_workbook(pack)
    xl = evaluate(data, tmp_path)
    before = xl.evaluate(layout.services["worked"].npv)
    xl.set_value("Summary!B5", 0.0)
    assert xl.evaluate(layout.services["worked"].npv) == pytest.approx(-20_000 + 3 * 15_000, abs=1e-9)
    assert before != xl.evaluate(layout.services["worked"].npv)


def test_demo_pack_formulas_match_the_engine(demo_pack: OpportunityPack, tmp_path: Path) -> None:
    data, layout = write_workbook(demo_pack)
    xl = evaluate(data, tmp_path)
    check_services(xl, demo_pack, layout)
    for report in demo_pack.variations:
        for practice in report.result.practices:
            key = (report.result.service_line, practice.practice_code)
            assert xl.evaluate(layout.funnel_status[key]) == practice.significance.value, key
            assert xl.evaluate(layout.funnel_ratio[key]) == pytest.approx(float(practice.ratio), rel=1e-12)


def test_demo_pack_lists_every_assumption_with_its_kind(demo_pack: OpportunityPack, tmp_path: Path) -> None:
    data, _layout = write_workbook(demo_pack)
    path = tmp_path / "pack.xlsx"
    path.write_bytes(data)
    book = openpyxl.load_workbook(path)
    rows = [row for row in book["Assumptions"].iter_rows(min_row=5, values_only=True) if row[0]]
    subjects = {row[0]: row for row in rows}
    assert subjects["discount_rate"][1] == "3.5%"
    assert subjects["discount_rate"][2] == "sourced"
    assert "Green Book" in str(subjects["discount_rate"][4])
    assert any(row[2] == "assumption" for row in rows)
    assert "funnel_limits" in subjects
    assert {"Summary", "Assumptions", "Funnel data", "Funnel limits", "ecg"} <= set(book.sheetnames)


def test_pdf_pack_shows_the_figures_and_labels_assumptions(demo_pack: OpportunityPack) -> None:
    html = pack_html(demo_pack, GENERATED)
    appraisal = demo_pack.opportunity.appraisal
    for item in appraisal.services:
        assert item.npv.format() in html
        assert item.case.name in html
    assert appraisal.total_npv.format() in html
    assert "<strong>assumption</strong>" in html
    assert "Z90010" in html  # the ECG outlier planted in the demo, in the list of practices outside the limits
    assert html.count("data:image/svg+xml;base64,") == len(demo_pack.variations)
    pdf = pack_pdf(demo_pack, GENERATED)
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")


def test_cli_writes_both_files(demo_folder: Path, tmp_path: Path) -> None:
    folder = demo_folder / "Y99901"
    pdf, xlsx = tmp_path / "pack.pdf", tmp_path / "pack.xlsx"
    result = CliRunner().invoke(
        app,
        ["discover", "pack", str(folder / "activity.csv"), str(folder / "list_sizes.csv"), "--to", "2024-03",
         "--pdf", str(pdf), "--xlsx", str(xlsx)],
        env={"COLUMNS": "200"},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert pdf.read_bytes().startswith(b"%PDF-")
    book = openpyxl.load_workbook(xlsx)
    assert book["Summary"]["B5"].value == 0.035
    assert "Total NPV of 10 services" in result.output


def test_cli_needs_an_output(demo_folder: Path) -> None:
    folder = demo_folder / "Y99901"
    result = CliRunner().invoke(app, ["discover", "pack", str(folder / "activity.csv"), str(folder / "list_sizes.csv")])
    assert result.exit_code == 2
    assert "--pdf" in result.output
