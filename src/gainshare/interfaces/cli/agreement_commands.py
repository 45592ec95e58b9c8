"""`gainshare agreement ...`: validate, show, diff and schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from gainshare.adapters.agreement_file.schema import agreement_schema
from gainshare.interfaces.cli.errors import user_errors
from gainshare.interfaces.cli.file_services import file_services

app = typer.Typer(help="Check, read and compare agreement files (YAML or JSON).", no_args_is_help=True)
console = Console(highlight=False)

AgreementPath = Annotated[Path, typer.Argument(help="An agreement file (.yaml, .yml or .json).", show_default=False)]


@app.command()
def validate(path: AgreementPath) -> None:
    """Check an agreement file's shape and meaning; list every problem with its key path.

    Exit code 0 when the agreement is valid, 1 when it has problems.
    """
    with user_errors():
        agreement = file_services().agreements.validate(str(path))
    periods = agreement.periods()
    console.print(
        f"[green]✓[/] {escape(str(path))}: agreement {escape(agreement.id)} version "
        f"{agreement.version} is valid ({len(agreement.schemes)} schemes, {len(periods)} settlement "
        f"periods {periods[0].id} to {periods[-1].id})."
    )


@app.command()
def show(path: AgreementPath) -> None:
    """Print a readable summary of an agreement, clause by clause."""
    with user_errors():
        agreement, clauses = file_services().agreements.clauses(str(path))
    table = Table(title=f"{agreement.title} (v{agreement.version})", show_lines=False)
    table.add_column("Clause", style="cyan", no_wrap=True)
    table.add_column("Value")
    for key, value in clauses:
        table.add_row(escape(key), escape(value))
    console.print(table)


@app.command()
def diff(
    before: Annotated[Path, typer.Argument(help="The earlier version.", show_default=False)],
    after: Annotated[Path, typer.Argument(help="The later version.", show_default=False)],
) -> None:
    """Show what changed between two versions of an agreement, clause by clause."""
    with user_errors():
        old, new, changes = file_services().agreements.diff(str(before), str(after))
    if not changes:
        console.print(f"No changes between version {old.version} and version {new.version}.")
        return
    table = Table(title=f"{new.id}: version {old.version} → {new.version} ({len(changes)} changes)")
    table.add_column("Clause", style="cyan", no_wrap=True)
    table.add_column("Change")
    table.add_column(f"v{old.version}", style="red")
    table.add_column(f"v{new.version}", style="green")
    for change in changes:
        table.add_row(escape(change.clause), change.kind, escape(change.before or "—"), escape(change.after or "—"))
    console.print(table)


@app.command()
def schema() -> None:
    """Print the agreement file's JSON Schema (for editors and other tools)."""
    typer.echo(json.dumps(agreement_schema(), indent=2))
