"""`gainshare settle`: a settlement statement per period, as tables or JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from gainshare.domain.settlement import LineKind, Settlement, SettlementLine
from gainshare.interfaces.cli.errors import user_errors
from gainshare.interfaces.cli.file_services import file_services
from gainshare.reports.serialize import settlement_dict, transaction_dict

console = Console(highlight=False)

FIGURES_HELP = (
    "Figures: a CSV of scheme rows (period, scheme, baseline_activity, actual_activity, provision_activity, or "
    "*_cost columns instead), or YAML/JSON with 'rows' and per-period facts under 'periods'."
)


def settle(
    agreement: Annotated[Path, typer.Argument(help="The agreement file (.yaml, .yml or .json).", show_default=False)],
    figures: Annotated[Path, typer.Argument(help=FIGURES_HELP, show_default=False)],
    period: Annotated[
        str | None, typer.Option(help="Settle only this period (e.g. 2025-26); default: every period with figures.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (money as integer pence), not tables.")] = False,
) -> None:
    """Settle an agreement from its figures: costs, net saving, each party's share, true-up.

    Every line names the clause that produced it. Exit code 1 when the inputs have problems (nothing is
    settled then).
    """
    with user_errors():
        result = file_services().settlements.settle_files(str(agreement), str(figures), period)
    if as_json:
        payload = {
            "settlements": [settlement_dict(item) for item in result.settlements],
            "ledger": [transaction_dict(tx) for tx in result.transactions],
        }
        typer.echo(json.dumps(payload, indent=2))
        return
    for item in result.settlements:
        console.print(statement(result.agreement.title, item))


def statement(title: str, settlement: Settlement) -> Panel:
    parts = [_costs(settlement), _steps(settlement), _lines_table("Shares", settlement.lines_of(LineKind.SHARE))]
    if settlement.lines_of(LineKind.ACCOUNT):
        parts.append(_lines_table("Payments on account", settlement.lines_of(LineKind.ACCOUNT)))
    heading = f"{escape(title)} — settlement {settlement.period} (version {settlement.agreement_version})"
    return Panel(Group(*parts), title=heading, title_align="left")


def _costs(settlement: Settlement) -> Table:
    table = Table(title="Costs and savings by scheme", title_justify="left", title_style="bold")
    for column in ("Scheme", "Baseline", "Actual hospital", "Provision", "Set-up", "Net saving"):
        table.add_column(column, justify="left" if column == "Scheme" else "right", no_wrap=True)
    by_scheme: dict[str, dict[str, str]] = {}
    for line in settlement.lines:
        if line.scheme is not None:
            by_scheme.setdefault(line.scheme, {})[line.code] = str(line.amount)
    for scheme, cells in by_scheme.items():
        codes = ("cost.baseline", "cost.actual", "cost.provision", "cost.setup", "saving.scheme")
        table.add_row(escape(scheme), *(cells.get(code, "—") for code in codes))
    table.add_row("[bold]Total[/]", str(settlement.baseline_cost), "", "", "", f"[bold]{settlement.net_saving}[/]")
    return table


def _steps(settlement: Settlement) -> Table:
    table = Table(title="How the sharing rules applied", title_justify="left", title_style="bold", show_header=False)
    table.add_column("Step")
    table.add_column("Clause", style="cyan", max_width=28)
    for line in settlement.lines_of(LineKind.STEP):
        table.add_row(escape(line.description), escape(line.clause))
    return table


def _lines_table(title: str, lines: tuple[SettlementLine, ...]) -> Table:
    table = Table(title=title, title_justify="left", title_style="bold")
    table.add_column("Line")
    table.add_column("Amount", justify="right", no_wrap=True)
    table.add_column("Clause", style="cyan", max_width=28)
    for line in lines:
        table.add_row(escape(line.description), str(line.amount), escape(line.clause))
    return table
