"""`gainshare data import`, `gainshare baseline` and `gainshare savings`: the activity store and pipeline."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from gainshare.adapters.activity.backends import Backend
from gainshare.domain.errors import InvalidInputError
from gainshare.domain.issues import Issue
from gainshare.domain.money import Money
from gainshare.domain.settlement import Settlement
from gainshare.interfaces.cli.errors import user_errors
from gainshare.reports.serialize import settlement_dict
from gainshare.services.activity import DEFAULT_PROVISION_PODS, ActivityService, BaselineReport, SchemeMapping
from gainshare.services.ports import ActivityKind, ImportOutcome, ImportProgress

console = Console(highlight=False)
IMPORT_PATH_HELP = "A .csv, .parquet or .xlsx file (a workbook may have titles above its header), or a folder of them."

DEFAULT_STORE = Path("gainshare-activity.duckdb")

StoreOption = Annotated[
    Path,
    typer.Option(
        "--store", envvar="GAINSHARE_ACTIVITY_STORE", help="The activity store (a DuckDB file; made on first import)."
    ),
]
BackendOption = Annotated[
    Backend,
    typer.Option(envvar="GAINSHARE_ACTIVITY_BACKEND", help="Where the pipeline runs: DuckDB, or Spark in local mode."),
]
MapOption = Annotated[
    list[str] | None,
    typer.Option(
        "--map",
        help="SCHEME=LINE[,LINE...]: the service lines that make up a scheme (default: the line named like the "
        "scheme). Repeatable.",
        show_default=False,
    ),
]
PodOption = Annotated[
    list[str] | None,
    typer.Option(
        "--provision-pod",
        help="A point of delivery that is out-of-hospital provision, paid at the provision price (repeatable; "
        f"default {', '.join(DEFAULT_PROVISION_PODS)}).",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON (money as integer pence), not tables.")]
AgreementArgument = Annotated[
    Path, typer.Argument(help="The agreement file (.yaml, .yml or .json).", show_default=False)
]


def import_activity(
    path: Annotated[Path, typer.Argument(help=IMPORT_PATH_HELP, show_default=False)],
    kind: Annotated[ActivityKind, typer.Option("--kind", help="Aggregated activity, or patient-level episodes.")],
    store: StoreOption = DEFAULT_STORE,
    source: Annotated[
        str | None, typer.Option(help="The data source; a re-imported month replaces the same source's month.")
    ] = None,
) -> None:
    """Import activity into the store: all or nothing, and the same file twice changes nothing.

    A month imported again with different content replaces the old rows of that source and month, and the store
    keeps an audit record of what was replaced. Episodes are summed to months; patient ids are not kept.
    """
    from gainshare.adapters.activity.wiring import activity_service  # noqa: PLC0415 - loads duckdb and ibis

    with user_errors(), _progress() as report, activity_service(store, create=True) as service:
        outcome = service.import_file(str(path), kind, datetime.now(UTC), source, report)
    _print_import(outcome)


def baseline(
    agreement: AgreementArgument,
    store: StoreOption = DEFAULT_STORE,
    backend: BackendOption = Backend.DUCKDB,
    map_: MapOption = None,
    provision_pod: PodOption = None,
    monthly: Annotated[bool, typer.Option(help="One row per scheme and month, not per settlement period.")] = False,
    as_json: JsonOption = False,
) -> None:
    """The agreement's baseline from the stored activity: historic activity in the baseline year, adjusted for
    list growth, priced at the hospital price uplifted (less efficiency) to each year of the term.
    """
    with user_errors():
        mapping = _mapping(map_, provision_pod)
        with _service(store, backend) as service:
            report = service.baseline(str(agreement), mapping)
    if as_json:
        typer.echo(json.dumps(_baseline_json(report), indent=2))
        return
    console.print(_baseline_months(report) if monthly else _baseline_periods(report))


def savings(
    agreement: AgreementArgument,
    store: StoreOption = DEFAULT_STORE,
    backend: BackendOption = Backend.DUCKDB,
    map_: MapOption = None,
    provision_pod: PodOption = None,
    period: Annotated[str | None, typer.Option(help="Only this settlement period (e.g. 2025-26).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Savings per scheme and period from the stored activity, settled by the agreement's sharing rules.

    Months count once the store has any activity for them; each needs its baseline month imported too.
    """
    with user_errors():
        mapping = _mapping(map_, provision_pod)
        with _service(store, backend) as service:
            report = service.savings(str(agreement), mapping, period)
    if as_json:
        rows = [_figures_row(row.scheme, row.span.id, row) for row in report.figures.rows]
        payload = {"figures": rows, "settlements": [settlement_dict(item) for item in report.result.settlements]}
        typer.echo(json.dumps(payload, indent=2))
        return
    for item in report.result.settlements:
        console.print(_savings_table(report.agreement.title, item))


@contextmanager
def _service(store: Path, backend: Backend) -> Iterator[ActivityService]:
    from gainshare.adapters.activity.wiring import activity_service  # noqa: PLC0415 - loads duckdb and ibis

    with activity_service(store, backend) as service:
        yield service


def _mapping(pairs: list[str] | None, pods: list[str] | None) -> SchemeMapping:
    lines: dict[str, tuple[str, ...]] = {}
    issues: list[Issue] = []
    for pair in pairs or []:
        scheme, _, names = pair.partition("=")
        values = tuple(name.strip() for name in names.split(",") if name.strip())
        if not scheme.strip() or not values:
            issues.append(Issue("mapping.option", f"--map {pair!r}: write SCHEME=LINE or SCHEME=LINE1,LINE2"))
            continue
        lines[scheme.strip()] = values
    if issues:
        raise InvalidInputError(issues)
    return SchemeMapping(lines, tuple(pods) if pods else DEFAULT_PROVISION_PODS)


