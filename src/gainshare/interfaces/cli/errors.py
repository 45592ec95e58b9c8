"""The one place where errors become sentences and exit codes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.markup import escape

from gainshare.domain.errors import GainshareError, InvalidInputError

EXIT_INPUT = 1  # the user's files have problems
EXIT_FAILURE = 2  # something else went wrong

err_console = Console(stderr=True, highlight=False, soft_wrap=True)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn InvalidInputError into a list of problems and exit 1; other known errors into exit 2."""
    try:
        yield
    except InvalidInputError as error:
        count = len(error.issues)
        err_console.print(f"[bold red]{count} problem{'s' if count != 1 else ''} found; nothing was done.[/]")
        for issue in error.issues:
            err_console.print(f"  [red]✗[/] {escape(issue.render())}")
        raise typer.Exit(EXIT_INPUT) from None
    except GainshareError as error:
        err_console.print(f"[bold red]Error:[/] {escape(str(error))}")
        raise typer.Exit(EXIT_FAILURE) from None
