"""`gainshare serve` (the web app and JSON API under uvicorn) and `gainshare demo run` (seed the demo, then serve)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from gainshare.interfaces.cli.errors import EXIT_FAILURE, err_console, user_errors

if TYPE_CHECKING:  # the server, database and settings libraries load only when a command runs
    from gainshare.bootstrap import Workspace
    from gainshare.config import Settings

console = Console(highlight=False)
Host = Annotated[str, typer.Option(help="Address to listen on (127.0.0.1: this machine only).")]
Port = Annotated[int, typer.Option(help="Port to listen on.")]
Workers = Annotated[
    int | None,
    typer.Option(min=1, help="Worker processes (default: the number of CPUs); each builds the app from GAINSHARE_*."),
]
AccessLog = Annotated[
    bool,
    typer.Option("--access-log/--no-access-log", help="Log every request (turn off behind a proxy that logs them)."),
]
APP_FACTORY = "gainshare.interfaces.app:app_from_environment"


def serve(host: Host = "127.0.0.1", port: Port = 8000, workers: Workers = None, access_log: AccessLog = True) -> None:
    """Serve the web pages and the JSON API (settings from GAINSHARE_* environment variables).

    The database is migrated once, then WORKERS processes (default: one per CPU) serve it; with more than one,
    each worker builds the app from the same GAINSHARE_* settings. Production mode (GAINSHARE_MODE=production)
    refuses to start without GAINSHARE_SECRET_KEY. Exit code 2 when the settings cannot run the app.
    """
    from gainshare.bootstrap import build_workspace  # noqa: PLC0415

    settings = _settings()
    _check(settings)
    with user_errors():
        workspace = build_workspace(settings.resolved_database_url(), settings.data_folder)
    _run(settings, workspace, host, port, _worker_count(workers), access_log)


def demo_run(
    host: Host = "127.0.0.1",
    port: Port = 8000,
    folder: Annotated[Path, typer.Option(help="Folder for the demo database and uploads.")] = Path("data/demo"),
    serve_after: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve after seeding.")] = True,
    workers: Workers = None,
) -> None:
    """Seed the demo federation's workspace (a SQLite database in FOLDER; nothing is added twice) and serve it:
    an ICB and a GP federation, a commissioner finance and a federation manager login, an agreement with
    version 1 signed by both and version 2 a draft, the demo's monthly figures uploaded and year one settled."""
    from gainshare.bootstrap import DEMO_PASSWORD, build_workspace, seed_demo  # noqa: PLC0415

    settings = _settings(data_folder=folder, database_url=None, mode="development")
    _check(settings)
    with user_errors():
        workspace = build_workspace(settings.resolved_database_url(), settings.data_folder)
        seeded = seed_demo(workspace)
    what = "seeded" if seeded.created else "already seeded (nothing added)"
    console.print(f"[green]✓[/] Demo workspace {what}: {escape(settings.resolved_database_url())}")
    console.print(f"Demo logins (local demo only; the password is documented as {DEMO_PASSWORD!r}):")
    for login in seeded.logins:
        console.print(f"  {login.role} ({escape(login.organisation)}): {login.email} / {login.password}")
    console.print(f"Agreement: /api/agreements/{seeded.agreement_id}")
    if not serve_after:
        workspace.close()
        return
    _settings_to_environment(settings)  # what worker processes build their app from
    _run(settings, workspace, host, port, _worker_count(workers))


def _settings(**overrides: object) -> Settings:
    from gainshare.config import Settings  # noqa: PLC0415

    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValueError as error:
        err_console.print(f"[bold red]Error:[/] the settings are not valid: {escape(str(error))}")
        raise typer.Exit(EXIT_FAILURE) from None


def _check(settings: Settings) -> None:
    from gainshare.config import ConfigurationError  # noqa: PLC0415

    try:
        settings.check_startable()
    except ConfigurationError as error:
        err_console.print(f"[bold red]Error:[/] {escape(str(error))}")
        raise typer.Exit(EXIT_FAILURE) from None


def _worker_count(workers: int | None) -> int:
    return workers if workers is not None else (os.cpu_count() or 1)


def _settings_to_environment(settings: Settings) -> None:
    os.environ["GAINSHARE_DATA_FOLDER"] = str(settings.data_folder.resolve())
    os.environ["GAINSHARE_MODE"] = settings.mode.value
    os.environ.pop("GAINSHARE_DATABASE_URL", None)


# A worker imports the app (numpy, pyarrow, scipy, ...) before it answers the supervisor's health check: on a busy
# 2-core machine that took more than uvicorn's default 5 s, and the supervisor killed and restarted the worker.
WORKER_STARTUP_SECONDS = 60


def _run(settings: Settings, workspace: Workspace, host: str, port: int, workers: int, access_log: bool = True) -> None:
    import uvicorn  # noqa: PLC0415  (only commands that serve pay for importing the server)

    from gainshare.interfaces.app import create_app  # noqa: PLC0415

    with user_errors():
        _secret, secret_file = settings.signing_secret()  # made here once, before any worker starts
    if secret_file is not None:
        console.print(f"Development mode: sessions are signed with the secret in {escape(str(secret_file))} (0600).")
    console.print(f"Serving on [bold]http://{host}:{port}/[/] (API under /api), {workers} worker(s); Ctrl+C to stop.")
    try:
        if workers == 1:
            uvicorn.run(
                create_app(settings, workspace),
                host=host,
                port=port,
                log_level="info",
                proxy_headers=False,
                access_log=access_log,
            )
        else:
            workspace.close()  # each worker opens its own
            uvicorn.run(
                APP_FACTORY,
                factory=True,
                workers=workers,
                host=host,
                port=port,
                log_level="info",
                proxy_headers=False,
                access_log=access_log,
                timeout_worker_healthcheck=WORKER_STARTUP_SECONDS,
            )
    finally:
        workspace.close()
