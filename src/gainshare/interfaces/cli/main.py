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
AGREE = "1. Agree and settle"
DATA = "2. Data"
DISCOVER = "3. Discover and design"
NEGOTIATE = "4. Negotiate"
MONITOR = "5. Monitor and distribute"
INCENTIVISE = "6. Incentivise and compare"
WORKSPACE = "7. Shared workspace"

app.add_typer(agreement_commands.app, name="agreement", rich_help_panel=AGREE)
app.command("settle", rich_help_panel=AGREE)(settle_command.settle)
app.command("statement", rich_help_panel=AGREE)(statement)
app.add_typer(data_app, name="data", rich_help_panel=DATA)
app.command("baseline", rich_help_panel=DATA)(activity_commands.baseline)
app.command("savings", rich_help_panel=DATA)(activity_commands.savings)
app.add_typer(demo_commands.app, name="demo", rich_help_panel=DATA)
app.add_typer(discover_app, name="discover", rich_help_panel=DISCOVER)
app.command("hubs", rich_help_panel=DISCOVER)(hubs)
app.command("simulate", rich_help_panel=NEGOTIATE)(negotiate_commands.simulate)
app.command("compare", rich_help_panel=NEGOTIATE)(negotiate_commands.compare)
app.command("frontier", rich_help_panel=NEGOTIATE)(negotiate_commands.frontier)
app.add_typer(negotiate_commands.negotiate_app, name="negotiate", rich_help_panel=NEGOTIATE)
app.add_typer(monitor_app, name="monitor", rich_help_panel=MONITOR)
app.command("distribute", rich_help_panel=MONITOR)(distribute)
app.add_typer(referrals_app, name="referrals", rich_help_panel=MONITOR)
app.add_typer(incentives_app, name="incentives", rich_help_panel=INCENTIVISE)
app.add_typer(conflicts_app, name="conflicts", rich_help_panel=INCENTIVISE)
app.command("landscape", rich_help_panel=INCENTIVISE)(landscape)
app.command("serve", rich_help_panel=WORKSPACE)(serve_commands.serve)
app.add_typer(admin_commands.app, name="admin", rich_help_panel=WORKSPACE)


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
