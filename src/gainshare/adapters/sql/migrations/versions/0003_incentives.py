"""Incentivise and compare: incentive schemes (text and sha256), milestone evidence, sign-offs, approved payments
(one per scheme, stage and practice; BIGINT pence) with their balanced postings, the register of declared interests
(an update is a new row), and the conflict flags recorded against decisions let through under the flag policy.

Every new table is append-only on SQLite and PostgreSQL alike (the 0001 trigger function on PostgreSQL).

Revision ID: 0003_incentives
Revises: 0002_monitoring
Created: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_incentives"
down_revision = "0002_monitoring"
branch_labels = None
depends_on = None

APPEND_ONLY = (
    "incentive_schemes",
    "incentive_evidence",
    "incentive_sign_offs",
    "incentive_payments",
    "incentive_payment_postings",
    "declared_interests",
    "incentive_conflict_flags",
)
NATURES = "nature IN ('financial', 'non-financial professional', 'non-financial personal', 'indirect')"


def _id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _pk() -> sa.Column[int]:
    return sa.Column("id", _id(), nullable=False, primary_key=True)


def _fk(name: str, target: str, nullable: bool = False, index: bool = False) -> sa.Column[int]:
    return sa.Column(name, _id(), sa.ForeignKey(target), nullable=nullable, index=index)


def _scheme_fk(index: bool = False) -> sa.Column[str]:
    return sa.Column(
        "scheme_id", sa.String(100), sa.ForeignKey("incentive_schemes.scheme_id"), nullable=False, index=index
    )


def _text(name: str, length: int | None = None, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.String(length) if length else sa.Text(), nullable=nullable)


def _time(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    _create_schemes()
    _create_payments()
    _create_register()
    if op.get_context().dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION gainshare_append_only()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION gainshare_append_only()"
            )
    else:
        for table in APPEND_ONLY:
            for event in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_append_only_{event.lower()} BEFORE {event} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                )


def _create_schemes() -> None:
    op.create_table(
        "incentive_schemes",
        _pk(),
        sa.Column("scheme_id", sa.String(100), nullable=False, unique=True),
        _fk("commissioner_id", "organisations.id", index=True),
        _fk("federation_id", "organisations.id", index=True),
        _text("content"),
        _text("content_sha256", 64),
        _fk("created_by", "users.id"),
        _time("created_at"),
        sa.CheckConstraint("length(content_sha256) = 64", name="sha256"),
        sa.CheckConstraint("commissioner_id <> federation_id", name="two_parties"),
    )
    op.create_table(
        "incentive_evidence",
        _pk(),
        _scheme_fk(index=True),
        _text("stage_id", 100),
        _text("condition_id", 100),
        _text("practice_code", 10, nullable=True),
        _text("description"),
        _fk("submitted_by", "users.id"),
        _time("submitted_at"),
    )
    op.create_table(
        "incentive_sign_offs",
        _pk(),
        _scheme_fk(),
        _text("stage_id", 100),
        _text("practice_code", 10),
        _fk("signed_by", "users.id"),
        _time("signed_at"),
        sa.UniqueConstraint("scheme_id", "stage_id", "practice_code"),
    )


def _create_payments() -> None:
    op.create_table(
        "incentive_payments",
        _pk(),
        sa.Column("idempotency_key", sa.String(300), nullable=False, unique=True),
        _scheme_fk(),
        _text("stage_id", 100),
        _text("practice_code", 10),
        _text("description", 300),
        sa.Column("amount_pence", sa.BigInteger(), nullable=False),
        _fk("approved_by", "users.id"),
        _time("approved_at"),
        sa.UniqueConstraint("scheme_id", "stage_id", "practice_code"),
        sa.CheckConstraint("amount_pence >= 0", name="amount"),
    )
    op.create_table(
        "incentive_payment_postings",
        _pk(),
        _fk("payment_id", "incentive_payments.id"),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(200), nullable=False, index=True),
        sa.Column("amount_pence", sa.BigInteger(), nullable=False),
        sa.UniqueConstraint("payment_id", "line_no"),
    )


def _create_register() -> None:
    op.create_table(
        "declared_interests",
        _pk(),
        sa.Column("person", sa.String(320), nullable=False, index=True),
        _text("person_name", 200),
        _text("role", 200),
        _text("organisation_code", 10),
        _text("organisation_name", 200),
        _text("nature", 40),
        _text("description"),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("declared_on", sa.Date(), nullable=True),
        _text("action_taken"),
        sa.CheckConstraint(NATURES, name="nature"),
        sa.CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="dates"),
    )
    op.create_table(
        "incentive_conflict_flags",
        _pk(),
        _fk("sign_off_id", "incentive_sign_offs.id", nullable=True, index=True),
        _fk("payment_id", "incentive_payments.id", nullable=True, index=True),
        sa.Column("position", sa.Integer(), nullable=False),
        _text("reason"),
        sa.CheckConstraint("(sign_off_id IS NULL) <> (payment_id IS NULL)", name="one_decision"),
    )


def downgrade() -> None:
    for table in reversed(APPEND_ONLY):
        op.drop_table(table)
