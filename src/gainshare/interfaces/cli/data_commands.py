"""`gainshare data ...`: fetch the published NHS files, and check a file against its format.

Each `check` kind is one entry in CHECKS (a loader call and a few summary lines), so a new kind, or a new
command such as `data import`, is a small addition here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import pyarrow.compute as pc
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, DownloadColumn, Progress, TaskID, TextColumn, TransferSpeedColumn
from rich.table import Table

from gainshare.adapters.loaders import fetch as fetching
from gainshare.adapters.loaders.activity import load_activity, load_episodes
from gainshare.adapters.loaders.epraccur import load_epraccur
from gainshare.adapters.loaders.list_sizes import load_registered_patients
from gainshare.adapters.loaders.prices import load_local_prices, load_national_prices
from gainshare.domain.money import Money
from gainshare.interfaces.cli.activity_commands import import_activity
from gainshare.interfaces.cli.errors import user_errors

app = typer.Typer(
    help="Fetch the published NHS files and check data files against their formats.", no_args_is_help=True
)
console = Console(highlight=False)
app.command("import")(import_activity)


class Kind(StrEnum):
    EPRACCUR = "epraccur"
    LIST_SIZES = "list-sizes"
    PRICES = "prices"
    ACTIVITY = "activity"
    EPISODES = "episodes"


Summary = list[tuple[str, str]]


@app.command()
def fetch(
    dest: Annotated[Path, typer.Option(help="The data folder to download into.")] = Path("data"),
    only: Annotated[
        list[str] | None,
        typer.Option("--only", help="Fetch only this catalogue file (repeatable).", show_default=False),
    ] = None,
    base_url: Annotated[
        str | None, typer.Option(help="Fetch every file from BASE_URL/<file name> instead (a mirror or test server).")
    ] = None,
    url: Annotated[
        list[str] | None,
        typer.Option("--url", help="Use this address for one file: KEY=URL (repeatable).", show_default=False),
    ] = None,
) -> None:
    """Download the published files (ODS practices, registered patients, prices) with SHA-256 checksums.

    The checksums go to manifest.json in the data folder. Files without a known address are skipped unless
    named with --only or given with --url.
    """
    with user_errors():
        overrides = _overrides(url or [])
        planned = fetching.plan(only or (), base_url=base_url, overrides=overrides)
        wanted = [item for item in planned if item.url is not None or only]
        skipped = [item for item in planned if item not in wanted]
        fetched = _download_all(wanted, dest)
        manifest = fetching.write_manifest(dest, fetched)
    table = Table(title=f"Fetched into {escape(str(dest))}", title_justify="left")
    for column in ("File", "Bytes", "SHA-256"):
        table.add_column(column, justify="right" if column == "Bytes" else "left")
    for item in fetched:
        table.add_row(escape(item.filename), f"{item.bytes:,}", item.sha256)
    console.print(table)
    for plan in skipped:
        console.print(f"[yellow]Skipped {plan.entry.key}:[/] {escape(plan.entry.description)}")
    console.print(f"Checksums recorded in {escape(str(manifest))}.")


def _overrides(pairs: list[str]) -> dict[str, str]:
    overrides: dict[str, str] = {}
    for pair in pairs:
        key, sep, address = pair.partition("=")
        if not sep or not key or not address:
            raise typer.BadParameter(f"{pair!r}: write --url KEY=URL, e.g. --url prices=https://.../prices.xlsx")
        overrides[key.strip()] = address.strip()
    return overrides


def _download_all(planned: list[fetching.Planned], dest: Path) -> list[fetching.Fetched]:
    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn())
    fetched: list[fetching.Fetched] = []
    with Progress(*columns, console=console, transient=False) as progress:
        for item in planned:
            task = progress.add_task(item.entry.filename, total=None)

            def update(done: int, total: int | None, task_id: TaskID = task) -> None:
                progress.update(task_id, completed=done, total=total)

            fetched.append(fetching.fetch(item, dest, update))
    return fetched


@app.command()
def check(
    path: Annotated[Path, typer.Argument(help="The file to check.", show_default=False)],
    kind: Annotated[Kind, typer.Option("--kind", help="Which format the file is in.", show_default=False)],
    practices: Annotated[
        Path | None,
        typer.Option(
            help="An epraccur file: report activity rows whose practice code is not in it.", show_default=False
        ),
    ] = None,
) -> None:
    """Load a file as the loaders will, then print a summary, or every problem with its row and column.

    Exit code 0 when the file is good, 1 when it has problems.
    """
    with user_errors():
        known = load_epraccur(practices).codes() if practices is not None else None
        summary = CHECKS[kind](path, known)
    table = Table(title=f"{escape(str(path))}: a good {kind.value} file", title_justify="left", show_header=False)
    table.add_column("What", style="cyan")
    table.add_column("Value")
    for label, value in summary:
        table.add_row(escape(label), escape(value))
    console.print(table)


def _epraccur(path: Path, _: frozenset[str] | None) -> Summary:
    practices = load_epraccur(path)
    statuses = Counter(practice.status.name.lower() for practice in practices)
    return [
        ("practices", f"{len(practices):,}"),
        ("by status", ", ".join(f"{status} {count:,}" for status, count in statuses.most_common())),
        ("GP practices (prescribing setting 4)", f"{sum(1 for p in practices if p.is_gp_practice):,}"),
        ("commissioners", f"{len({p.commissioner_code for p in practices}):,}"),
    ]


def _list_sizes(path: Path, _: frozenset[str] | None) -> Summary:
    patients = load_registered_patients(path)
    lines: Summary = [("list sizes", f"{len(patients.list_sizes):,}"), ("age/sex bands", f"{len(patients.bands):,}")]
    for day in patients.extract_dates():
        total = sum(item.patients for item in patients.list_sizes if item.extract_date == day)
        total = total or sum(item.patients for item in patients.bands if item.extract_date == day)
        lines.append((f"patients on {day.isoformat()}", f"{total:,}"))
    return lines


def _prices(path: Path, _: frozenset[str] | None) -> Summary:
    if path.suffix.lower() == ".csv":
        local = load_local_prices(path)
        return [("local prices", f"{len(local):,}")] + [
            (f"{price.service_line} (per {price.unit})", str(price.price)) for price in local[:10]
        ]
    national = load_national_prices(path)
    return [
        ("outpatient attendance prices (treatment functions)", f"{len(national.attendances):,}"),
        ("outpatient procedure prices (HRGs)", f"{len(national.procedures):,}"),
    ]


def _activity(path: Path, known: frozenset[str] | None) -> Summary:
    table = load_activity(path, known)
    return [
        ("rows", f"{table.num_rows:,}"),
        ("practices", f"{pc.count_distinct(table.column('practice_code')).as_py():,}"),
        ("service lines", f"{pc.count_distinct(table.column('service_line')).as_py():,}"),
        ("months", _span(table.column("month"))),
        ("activity", f"{pc.sum(table.column('activity')).as_py() or 0:,}"),
        ("cost", str(Money(pc.sum(table.column("cost_pence")).as_py() or 0))),
    ]


def _episodes(path: Path, known: frozenset[str] | None) -> Summary:
    table = load_episodes(path, known)
    return [
        ("episodes", f"{table.num_rows:,}"),
        ("patients", f"{pc.count_distinct(table.column('patient_id')).as_py():,}"),
        ("practices", f"{pc.count_distinct(table.column('practice_code')).as_py():,}"),
        ("dates", _span(table.column("date"))),
        ("cost", str(Money(pc.sum(table.column("cost_pence")).as_py() or 0))),
    ]


def _span(values: object) -> str:
    bounds = pc.min_max(values).as_py()
    if bounds["min"] is None:
        return "none"
    return f"{bounds['min'].isoformat()} to {bounds['max'].isoformat()}"


CHECKS: dict[Kind, Callable[[Path, frozenset[str] | None], Summary]] = {
    Kind.EPRACCUR: _epraccur,
    Kind.LIST_SIZES: _list_sizes,
    Kind.PRICES: _prices,
    Kind.ACTIVITY: _activity,
    Kind.EPISODES: _episodes,
}
