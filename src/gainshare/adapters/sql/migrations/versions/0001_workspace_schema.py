"""Workspace schema: organisations, users, agreements and versions, signatures, uploads, settlements, ledger, audit.

Triggers, on SQLite and PostgreSQL alike, make signed agreement versions immutable (no UPDATE, no DELETE, no
TRUNCATE), let a version become signed only when both owning organisations have signed its current content hash,
and make signatures, ledger transactions, ledger postings and the audit log append-only.

Revision ID: 0001
Revises:
Created: 2026-11-25
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

APPEND_ONLY = ("signatures", "ledger_transactions", "ledger_postings", "audit_log")


def _id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _time() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _pk() -> sa.Column[int]:
    return sa.Column("id", _id(), nullable=False, primary_key=True)


def _fk(name: str, target: str, nullable: bool = False) -> sa.Column[int]:
    return sa.Column(name, _id(), sa.ForeignKey(target), nullable=nullable)


def upgrade() -> None:
    _create_parties()
    _create_agreements()
    _create_money()
    _create_audit()
    if op.get_context().dialect.name == "postgresql":
        _postgresql_triggers()
    else:
        _sqlite_triggers()


def _create_parties() -> None:
    op.create_table(
        "organisations",
        _pk(),
        sa.Column("ods_code", sa.String(10), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        _fk("parent_id", "organisations.id", nullable=True),
        sa.CheckConstraint("kind IN ('commissioner', 'federation', 'practice')", name="kind"),
    )
    op.create_table(
        "users",
        _pk(),
        sa.Column("email", sa.String(320), nullable=False, unique=True),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
    )
    op.create_table(
        "memberships",
        sa.Column("user_id", _id(), sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("organisation_id", _id(), sa.ForeignKey("organisations.id"), primary_key=True, index=True),
        sa.Column("role", sa.String(40), primary_key=True),
        sa.CheckConstraint(
            "role IN ('commissioner_finance', 'federation_manager', 'practice_viewer', 'administrator')", name="role"
        ),
    )


def _create_agreements() -> None:
    op.create_table(
        "agreements",
        _pk(),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("commissioner_id", _id(), sa.ForeignKey("organisations.id"), nullable=False, index=True),
        sa.Column("provider_id", _id(), sa.ForeignKey("organisations.id"), nullable=False, index=True),
        _fk("created_by", "users.id"),
        sa.Column("created_at", _time(), nullable=False),
        sa.CheckConstraint("commissioner_id <> provider_id", name="two_parties"),
    )
    op.create_table(
        "agreement_versions",
        _pk(),
        _fk("agreement_id", "agreements.id"),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        _fk("created_by", "users.id"),
        sa.Column("created_at", _time(), nullable=False),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.UniqueConstraint("agreement_id", "number"),
        sa.CheckConstraint("status IN ('draft', 'proposed', 'signed')", name="status"),
        sa.CheckConstraint("number >= 1", name="number"),
        sa.CheckConstraint("lock_version >= 0", name="lock_version"),
        sa.CheckConstraint("length(content_sha256) = 64", name="sha256"),
    )
    op.create_table(
        "signatures",
        _pk(),
        _fk("version_id", "agreement_versions.id"),
        _fk("organisation_id", "organisations.id"),
        _fk("user_id", "users.id"),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("signed_at", _time(), nullable=False),
        sa.UniqueConstraint("version_id", "organisation_id", "content_sha256"),
    )


def _create_money() -> None:
    op.create_table(
        "uploads",
        _pk(),
        sa.Column("agreement_id", _id(), sa.ForeignKey("agreements.id"), nullable=False, index=True),
        sa.Column("filename", sa.String(300), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        _fk("uploaded_by", "users.id"),
        sa.Column("uploaded_at", _time(), nullable=False),
        sa.CheckConstraint("status IN ('received', 'accepted', 'rejected')", name="status"),
        sa.CheckConstraint("row_count >= 0", name="row_count"),
    )
    op.create_table(
        "settlements",
        _pk(),
        _fk("version_id", "agreement_versions.id"),
        sa.Column("period", sa.String(40), nullable=False),
        sa.Column("statement", _json(), nullable=False),
        sa.Column("net_saving_pence", sa.BigInteger(), nullable=False),
        sa.Column("baseline_cost_pence", sa.BigInteger(), nullable=False),
        _fk("upload_id", "uploads.id", nullable=True),
        _fk("created_by", "users.id"),
        sa.Column("created_at", _time(), nullable=False),
        sa.UniqueConstraint("version_id", "period"),
    )
    op.create_table(
        "ledger_transactions",
        _pk(),
        sa.Column("idempotency_key", sa.String(300), nullable=False, unique=True),
        sa.Column("description", sa.String(300), nullable=False),
        sa.Column("agreement_id", _id(), sa.ForeignKey("agreements.id"), nullable=False, index=True),
        _fk("settlement_id", "settlements.id", nullable=True),
        _fk("posted_by", "users.id"),
        sa.Column("posted_at", _time(), nullable=False),
    )
    op.create_table(
        "ledger_postings",
        _pk(),
        _fk("transaction_id", "ledger_transactions.id"),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(200), nullable=False, index=True),
        sa.Column("amount_pence", sa.BigInteger(), nullable=False),
        sa.UniqueConstraint("transaction_id", "line_no"),
    )


def _create_audit() -> None:
    op.create_table(
        "audit_log",
        _pk(),
        _fk("actor_id", "users.id", nullable=True),
        sa.Column("at", _time(), nullable=False),
        sa.Column("action", sa.String(100), nullable=False),
        sa.Column("entity", sa.String(200), nullable=False),
        _fk("agreement_id", "agreements.id", nullable=True),
        sa.Column("details", _json(), nullable=False),
        sa.Index(None, "agreement_id", "id"),
    )


_BOTH_SIGNED = """(
    SELECT COUNT(DISTINCT s.organisation_id) FROM signatures s JOIN agreements a ON a.id = NEW.agreement_id
    WHERE s.version_id = NEW.id AND s.content_sha256 = NEW.content_sha256
      AND s.organisation_id IN (a.commissioner_id, a.provider_id)
) = 2"""


def _sqlite_triggers() -> None:
    frozen = "SELECT RAISE(ABORT, 'agreement version is signed and cannot change')"
    op.execute(
        "CREATE TRIGGER agreement_versions_signed_no_update BEFORE UPDATE ON agreement_versions "
        f"FOR EACH ROW WHEN OLD.status = 'signed' BEGIN {frozen}; END"
    )
    op.execute(
        "CREATE TRIGGER agreement_versions_signed_no_delete BEFORE DELETE ON agreement_versions "
        f"FOR EACH ROW WHEN OLD.status = 'signed' BEGIN {frozen}; END"
    )
    op.execute(
        "CREATE TRIGGER agreement_versions_born_unsigned BEFORE INSERT ON agreement_versions "
        "FOR EACH ROW WHEN NEW.status = 'signed' "
        "BEGIN SELECT RAISE(ABORT, 'a new agreement version cannot be signed already'); END"
    )
    op.execute(
        "CREATE TRIGGER agreement_versions_signed_by_both BEFORE UPDATE ON agreement_versions "
        f"FOR EACH ROW WHEN NEW.status = 'signed' AND NOT {_BOTH_SIGNED} "
        "BEGIN SELECT RAISE(ABORT, 'a version is signed only when both parties have signed its content hash'); END"
    )
    for table in APPEND_ONLY:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_append_only_{event.lower()} BEFORE {event} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )


def _postgresql_triggers() -> None:
    op.execute(
        """