@contextmanager
def _progress() -> Iterator[Any]:
    columns = (
        TextColumn("{task.description:<10}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        tasks: dict[str, TaskID] = {}

        def report(step: ImportProgress) -> None:
            if step.stage not in tasks:
                tasks[step.stage] = progress.add_task(step.stage, total=step.total)
            progress.update(tasks[step.stage], completed=step.done, total=step.total)

        yield report


def _print_import(outcome: ImportOutcome) -> None:
    if outcome.already_imported:
        console.print(
            f"[green]✓[/] {escape(outcome.path)} was imported before (sha256 {outcome.file_hash[:12]}…); "
            "nothing changed."
        )
        return
    table = Table(title=f"Imported {escape(outcome.path)} as {escape(outcome.source)}", title_justify="left")
    for column in ("Month", "Action", "Rows", "Replaced rows", "Content hash"):
        table.add_column(column, justify="right" if "Rows" in column or "rows" in column else "left")
    for change in outcome.months:
        replaced = "" if change.replaced_rows is None else f"{change.replaced_rows:,}"
        table.add_row(f"{change.month:%Y-%m}", change.action, f"{change.rows:,}", replaced, change.content_hash[:12])
    console.print(table)
    counts = {action: sum(1 for c in outcome.months if c.action == action) for action in ("added", "replaced")}
    console.print(
        f"[green]✓[/] {outcome.rows_read:,} rows read; {counts['added']} month(s) added, "
        f"{counts['replaced']} replaced (see the audit trail), the rest unchanged."
    )


def _baseline_periods(report: BaselineReport) -> Table:
    table = Table(title=f"Baseline: {escape(report.agreement.title)}", title_justify="left")
    for column in ("Period", "Scheme", "Historic activity", "Adjusted activity", "Baseline cost"):
        table.add_column(column, justify="left" if column in ("Period", "Scheme") else "right", no_wrap=True)
    for total in report.totals:
        table.add_row(
            total.period,
            escape(total.scheme),
            f"{total.historic_activity:,}",
            _quantity(total.adjusted_activity),
            str(total.baseline_cost),
        )
    return table


def _baseline_months(report: BaselineReport) -> Table:
    table = Table(title=f"Baseline by month: {escape(report.agreement.title)}", title_justify="left")
    for column in ("Month", "Year", "Scheme", "Historic", "Historic cost", "Adjusted", "Baseline cost (exact)"):
        table.add_column(column, justify="left" if column in ("Month", "Scheme") else "right", no_wrap=True)
    for line in report.lines:
        table.add_row(
            f"{line.month:%Y-%m}",
            str(line.term_year),
            escape(line.scheme),
            f"{line.historic_activity:,}",
            str(line.historic_cost),
            _quantity(line.adjusted_activity),
            f"{line.baseline_cost / 100:,.4f}",
        )
    return table


def _baseline_json(report: BaselineReport) -> dict[str, Any]:
    return {
        "totals": [
            {
                "period": total.period,
                "scheme": total.scheme,
                "historic_activity": total.historic_activity,
                "adjusted_activity": str(total.adjusted_activity),
                "baseline_cost_pence": total.baseline_cost.pence,
                "baseline_cost_exact_pence": str(total.exact_cost),
            }
            for total in report.totals
        ],
        "months": [
            {
                "month": f"{line.month:%Y-%m}",
                "period": line.period,
                "term_year": line.term_year,
                "scheme": line.scheme,
                "historic_activity": line.historic_activity,
                "historic_cost_pence": line.historic_cost.pence,
                "adjusted_activity": str(line.adjusted_activity),
                "baseline_cost_exact_pence": str(line.baseline_cost),
            }
            for line in report.lines
        ],
    }


def _figures_row(scheme: str, period: str, row: Any) -> dict[str, Any]:
    return {
        "period": period,
        "scheme": scheme,
        "baseline_activity": str(row.baseline_activity),
        "actual_activity": str(row.actual_activity),
        "provision_activity": str(row.provision_activity),
    }


def _savings_table(title: str, settlement: Settlement) -> Table:
    table = Table(title=f"{escape(title)}: savings {settlement.period}", title_justify="left")
    codes = ("cost.baseline", "cost.actual", "cost.provision", "cost.setup", "saving.scheme")
    for column in ("Scheme", "Baseline", "Actual hospital", "Provision", "Set-up", "Net saving"):
        table.add_column(column, justify="left" if column == "Scheme" else "right", no_wrap=True)
    cells: dict[str, dict[str, Money]] = {}
    for line in settlement.lines:
        if line.scheme is not None:
            cells.setdefault(line.scheme, {})[line.code] = line.amount
    for scheme, amounts in cells.items():
        table.add_row(escape(scheme), *(str(amounts[code]) if code in amounts else "—" for code in codes))
    table.add_row("[bold]Total[/]", str(settlement.baseline_cost), "", "", "", f"[bold]{settlement.net_saving}[/]")
    for party, share in settlement.shares:
        table.add_row(f"share: {escape(party)}", "", "", "", "", str(share))
    return table


def _quantity(value: Decimal) -> str:
    rounded = value.quantize(Decimal("0.01"))
    return f"{rounded:,}"
