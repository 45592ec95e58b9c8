"""The settlement statement as documents: an HTML page, a PDF of the same page, and an auditable workbook."""

from __future__ import annotations

from gainshare.reports.context import StatementContext
from gainshare.reports.excel_statement import statement_workbook
from gainshare.reports.html import render
from gainshare.reports.pdf import html_to_pdf


def statement_html(context: StatementContext) -> str:
    """A self-contained HTML page (inline print CSS; nothing fetched) with every line and its clause."""
    return render("statement.html", ctx=context, generator=context.generator)


def statement_pdf(context: StatementContext) -> bytes:
    """The HTML page printed to A4 PDF: agreement, version and period on every page, and page numbers."""
    return html_to_pdf(statement_html(context))


def statement_xlsx(context: StatementContext) -> bytes:
    """A workbook whose formulas recompute the statement from its Inputs sheet (see excel_statement)."""
    return statement_workbook(context)