CREATE FUNCTION gainshare_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END $$"""
    )
    op.execute(
        f"""
CREATE FUNCTION gainshare_signed_versions() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        IF EXISTS (SELECT 1 FROM agreement_versions WHERE status = 'signed') THEN
            RAISE EXCEPTION 'signed agreement versions cannot be truncated'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'signed' THEN
        RAISE EXCEPTION 'agreement version % is signed and cannot change', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    IF NEW.status = 'signed' AND (TG_OP = 'INSERT' OR NOT {_BOTH_SIGNED}) THEN
        RAISE EXCEPTION 'agreement version % is signed only when both parties have signed its content hash', NEW.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$"""
    )
    op.execute(
        "CREATE TRIGGER agreement_versions_signed BEFORE INSERT OR UPDATE OR DELETE ON agreement_versions "
        "FOR EACH ROW EXECUTE FUNCTION gainshare_signed_versions()"
    )
    op.execute(
        "CREATE TRIGGER agreement_versions_no_truncate BEFORE TRUNCATE ON agreement_versions "
        "FOR EACH STATEMENT EXECUTE FUNCTION gainshare_signed_versions()"
    )
    for table in APPEND_ONLY:
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION gainshare_append_only()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION gainshare_append_only()"
        )


def downgrade() -> None:
    for table in (
        "audit_log",
        "ledger_postings",
        "ledger_transactions",
        "settlements",
        "uploads",
        "signatures",
        "agreement_versions",
        "agreements",
        "memberships",
        "users",
        "organisations",
    ):
        op.drop_table(table)
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP FUNCTION gainshare_signed_versions()")
        op.execute("DROP FUNCTION gainshare_append_only()")
