"""The statement workbook: Inputs, Calculation (formulas) and Statement (laid out like the PDF) sheets.

A finance reader can audit the settlement in Excel: every figure on the Statement sheet is a formula on the
Calculation sheet, which is a formula on the Inputs sheet. The tests evaluate the formulas with a formula engine
(pycel) and check them against the settlement engine to the penny.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from xlsxwriter.workbook import Workbook

from gainshare.domain.money import Money
from gainshare.domain.settlement import SettlementLine
from gainshare.reports.context import StatementContext
from gainshare.reports.excel import Sheet, formats, pounds
from gainshare.reports.excel_calc import CalcSheet
from gainshare.reports.excel_inputs import InputRefs, InputsSheet
from gainshare.reports.formatting import timestamp

INPUTS, CALCULATION, STATEMENT = "Inputs", "Calculation", "Statement"


@dataclass(frozen=True)
class StatementWorkbook:
    content: bytes
    cells: dict[str, str]  # named results -> 'Sheet!$C$12' (net_saving, share:FED, statement:share:FED, ...)


def statement_workbook(context: StatementContext) -> bytes:
    return build_statement_workbook(context).content


def build_statement_workbook(context: StatementContext) -> StatementWorkbook:
    buffer = io.BytesIO()
    workbook = Workbook(buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False})
    a = context.agreement
    workbook.set_properties(
        {
            "title": f"{context.title}: {a.title}",
            "subject": f"{a.id} version {a.version}, period {context.period.id}",
            "author": context.generator,
            "comments": "Formulas recompute the settlement from the Inputs sheet.",
        }
    )
    styles = formats(workbook)
    statement = Sheet(workbook, STATEMENT, styles, (70, 30, 18))
    inputs_sheet = Sheet(workbook, INPUTS, styles, (52, 18, 18, 18, 18, 18, 18, 18, 18))
    calc_sheet = Sheet(workbook, CALCULATION, styles, (58, 26, 18, 18, 18, 18, 18, 18, 18, 18, 12))
    inputs = InputsSheet(inputs_sheet, context).write()
    cells = CalcSheet(calc_sheet, context, inputs).write()
    cells.update(StatementSheet(statement, context, inputs, cells).write())
    for sheet in (statement, inputs_sheet, calc_sheet):
        _page_setup(sheet, context)
    for name, key in (
        ("NetSaving", "net_saving"),
        ("ProviderSide", "provider_side"),
        ("CommissionerSide", "commissioner_side"),
    ):
        workbook.define_name(name, f"={cells[key]}")
    workbook.close()
    return StatementWorkbook(buffer.getvalue(), cells)


def _page_setup(sheet: Sheet, context: StatementContext) -> None:
    a = context.agreement
    ws = sheet.ws
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.5, right=0.5, top=0.8, bottom=0.8)
    header = f"{a.id} v{a.version} · {context.period.id}".replace("&", "&&")
    ws.set_header(f"&L&8{a.title.replace('&', '&&')}&R&8{header}")
    ws.set_footer(f"&L&8{sheet.name}: generated {timestamp(context.generated_at)}&R&8Page &P of &N")
    ws.freeze_panes(1, 0)


class StatementSheet:
    """The statement laid out like the PDF, each amount a formula on the Calculation sheet."""

    def __init__(self, sheet: Sheet, context: StatementContext, inputs: InputRefs, calc: dict[str, str]) -> None:
        self.s = sheet
        self.ctx = context
        self.i = inputs
        self.calc = calc
        self.refs: dict[str, str] = {}

    def line(self, text: str, clause: str, formula: str | None, amount: Money, key: str = "") -> None:
        s, row = self.s, self.s.row
        s.ws.write_string(row, 0, text, s.f.wrap)
        s.ws.write_string(row, 1, clause, s.f.clause)
        if formula is None:
            s.ws.write_number(row, 2, pounds(amount), s.f.money)  # a figure the engine states (see the note)
        else:
            s.ws.write_formula(row, 2, formula, s.f.money, pounds(amount))
        if key:
            self.refs[f"statement:{key}"] = s.ref(row, 2)
        s.row += 1

    def settlement_line(self, line: SettlementLine, source: str | None, key: str = "", display: bool = False) -> None:
        formula = None if source is None else (f"=ROUND({source},2)" if display else f"={source}")
        self.line(line.description, line.clause, formula, line.amount, key)

    def write(self) -> dict[str, str]:
        ctx, s = self.ctx, self.s
        a = ctx.agreement
        s.title(f"Settlement statement for {ctx.period.id}")
        for text in (
            a.title,
            f"Agreement {a.id}, version {a.version}; period {ctx.period.start.isoformat()} to "
            f"{ctx.period.end.isoformat()}",
            f"Generated {timestamp(ctx.generated_at)} by {ctx.generator}",
        ):
            s.note(text)
        self._summary()
        self._costs()
        self._steps()
        self._shares()
        self._account()
        self._ledger()
        s.heading("Notes and assumptions")
        for note in (
            *ctx.notes,
            "Amounts are formulas on the Calculation sheet, which works from the Inputs sheet; the descriptions are "
            "the settlement engine's words for the figures as supplied. A step amount is shown rounded half-up.",
        ):
            s.note(note)
        return self.refs

    def _summary(self) -> None:
        ctx = self.ctx
        self.s.heading("Summary")
        self.line(
            "Net saving across all schemes",
            "schemes",
            f"={self.calc['net_saving']}",
            ctx.settlement.net_saving,
            "net_saving",
        )
        for row in ctx.shares:
            self.line(
                f"{row.party.name} ({row.party.role.value})",
                row.line.clause,
                f"={self.calc[f'share:{row.party.id}']}",
                row.amount,
                f"share:{row.party.id}",
            )
        for party, due in ctx.true_ups:
            self.line(
                f"True-up for {party.name} (negative: repaid)",
                "payments_on_account",
                f"={self.calc[f'true_up:{party.id}']}",
                due,
                f"true_up:{party.id}",
            )

    def _costs(self) -> None:
        self.s.heading("1. Costs and savings by scheme")
        for scheme in self.ctx.schemes:
            for line in scheme.lines:
                source = self.calc.get(f"scheme:{scheme.id}:{line.code}")
                self.settlement_line(line, source, f"{scheme.id}:{line.code}")
        self.settlement_line(self.ctx.total_line, self.calc["net_saving"], "saving.total")

    def _steps(self) -> None:
        self.s.heading("2. How the sharing rules applied")
        for index, line in enumerate(self.ctx.steps):
            self.settlement_line(line, self.calc.get(f"step:{line.code}"), f"step:{index}:{line.code}", display=True)

    def _shares(self) -> None:
        self.s.heading("3. Shares")
        self.settlement_line(self.ctx.provider_side, self.calc["provider_side"], "provider_side")
        for row in self.ctx.shares:
            self.settlement_line(row.line, self.calc[f"share:{row.party.id}"], f"line:share:{row.party.id}")

    def _account(self) -> None:
        if not self.ctx.account_lines:
            return
        self.s.heading("4. Payments on account and true-up")
        for index, line in enumerate(self.ctx.account_lines):
            party = line.party or ""
            source = self.i.paid.get(party) if line.code == "account.paid" else self.calc.get(f"true_up:{party}")
            self.settlement_line(line, source, f"account:{index}:{line.code}")

    def _ledger(self) -> None:
        s = self.s
        number = 5 if self.ctx.account_lines else 4
        for index, tx in enumerate(self.ctx.ledger):
            s.heading(f"{number}. Ledger postings: {tx.description} (debit +, credit -)")
            for posting in tx.postings:
                amount = posting.debit if posting.debit is not None else -(posting.credit or Money(0))
                source: Any = self.calc.get(f"posting:{index}:{posting.account}")
                self.line(posting.account, tx.key, f"={source}" if source else None, amount)
            row = s.row
            s.ws.write_string(row, 0, "Check: the postings balance", s.f.text)
            s.ws.write_formula(row, 2, f"={self.calc[f'ledger_check:{index}']}", s.f.check, True)
            s.row += 1
