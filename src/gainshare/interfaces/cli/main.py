"""Entry point: `gainshare` and `python -m gainshare`."""

from __future__ import annotations

import typer

from gainshare import __version__
from gainshare.interfaces.cli import (
    activity_commands,
    admin_commands,
    agreement_commands,
    demo_commands,
    negotiate_commands,
    serve_commands,
    settle_command,
)
from gainshare.interfaces.cli.data_commands import app as data_app
from gainshare.interfaces.cli.discover_commands import app as discover_app
from gainshare.interfaces.cli.hubs_commands import hubs
from gainshare.interfaces.cli.incentives_commands import conflicts_app, incentives_app, landscape
from gainshare.interfaces.cli.monitor_commands import distribute, monitor_app, referrals_app
from gainshare.interfaces.cli.statement_command import statement

app = typer.Typer(
    name="gainshare",
    help="Gain share agreements between NHS commissioners and GP federations: check agreements, settle "
    "periods to the penny, and explain every line.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)
app.add_typer(admin_commands.app, name="admin")
app.add_typer(agreement_commands.app, name="agreement")
app.add_typer(demo_commands.app, name="demo")
app.add_typer(data_app, name="data")
app.add_typer(discover_app, name="discover")
app.add_typer(incentives_app, name="incentives")
app.add_typer(conflicts_app, name="conflicts")
app.command("landscape")(landscape)
app.command("settle")(settle_command.settle)
app.command("statement")(statement)
app.add_typer(monitor_app, name="monitor")
app.add_typer(referrals_app, name="referrals")
app.command("distribute")(distribute)
app.command("hubs")(hubs)
app.command("serve")(serve_commands.serve)
app.command("simulate")(negotiate_commands.simulate)
app.command("compare")(negotiate_commands.compare)
app.command("frontier")(negotiate_commands.frontier)
app.add_typer(negotiate_commands.negotiate_app, name="negotiate")
app.command("baseline")(activity_commands.baseline)
app.command("savings")(activity_commands.savings)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"gainshare {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", help="Print the version and exit.", callback=_version, is_eager=True
    ),
) -> None:
    """Gain share agreements between NHS commissioners and GP federations."""


def main() -> None:
    app()
