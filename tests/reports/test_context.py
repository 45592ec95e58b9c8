from __future__ import annotations

import dataclasses

import pytest

from gainshare.adapters.figures_file import load_figures
from gainshare.domain.money import Money
from gainshare.domain.settlement import LineKind
from gainshare.reports.context import build_statement_context
from tests.reports.helpers import EXAMPLES, GENERATED_AT, ROOT, contexts


def test_context_of_the_example_agreement() -> None:
    (ctx,) = contexts(ROOT / "examples")
    assert ctx.period.id == "2025-26"
    assert ctx.reference == "northvale-msk v1 · 2025-26"
    assert ctx.generated_at == GENERATED_AT
    assert [scheme.id for scheme in ctx.schemes] == ["anticoag", "joint-injections"]
    anticoag = ctx.schemes[0]
    assert anticoag.setup == Money(1_200_000)
    assert anticoag.net_saving == anticoag.baseline - anticoag.actual - anticoag.provision - anticoag.setup
    assert ctx.total_of("net_saving") == ctx.settlement.net_saving
    assert ctx.shares_total == ctx.settlement.net_saving
    assert {row.party.id: row.amount for row in ctx.shares} == dict(ctx.settlement.shares)
    assert ctx.provider_side.amount + ctx.commissioner_total == ctx.settlement.net_saving
    assert [(party.id, due) for party, due in ctx.true_ups] == list(ctx.settlement.true_ups)
    assert len(ctx.rows) == 2


def test_every_settlement_line_has_a_place_in_the_context() -> None:
    for folder in sorted(path for path in EXAMPLES.iterdir() if path.is_dir()):
        for ctx in contexts(folder):
            placed = [line for scheme in ctx.schemes for line in scheme.lines]
            placed += [ctx.total_line, *ctx.steps, ctx.provider_side, *(row.line for row in ctx.shares)]
            placed += list(ctx.account_lines)
            assert sorted(placed, key=id) == sorted(ctx.settlement.lines, key=id), folder.name


def test_ledger_sections_balance_and_belong_to_the_period() -> None:
    ctx = contexts(EXAMPLES / "nhs-payments-on-account-true-up")[1]
    assert len(ctx.ledger) == 1
    (tx,) = ctx.ledger
    assert ctx.period.id in tx.key
    assert tx.balanced
    assert tx.debits == tx.credits
    assert all((row.debit is None) != (row.credit is None) for row in tx.postings)


def test_notes_state_rounding_and_losses() -> None:
    (flat,) = contexts(EXAMPLES / "nhs-rounding-half-even")[:1]
    assert any("half-even" in note for note in flat.notes)
    assert any("One-sided" in note for note in flat.notes)
    (loss,) = contexts(EXAMPLES / "mssp-enhanced-loss-floor")
    assert any("Two-sided" in note for note in loss.notes)


def test_a_settlement_of_another_agreement_is_refused() -> None:
    (ctx,) = contexts(ROOT / "examples")
    other = dataclasses.replace(ctx.settlement, agreement_version=ctx.agreement.version + 1)
    with pytest.raises(ValueError, match="does not belong"):
        build_statement_context(ctx.agreement, load_figures(ROOT / "examples/figures.yaml"), other, [], GENERATED_AT)


def test_steps_are_the_step_lines() -> None:
    (ctx,) = contexts(EXAMPLES / "nhs-banded-shares")
    assert all(line.kind is LineKind.STEP for line in ctx.steps)
    assert {"gain.band2", "gain.band3"} <= {line.code for line in ctx.steps}
