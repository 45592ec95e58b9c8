"""`gainshare admin`: bootstrap a real deployment's organisations and first users, acting as the trusted system.

The database is the one `gainshare serve` uses (GAINSHARE_DATABASE_URL, or the SQLite file in
GAINSHARE_DATA_FOLDER), migrated to the newest schema first.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from gainshare.interfaces.cli.errors import EXIT_FAILURE, err_console, user_errors
from gainshare.services.ports import OrganisationKind, Role

if TYPE_CHECKING:  # the database and settings libraries load only when a command runs
    from gainshare.bootstrap import Workspace

app = typer.Typer(help="Create organisations and users in the workspace database (for setting up a deployment).")
console = Console(highlight=False)


class KindChoice(StrEnum):
    COMMISSIONER = "commissioner"
    FEDERATION = "federation"
    PRACTICE = "practice"


class RoleChoice(StrEnum):
    COMMISSIONER_FINANCE = "commissioner_finance"
    FEDERATION_MANAGER = "federation_manager"
    PRACTICE_VIEWER = "practice_viewer"
    ADMINISTRATOR = "administrator"


@contextmanager
def _workspace() -> Iterator[Workspace]:
    from gainshare.bootstrap import build_workspace  # noqa: PLC0415
    from gainshare.config import Settings  # noqa: PLC0415

    try:
        settings = Settings()
    except ValueError as error:
        err_console.print(f"[bold red]Error:[/] the settings are not valid: {escape(str(error))}")
        raise typer.Exit(EXIT_FAILURE) from None
    with user_errors():
        workspace = build_workspace(settings.resolved_database_url(), settings.data_folder)
    try:
        with user_errors():
            yield workspace
    finally:
        workspace.close()


@app.command("create-organisation")
def create_organisation(
    ods_code: Annotated[str, typer.Argument(help="The organisation's ODS code, e.g. QWO or Y02345.")],
    name: Annotated[str, typer.Argument(help="Its name, e.g. 'NHS West Yorkshire Integrated Care Board'.")],
    kind: Annotated[KindChoice, typer.Option(help="commissioner, federation or practice.")],
    federation: Annotated[str, typer.Option(help="A practice's federation, by ODS code.")] = "",
) -> None:
    """Create an organisation (its ODS code is checked and must be new)."""
    from gainshare.services.workspace import Actor  # noqa: PLC0415

    with _workspace() as workspace:
        organisation = workspace.administration.create_organisation(
            Actor.system(), ods_code, name, OrganisationKind(kind.value), federation
        )
    console.print(f"[green]✓[/] Created {escape(organisation.name)} ({organisation.ods_code}), id {organisation.id}")


@app.command("create-user")
def create_user(
    email: Annotated[str, typer.Argument(help="The person's email address (their sign-in name).")],
    name: Annotated[str, typer.Option(help="The name shown to other users (default: the email address).")] = "",
    organisation: Annotated[str, typer.Option(help="ODS code of the organisation they belong to.")] = "",
    role: Annotated[RoleChoice | None, typer.Option(help="Their role in that organisation.")] = None,
    system_administrator: Annotated[
        bool, typer.Option("--system-administrator", help="Administer every organisation and create organisations.")
    ] = False,
    password: Annotated[
        str,
        typer.Option(
            prompt=True, hide_input=True, confirmation_prompt=True, show_default=False, help="Asked for when not given."
        ),
    ] = "",
    password_change: Annotated[
        bool,
        typer.Option(
            "--password-change/--no-password-change",
            help="Make them choose their own password when they first sign in; --no-password-change when the "
            "account is your own.",
        ),
    ] = True,
) -> None:
    """Create a user with a role in an organisation, or a system administrator (or both). The password needs at
    least 12 characters and cannot be the email address."""
    from gainshare.services.workspace import Actor  # noqa: PLC0415

    if bool(organisation) != (role is not None):
        err_console.print("[bold red]Error:[/] give both --organisation and --role, or neither")
        raise typer.Exit(EXIT_FAILURE)
    membership = (organisation, Role(role.value)) if role is not None else None
    with _workspace() as workspace:
        user = workspace.administration.create_user(
            Actor.system(), email, name or email, password, membership, system_administrator, password_change
        )
    what = [f"{role.value} of {organisation.upper()}"] if role is not None else []
    what += ["system administrator"] if system_administrator else []
    console.print(f"[green]✓[/] Created {escape(user.email)} (id {user.id}): {escape(', '.join(what))}")
    if password_change:
        console.print("They choose their own password when they first sign in.")
