"""What the database itself refuses, whoever writes the SQL: triggers and constraints on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from gainshare.adapters.sql.engine import make_engine
from gainshare.domain.ledger import transfer
from gainshare.domain.money import Money
from tests.persistence.conftest import Backend
from tests.persistence.test_repository_contract import NOW, _signed_version, seed

POSTGRESQL = pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres)
on_sql = pytest.mark.parametrize("backend", [pytest.param("sqlite", id="sqlite"), POSTGRESQL], indirect=True)
on_postgresql = pytest.mark.parametrize("backend", [POSTGRESQL], indirect=True)


def _refused(backend: Backend, statement: str, **params: object) -> None:
    """The statement fails on a plain engine (no repository in the way) and changes nothing."""
    assert backend.url is not None
    engine = make_engine(backend.url)
    try:
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(text(statement), params)
    finally:
        engine.dispose()


def _run(backend: Backend, statement: str, **params: object) -> list[tuple[object, ...]]:
    assert backend.url is not None
    engine = make_engine(backend.url)
    try:
        with engine.begin() as connection:
            result = connection.execute(text(statement), params)
            return [tuple(row) for row in result] if result.returns_rows else []
    finally:
        engine.dispose()


@on_sql
def test_signed_versions_cannot_be_changed_or_deleted_by_raw_sql(backend: Backend) -> None:
    ids = seed(backend)
    signed = _signed_version(backend, ids)
    before = _run(backend, "SELECT content, content_sha256, status, lock_version FROM agreement_versions")
    _refused(backend, "UPDATE agreement_versions SET content = 'forged' WHERE id = :id", id=signed.id)
    _refused(backend, "UPDATE agreement_versions SET status = 'draft' WHERE id = :id", id=signed.id)
    _refused(backend, "UPDATE agreement_versions SET lock_version = lock_version + 1")
    _refused(backend, "DELETE FROM agreement_versions WHERE id = :id", id=signed.id)
    assert _run(backend, "SELECT content, content_sha256, status, lock_version FROM agreement_versions") == before


@on_sql
def test_drafts_stay_editable_by_sql(backend: Backend) -> None:
    ids = seed(backend)
    with backend.units() as uow:
        draft = uow.agreements.add_version(ids.agreement, 1, "draft", ids.user, NOW)
        uow.commit()
    _run(backend, "UPDATE agreement_versions SET content = 'edited' WHERE id = :id", id=draft.id)
    assert _run(backend, "SELECT content FROM agreement_versions") == [("edited",)]


@on_sql
def test_raw_sql_cannot_mark_a_version_signed_without_both_signatures(backend: Backend) -> None:
    ids = seed(backend)
    with backend.units() as uow:
        version = uow.agreements.add_version(ids.agreement, 1, "terms", ids.user, NOW)
        uow.agreements.add_signature(version.id, ids.commissioner, ids.user, version.content_sha256, NOW)
        uow.commit()
    _refused(backend, "UPDATE agreement_versions SET status = 'signed' WHERE id = :id", id=version.id)
    _refused(
        backend,
        "INSERT INTO agreement_versions (agreement_id, number, content, content_sha256, status, created_by, "
        "created_at, lock_version) VALUES (:agreement, 2, 'x', :sha, 'signed', :user, :at, 0)",
        agreement=ids.agreement,
        sha="0" * 64,
        user=ids.user,
        at=NOW,
    )
    assert _run(backend, "SELECT status FROM agreement_versions") == [("draft",)]


@on_sql
@pytest.mark.parametrize("table", ["audit_log", "ledger_transactions", "ledger_postings", "signatures"])
def test_append_only_tables_refuse_update_and_delete(backend: Backend, table: str) -> None:
    ids = seed(backend)
    _signed_version(backend, ids)
    with backend.units() as uow:
        uow.ledger.post(transfer("key", "d", "A", "B", Money(10)), ids.agreement, None, ids.user, NOW)
        uow.audit.append(ids.user, NOW, "did", "thing", {"n": 1}, ids.agreement)
        uow.commit()
    count = _run(backend, f"SELECT COUNT(*) FROM {table}")
    assert count[0][0] > 0
    _refused(backend, f"UPDATE {table} SET id = id")
    _refused(backend, f"DELETE FROM {table}")
    assert _run(backend, f"SELECT COUNT(*) FROM {table}") == count


@on_sql
def test_money_columns_are_bigint_pence(backend: Backend) -> None:
    ids = seed(backend)
    huge = 9_000_000_000_000_000  # beyond 32 bits, within BIGINT
    with backend.units() as uow:
        uow.ledger.post(transfer("big", "d", "A", "B", Money(huge)), ids.agreement, None, ids.user, NOW)
        uow.commit()
    rows = _run(backend, "SELECT amount_pence FROM ledger_postings ORDER BY line_no")
    assert rows == [(huge,), (-huge,)]
    assert all(type(value) is int for (value,) in rows)


@on_postgresql
@pytest.mark.parametrize("table", ["audit_log", "ledger_postings", "agreement_versions"])
def test_postgresql_refuses_truncate(backend: Backend, table: str) -> None:
    ids = seed(backend)
    _signed_version(backend, ids)
    with backend.units() as uow:
        uow.ledger.post(transfer("key", "d", "A", "B", Money(10)), ids.agreement, None, ids.user, NOW)
        uow.audit.append(ids.user, NOW, "did", "thing", {}, ids.agreement)
        uow.commit()
    _refused(backend, f"TRUNCATE {table} CASCADE")
