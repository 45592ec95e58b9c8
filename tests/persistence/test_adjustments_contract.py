"""The adjustments repository's contract on memory, SQLite and PostgreSQL (distribution terms kept once, adjustments
numbered once per period), what the database itself refuses, and migration 0006's place in the chain."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
from alembic.script import ScriptDirectory

from gainshare.adapters.sql import migrate
from gainshare.domain.distribution import Basis, LossHandling, PracticeMeasures
from gainshare.domain.errors import ConflictError
from gainshare.domain.money import Money
from gainshare.services.ports import (
    AdjustmentLine,
    AdjustmentSection,
    DistributionLineRecord,
    DistributionTermsRecord,
)
from tests.persistence.conftest import Backend
from tests.persistence.test_database_guards import _refused, _run, on_sql
from tests.persistence.test_repository_contract import NOW, _signed_version, seed

TERMS = DistributionTermsRecord(
    Decimal("0.1"),
    ((Basis.WEIGHTED_LIST, Decimal("0.5")), (Basis.ACTIVITY, Decimal("0.5"))),
    LossHandling.PRACTICES,
    (PracticeMeasures("Z00001", Decimal("8000.5"), Decimal(0), Decimal("0.9")), PracticeMeasures("Z00002", Decimal(1))),
)
LINES = (
    AdjustmentLine(AdjustmentSection.PARTY, "share", "FED", None, "FED", Money(1_000), Money(900), "FED's share"),
    AdjustmentLine(AdjustmentSection.LINE, "cost", "cost.actual", "anticoag", None, None, Money(5), "new line"),
    AdjustmentLine(AdjustmentSection.RECIPIENT, "practice", "Z00001", None, None, Money(900), None, "gone"),
)


@dataclass(frozen=True)
class Posted:
    agreement: int
    user: int
    settlement: int
    distribution: int


def _posted(backend: Backend) -> Posted:
    """A posted period: its agreement, who posted it, its settlement and its distribution."""
    ids = seed(backend)
    version = _signed_version(backend, ids)
    lines = (DistributionLineRecord("Z00001", "practice", Money(900), Decimal(1), "weighted list"),)
    with backend.units() as uow:
        settlement = uow.settlements.add(version.id, "2025-26", {"lines": []}, Money(1), Money(2), None, ids.user, NOW)
        distribution = uow.distributions.add(
            ids.agreement, "2025-26", settlement.id, "FED", Money(900), "b", lines, ids.user, NOW
        )
        uow.commit()
    return Posted(ids.agreement, ids.user, settlement.id, distribution.id)


def test_distribution_terms_are_kept_once_and_read_back_exactly(backend: Backend) -> None:
    distribution = _posted(backend).distribution
    with backend.units() as uow:
        assert uow.adjustments.terms(distribution) is None
        uow.adjustments.record_terms(distribution, TERMS, NOW)
        with pytest.raises(ConflictError):
            uow.adjustments.record_terms(distribution, TERMS, NOW)
        uow.commit()
    with backend.units() as uow:
        assert uow.adjustments.terms(distribution) == TERMS


def test_adjustments_are_numbered_once_per_period(backend: Backend) -> None:
    posted = _posted(backend)
    agreement, user, settlement, distribution = posted.agreement, posted.user, posted.settlement, posted.distribution
    statement = {"net_saving": {"pence": 5}}
    keys = ("agreement/1/period/2025-26/adjustment/1",)
    with backend.units() as uow:
        first = uow.adjustments.add(
            agreement,
            "2025-26",
            1,
            settlement,
            distribution,
            statement,
            "why",
            keys,
            LINES,
            user,
            NOW,
        )
        with pytest.raises(ConflictError):
            uow.adjustments.add(agreement, "2025-26", 1, settlement, distribution, {}, "again", keys, (), user, NOW)
        second = uow.adjustments.add(agreement, "2025-26", 2, settlement, distribution, {}, "", (), (), user, NOW)
        uow.commit()
    with backend.units() as uow:
        assert uow.adjustments.for_agreement(agreement) == [first, second]
        assert uow.adjustments.for_agreement(agreement, "2026-27") == []
    assert first.lines == LINES and first.transaction_keys == keys and first.number == 1
    assert first.section(AdjustmentSection.RECIPIENT)[0].difference == Money(-900)


@on_sql
def test_adjustment_tables_are_append_only_in_the_database(backend: Backend) -> None:
    posted = _posted(backend)
    agreement, user, settlement, distribution = posted.agreement, posted.user, posted.settlement, posted.distribution
    with backend.units() as uow:
        uow.adjustments.record_terms(distribution, TERMS, NOW)
        uow.adjustments.add(agreement, "2025-26", 1, settlement, distribution, {}, "why", (), LINES, user, NOW)
        uow.commit()
    for table in ("distribution_terms", "settlement_adjustments", "settlement_adjustment_lines"):
        _refused(backend, f"DELETE FROM {table}")
    _refused(backend, "UPDATE settlement_adjustments SET reason = 'rewritten'")
    _refused(backend, "UPDATE settlement_adjustment_lines SET now_pence = 0")
    _refused(backend, "UPDATE distribution_terms SET top_slice = '0'")
    assert _run(backend, "SELECT reason, number FROM settlement_adjustments") == [("why", 1)]


def test_the_adjustments_migration_follows_the_password_change_in_a_single_chain() -> None:
    scripts = ScriptDirectory.from_config(migrate.alembic_config())
    assert len(scripts.get_heads()) == 1
    revision = scripts.get_revision("0006_settlement_adjustments")
    assert revision is not None and revision.down_revision == "0005_password_change"
