"""The statement as HTML and PDF: every line and clause present, self-contained, printable, and stable."""

from __future__ import annotations

import html
import io
import os
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from gainshare.reports import formatting
from gainshare.reports.context import StatementContext
from gainshare.reports.statement import statement_html, statement_pdf
from tests.reports.helpers import EXAMPLES, ROOT, contexts

GOLDEN = Path(__file__).parent / "golden" / "statement-northvale-2025-26.html"
FOLDERS = [ROOT / "examples", *sorted(path for path in EXAMPLES.iterdir() if path.is_dir())]


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.mark.parametrize("folder", FOLDERS, ids=[folder.name for folder in FOLDERS])
def test_html_shows_every_line_with_its_clause_and_amount(folder: Path) -> None:
    for ctx in contexts(folder):
        page = statement_html(ctx)
        text = text_of(page)
        for line in ctx.settlement.lines:
            assert line.description in text, line.code
            assert line.clause in text, line.code
            assert formatting.money(line.amount) in text, line.code
        for row in ctx.shares:
            assert row.party.name in text
        for tx in ctx.ledger:
            for posting in tx.postings:
                assert posting.account in text
            assert "balanced" in text
        assert ctx.agreement.id in text and ctx.period.id in text


def test_html_is_self_contained() -> None:
    page = statement_html(contexts(ROOT / "examples")[0])
    assert not re.search(r"""(src|href)\s*=""", page)
    assert "@import" not in page and "url(" not in page
    assert "<script" not in page


def test_html_escapes_names() -> None:
    ctx = contexts(EXAMPLES / "mssp-basic-a-msr-met")[0]  # "Centers for Medicare & Medicaid Services"
    page = statement_html(ctx)
    assert "Medicare &amp; Medicaid" in page
    assert "Medicare & Medicaid" not in page


def test_a_loss_is_shown_in_brackets() -> None:
    (ctx,) = contexts(EXAMPLES / "mssp-enhanced-loss-floor")
    assert ctx.settlement.net_saving.pence < 0
    assert formatting.money(ctx.settlement.net_saving).startswith("(£")
    assert formatting.money(ctx.settlement.net_saving) in statement_html(ctx)


def test_html_matches_the_golden_file() -> None:
    """A change to the statement's layout shows up here; set GAINSHARE_UPDATE_GOLDEN=1 to accept it."""
    page = statement_html(contexts(ROOT / "examples")[0])
    if os.environ.get("GAINSHARE_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(page, encoding="utf-8")
    assert page == GOLDEN.read_text(encoding="utf-8")


def _pdf(ctx: StatementContext) -> PdfReader:
    content = statement_pdf(ctx)
    assert content.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(content))


def test_pdf_pages_carry_the_reference_and_page_numbers() -> None:
    (ctx,) = contexts(ROOT / "examples")
    reader = _pdf(ctx)
    pages = [page.extract_text() for page in reader.pages]
    assert 2 <= len(pages) <= 5
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        assert "northvale-msk · version 1 · period 2025-26" in text
    everything = "\n".join(pages)
    for row in ctx.shares:
        assert formatting.money(row.amount) in everything
    assert "Settlement statement for 2025-26" in everything
    assert everything.count("Northvale out-of-hospital services gain sharenorthvale") == 0  # header text not doubled


def test_pdf_of_a_multilateral_statement() -> None:
    (ctx,) = contexts(EXAMPLES / "nhs-multilateral-split")
    text = "\n".join(page.extract_text() for page in _pdf(ctx).pages)
    for row in ctx.shares:
        assert row.party.name in text
        assert formatting.money(row.amount) in text
