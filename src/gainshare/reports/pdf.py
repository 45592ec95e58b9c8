"""HTML to PDF with WeasyPrint. Documents are self-contained: only inline data: URLs are ever fetched."""

from __future__ import annotations

from gainshare.domain.errors import GainshareError


def html_to_pdf(html: str) -> bytes:
    """Render an HTML document (with its print CSS: @page size, margins, running header and footer) to PDF."""
    # Imported here: WeasyPrint loads Pango through cffi, which only document writers need.
    from weasyprint import HTML  # noqa: PLC0415
    from weasyprint.urls import URLFetcher  # noqa: PLC0415

    fetcher = URLFetcher(allowed_protocols=("data",))  # no file or network access from a document
    result = HTML(string=html, url_fetcher=fetcher).write_pdf()
    if result is None:  # write_pdf returns the bytes when given no target
        raise GainshareError("WeasyPrint produced no PDF")
    return bytes(result)
