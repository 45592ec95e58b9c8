"""`gainshare demo generate`: a synthetic GP federation (and, optionally, national-scale episodes) on disk."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from gainshare.adapters.demo_writer import WrittenEpisodes, WrittenFederation, write_episodes, write_federation
from gainshare.engines.demo.activity import PlantedOutlier
from gainshare.engines.demo.federation import DEFAULT_SEED, DemoParameters, generate_federation
from gainshare.engines.demo.national import NationalParameters, NationalUniverse, build_universe
from gainshare.interfaces.cli.errors import EXIT_INPUT, err_console
from gainshare.interfaces.cli.serve_commands import demo_run

app = typer.Typer(help="The demo federation: synthetic data to try gainshare with no downloads.", no_args_is_help=True)
console = Console(highlight=False)
app.command("run")(demo_run)


@app.command()
def generate(
    out: Annotated[Path, typer.Option("--out", help="Folder to write into (created if missing).", show_default=False)],
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same files.")] = DEFAULT_SEED,
    practices: Annotated[int, typer.Option(help="Number of member practices.")] = 30,
    national_rows: Annotated[
        int, typer.Option(help="Also write this many patient-level national episodes (e.g. 50_000_000); 0: none.")
    ] = 0,
    chunk_rows: Annotated[int, typer.Option(help="National mode: rows per chunk (one Parquet row group).")] = 250_000,
    rows_per_file: Annotated[int, typer.Option(help="National mode: rows per Parquet file.")] = 10_000_000,
) -> None:
    """Write a deterministic synthetic federation: practices, list sizes by age band and sex, three years of
    hospital and hub activity, prices, and a demo agreement with figures that `gainshare settle` can settle.

    Every practice code is synthetic (Z9 and four digits). Exit code 1 when a parameter is out of range.
    """
    try:
        federation = generate_federation(DemoParameters(seed=seed, practices=practices))
        national = (
            NationalParameters(rows=national_rows, seed=seed, chunk_rows=chunk_rows) if national_rows > 0 else None
        )
        universe = build_universe(national) if national is not None else None
        if rows_per_file < 1:
            raise ValueError(f"rows per file must be at least 1, not {rows_per_file}")
    except ValueError as error:
        err_console.print(f"[bold red]Error:[/] {escape(str(error))}")
        raise typer.Exit(EXIT_INPUT) from None
    written = write_federation(federation, out)
    _report_federation(written, federation.activity.outliers)
    if universe is not None:
        episodes = _write_national(universe, out / "national", national_rows, rows_per_file)
        console.print(
            f"[green]✓[/] {episodes.rows:,} national episodes in {len(episodes.files)} Parquet file(s), "
            f"{episodes.row_groups} row group(s), under {escape(str(out / 'national'))}"
        )
    console.print(
        f"Try: [bold]gainshare settle {escape(str(out / 'agreement.yaml'))} {escape(str(out / 'figures.yaml'))}[/]"
    )


def _report_federation(written: WrittenFederation, outliers: tuple[PlantedOutlier, ...]) -> None:
    console.print(f"[green]✓[/] Demo federation written to {escape(str(written.directory))}")
    table = Table()
    table.add_column("Table")
    table.add_column("Rows", justify="right")
    for name, rows in written.rows.items():
        table.add_row(name, f"{rows:,}")
    console.print(table)
    console.print(
        f"{len(outliers)} planted outlier(s) and the hub hosts are recorded in {escape(str(written.directory))}"
        "/metadata.json."
    )


def _write_national(universe: NationalUniverse, directory: Path, rows: int, rows_per_file: int) -> WrittenEpisodes:
    columns = (
        TextColumn("national episodes"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task("episodes", total=rows)
        return write_episodes(universe, directory, rows_per_file, lambda done: progress.advance(task, done))
