"""`gainshare statement`: the settlement statement of one period as HTML, PDF and an auditable Excel workbook."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from gainshare.domain.errors import InvalidInputError
from gainshare.domain.issues import Issue, Source
from gainshare.interfaces.cli.errors import user_errors
from gainshare.interfaces.cli.file_services import file_services
from gainshare.interfaces.cli.settle_command import FIGURES_HELP
from gainshare.reports.context import StatementContext, build_statement_context
from gainshare.reports.statement import statement_html, statement_pdf, statement_xlsx
from gainshare.services.settlements import settle_all

OutPath = Annotated[Path | None, typer.Option(dir_okay=False, writable=True, show_default=False)]


def statement(
    agreement: Annotated[Path, typer.Argument(help="The agreement file (.yaml, .yml or .json).", show_default=False)],
    figures: Annotated[Path, typer.Argument(help=FIGURES_HELP, show_default=False)],
    period: Annotated[
        str | None, typer.Option(help="The period to state (e.g. 2025-26); default: the last period with figures.")
    ] = None,
    html: OutPath = None,
    pdf: OutPath = None,
    xlsx: OutPath = None,
) -> None:
    """Write the settlement statement of one period: --html page, --pdf document, --xlsx workbook.

    The workbook recomputes the statement with formulas from an Inputs sheet, so it can be audited in Excel.
    Exit code 1 when the inputs have problems (nothing is written then).
    """
    if html is None and pdf is None and xlsx is None:
        raise typer.BadParameter("name at least one output: --html, --pdf or --xlsx")
    with user_errors():
        service = file_services().settlements
        loaded_agreement = service.agreements.load(str(agreement))
        loaded_figures = service.figures.load(str(figures))
        result = settle_all(loaded_agreement, loaded_figures, period)
        if not result.settlements:
            problem = Issue("figures.empty", "no period has figures to state", Source(file=str(figures)))
            raise InvalidInputError([problem])
        settlement = result.settlements[-1]
        context = build_statement_context(
            loaded_agreement, loaded_figures, settlement, result.transactions, datetime.now(UTC)
        )
        writers: tuple[tuple[Path | None, Callable[[StatementContext], bytes]], ...] = (
            (html, _html_bytes),
            (pdf, statement_pdf),
            (xlsx, statement_xlsx),
        )
        for path, write in writers:
            if path is not None:
                path.write_bytes(write(context))
                typer.echo(f"Wrote {path} ({context.reference})")


def _html_bytes(context: StatementContext) -> bytes:
    return statement_html(context).encode("utf-8")
