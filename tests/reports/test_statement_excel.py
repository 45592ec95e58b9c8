"""The statement workbook's formulas, evaluated by a formula engine (pycel), agree with the settlement engine.

pycel reads the formulas XlsxWriter wrote; recalculate() throws away the cached results (which the writer fills
from the engine) so every checked cell is computed from the Inputs sheet. The mutation tests change an input and
see the result move, which proves the cells are live formulas.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from pycel import ExcelCompiler

from gainshare.domain.terms import RoundingMode
from gainshare.engines.rounding import round_pence
from gainshare.reports.context import StatementContext
from gainshare.reports.excel_statement import StatementWorkbook, build_statement_workbook
from tests.reports.helpers import EXAMPLES, ROOT, contexts, pence

CASES = {
    "flat-with-setup-and-true-up": ROOT / "examples",
    "threshold-not-met": EXAMPLES / "mssp-basic-a-msr-not-met",
    "population-threshold-met": EXAMPLES / "mssp-basic-a-msr-met",
    "excess-only": EXAMPLES / "nhs-excess-only-threshold",
    "banded": EXAMPLES / "nhs-banded-shares",
    "cap": EXAMPLES / "mssp-enhanced-savings-capped",
    "loss-two-sided-revenue-limit": EXAMPLES / "mssp-basic-e-loss-revenue-limit",
    "loss-benchmark-limit": EXAMPLES / "mssp-basic-e-loss-benchmark-limit",
    "loss-below-threshold": EXAMPLES / "mssp-basic-e-loss-below-mlr",
    "loss-floor": EXAMPLES / "mssp-enhanced-loss-floor",
    "loss-ceiling": EXAMPLES / "mssp-enhanced-loss-ceiling",
    "loss-quality-fails": EXAMPLES / "mssp-enhanced-loss-quality-fails",
    "quality-multiplier": EXAMPLES / "mssp-basic-a-quality-sliding-scale",
    "quality-gate-fails": EXAMPLES / "mssp-basic-a-quality-gate-fails",
    "half-up": EXAMPLES / "nhs-rounding-half-up",
    "half-even": EXAMPLES / "nhs-rounding-half-even",
    "multilateral-split": EXAMPLES / "nhs-multilateral-split",
    "payments-on-account": EXAMPLES / "nhs-payments-on-account-true-up",
}


def evaluated(ctx: StatementContext, tmp_path: Path) -> tuple[StatementWorkbook, ExcelCompiler]:
    workbook = build_statement_workbook(ctx)
    path = tmp_path / f"statement-{ctx.period.id}.xlsx"
    path.write_bytes(workbook.content)
    compiler = ExcelCompiler(filename=str(path))
    for address in workbook.cells.values():
        compiler.evaluate(address)
    compiler.recalculate()  # drop the cached results: compute every cell from the formulas
    return workbook, compiler


def expected_pence(ctx: StatementContext) -> dict[str, int]:
    s = ctx.settlement
    wanted = {
        "net_saving": s.net_saving.pence,
        "baseline": s.baseline_cost.pence,
        "provider_side": ctx.provider_side.amount.pence,
        "commissioner_side": ctx.commissioner_total.pence,
        "statement:net_saving": s.net_saving.pence,
        "statement:provider_side": ctx.provider_side.amount.pence,
    }
    for party, amount in s.shares:
        wanted[f"share:{party}"] = wanted[f"statement:share:{party}"] = amount.pence
    for party, amount in s.true_ups:
        wanted[f"true_up:{party}"] = wanted[f"statement:true_up:{party}"] = amount.pence
    for scheme in ctx.schemes:
        for line in scheme.lines:
            wanted[f"scheme:{scheme.id}:{line.code}"] = line.amount.pence
    for index, line in enumerate(ctx.steps):
        wanted[f"statement:step:{index}:{line.code}"] = line.amount.pence
    for index, tx in enumerate(ctx.ledger):
        for posting in tx.postings:
            amount = posting.debit.pence if posting.debit else -(posting.credit.pence if posting.credit else 0)
            wanted[f"posting:{index}:{posting.account}"] = amount
    return wanted


@pytest.mark.parametrize("folder", CASES.values(), ids=CASES.keys())
def test_formulas_recompute_the_engines_pence(folder: Path, tmp_path: Path) -> None:
    for ctx in contexts(folder):
        workbook, compiler = evaluated(ctx, tmp_path)
        wanted = expected_pence(ctx)
        got = {key: pence(compiler.evaluate(workbook.cells[key])) for key in wanted if key in workbook.cells}
        assert got == {key: wanted[key] for key in got}, f"{folder.name} {ctx.period.id}"
        # every share, true-up and ledger posting has a formula cell; every step has one on the Statement sheet
        missing = [key for key in wanted if key not in workbook.cells and not key.startswith("statement:step:")]
        assert not missing, missing
        checks = {key: compiler.evaluate(address) for key, address in workbook.cells.items() if "check" in key}
        assert checks and all(value is True for value in checks.values()), checks


def test_every_step_with_an_amount_is_a_formula(tmp_path: Path) -> None:
    for folder in (EXAMPLES / "nhs-banded-shares", EXAMPLES / "mssp-enhanced-savings-capped"):
        (ctx,) = contexts(folder)
        workbook = build_statement_workbook(ctx)
        steps = [key for key in workbook.cells if key.startswith("statement:step:")]
        assert len(steps) == len(ctx.steps)


@pytest.mark.parametrize("period", [0, 1])
@pytest.mark.parametrize("mode", list(RoundingMode))
def test_each_rounding_mode_in_formulas_matches_the_engine(mode: RoundingMode, period: int, tmp_path: Path) -> None:
    """The half-even example's provider share is an exact half penny (500000.5p, then 500001.5p)."""
    ctx = contexts(EXAMPLES / "nhs-rounding-half-even")[period]
    workbook, compiler = evaluated(ctx, tmp_path)
    exact = Decimal(ctx.settlement.net_saving.pence) / 2
    assert exact % 1 == Decimal("0.5")
    rounding = _input_cell(workbook, compiler, "half-even")
    compiler.set_value(rounding, mode.value)
    assert pence(compiler.evaluate(workbook.cells["provider_side"])) == round_pence(exact, mode)
    commissioner = pence(compiler.evaluate(workbook.cells["commissioner_side"]))
    assert commissioner == ctx.settlement.net_saving.pence - round_pence(exact, mode)


