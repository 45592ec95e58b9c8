"""The documentation is part of the product: generated pages are current and worked examples are right."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from gainshare.adapters.agreement_file.loader import parse_agreement
from gainshare.adapters.figures_file import figures_from_data
from gainshare.domain.agreement import BaselineAdjustments, Scheme
from gainshare.domain.figures import Figures, SchemeFigures
from gainshare.domain.money import Money
from gainshare.domain.periods import parse_period_label
from gainshare.reports.schema_docs import reference_markdown
from gainshare.services.settlements import settle_all
from tests.builders import agreement

DOCS = Path(__file__).resolve().parents[1] / "docs"

WORKED = """
gainshare: 1
id: worked
version: 1
title: Worked example
parties:
  - {id: ICB, role: commissioner, name: ICB}
  - {id: FED, role: provider, name: Federation}
term: {start: 2025-04-01, end: 2026-03-31}
schemes:
  - {id: all, name: All schemes, hospital_price: "1", provision_price: "1"}
sharing:
  gains:
    threshold: {percent_of_baseline: "2%", sharing: excess-only}
    bands:
      - {from: "0%", to: "5%", provider_share: "50%"}
      - {from: "5%", provider_share: "30%"}
    cap: {percent_of_baseline: "3%"}
  quality: {mode: multiplier}
"""


def test_agreement_reference_is_current() -> None:
    assert (DOCS / "agreement-reference.md").read_text() == reference_markdown(), (
        "docs/agreement-reference.md is out of date: run `make docs`"
    )


def test_gain_share_worked_example_matches_the_engine() -> None:
    agreement = parse_agreement(WORKED)
    figures = figures_from_data(
        {
            "periods": {"2025-26": {"quality_score": "0.9"}},
            "rows": [
                {
                    "period": "2025-26",
                    "scheme": "all",
                    "baseline_cost": "1000000",
                    "actual_cost": "820000",
                    "provision_cost": "100000",
                }
            ],
        },
        "worked",
    )
    [settlement] = settle_all(agreement, figures).settlements
    steps = {line.code: line.amount for line in settlement.lines}
    assert settlement.net_saving == Money.parse("80000")
    assert steps["saving.threshold_met"] == Money.parse("20000")
    assert steps["gain.band1"] == Money.parse("15000")
    assert steps["gain.band2"] == Money.parse("9000")
    assert steps["quality.multiplier"] == Money.parse("21600")
    assert "gain.capped" not in steps
    assert settlement.share_of("FED") == Money.parse("21600")
    assert settlement.share_of("ICB") == Money.parse("58400")
    text = (DOCS / "gain-share.md").read_text()
    for figure in ("£20,000.00", "£15,000.00", "£9,000.00", "£21,600.00", "£58,400.00"):
        assert figure in text


def test_baseline_example_in_docs_matches_the_engine() -> None:
    deal = agreement(
        baseline=BaselineAdjustments(Decimal("0.012"), Decimal("0.025"), Decimal("0.011")),
        schemes=(Scheme("s1", "Anticoagulation", Money.parse("34.00"), Money(0)),),
    )
    span = parse_period_label("2025-26")
    assert span is not None
    figures = Figures((SchemeFigures("s1", span, Decimal(9800), Decimal(0), Decimal(0)),))
    [settlement] = settle_all(deal, figures).settlements
    assert settlement.baseline_cost == Money.parse("341919.18")
    assert "£341,919.18" in (DOCS / "baselines.md").read_text()
