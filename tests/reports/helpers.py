"""Shared helpers for the document tests: settle a worked example and build its statement contexts."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from gainshare.adapters.agreement_file.loader import load_agreement
from gainshare.adapters.figures_file import load_figures
from gainshare.reports.context import StatementContext, build_statement_context
from gainshare.services.settlements import settle_all

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "tests" / "examples"
GENERATED_AT = datetime(2026, 5, 1, 9, 30, tzinfo=UTC)


def contexts(folder: Path) -> list[StatementContext]:
    """One statement context per settled period of a worked example folder (agreement.yaml, figures.yaml)."""
    agreement = load_agreement(folder / "agreement.yaml")
    figures = load_figures(folder / "figures.yaml")
    result = settle_all(agreement, figures)
    return [
        build_statement_context(agreement, figures, item, result.transactions, GENERATED_AT)
        for item in result.settlements
    ]


def pence(value: object) -> int:
    """A formula engine's number of pounds as whole pence, refusing anything more than a rounding hair off."""
    assert isinstance(value, int | float), f"not a number: {value!r}"
    exact = Decimal(repr(value)) * 100
    whole = int(exact.to_integral_value())
    assert abs(exact - whole) < Decimal("0.0001"), f"{value!r} is not a whole number of pence"
    return whole