def test_changing_an_input_recomputes_the_statement(tmp_path: Path) -> None:
    (ctx,) = contexts(ROOT / "examples")
    workbook, compiler = evaluated(ctx, tmp_path)
    before = pence(compiler.evaluate(workbook.cells["statement:net_saving"]))
    actual_activity = "Inputs!" + _figures_cell(workbook, compiler, column="E")
    compiler.set_value(actual_activity, 3800)  # 100 fewer anticoagulation attendances in hospital
    after = pence(compiler.evaluate(workbook.cells["statement:net_saving"]))
    price = Decimal(3400) * Decimal("1.014")  # the hospital price in year 1, uplifted less efficiency
    cost = [round_pence(units * price, RoundingMode.HALF_UP) for units in (3900, 3800)]
    assert after - before == cost[0] - cost[1]
    fed = pence(compiler.evaluate(workbook.cells["share:FED"]))
    icb = pence(compiler.evaluate(workbook.cells["share:ICB"]))
    assert fed + icb == after


def test_the_workbook_has_three_sheets_and_money_formats(tmp_path: Path) -> None:
    from openpyxl import load_workbook  # noqa: PLC0415

    (ctx,) = contexts(ROOT / "examples")
    path = tmp_path / "statement.xlsx"
    path.write_bytes(build_statement_workbook(ctx).content)
    book = load_workbook(path)
    assert book.sheetnames == ["Statement", "Inputs", "Calculation"]
    sheet = book["Statement"]
    amounts = [
        row[2]
        for row in sheet.iter_rows()
        if isinstance(row[2].value, str) and row[2].value.startswith("=") and not str(row[0].value).startswith("Check")
    ]
    assert len(amounts) > 10
    assert {cell.number_format for cell in amounts} == {"£#,##0.00;(£#,##0.00);£0.00"}
    assert "NetSaving" in book.defined_names


def _input_cell(workbook: StatementWorkbook, compiler: ExcelCompiler, value: str) -> str:
    """The Inputs cell in column B that holds a text value (the rounding mode)."""
    for row in range(1, 80):
        address = f"Inputs!B{row}"
        if compiler.evaluate(address) == value:
            return address
    raise AssertionError(f"no input holds {value!r}")


def _figures_cell(workbook: StatementWorkbook, compiler: ExcelCompiler, column: str) -> str:
    """The first figures row's cell in a column: the row whose column A holds the first scheme id."""
    for row in range(1, 120):
        if compiler.evaluate(f"Inputs!A{row}") == "anticoag" and compiler.evaluate(f"Inputs!B{row}") == "2025-26":
            return f"{column}{row}"
    raise AssertionError("no figures row for anticoag")
