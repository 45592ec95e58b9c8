"""Prior-period adjustments: a posted period whose actuals were revised later is adjusted by posting the
difference, never by rewriting what was posted. settlement_adjustments (numbered 1, 2, ... per agreement and
period, unique) with their lines (per party, statement line and distribution recipient: posted, now), and
distribution_terms (how a posted distribution was split, so that an adjustment splits by the same terms).

Every new table is append-only on SQLite and PostgreSQL alike (the 0001 trigger function on PostgreSQL).

Revision ID: 0006_settlement_adjustments
Revises: 0005_password_change
Created: 2026-11-28
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006_settlement_adjustments"
down_revision = "0005_password_change"
branch_labels = None
depends_on = None

APPEND_ONLY = ("distribution_terms", "settlement_adjustments", "settlement_adjustment_lines")


def _id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _fk(name: str, target: str) -> sa.Column[int]:
    return sa.Column(name, _id(), sa.ForeignKey(target), nullable=False)


def _time(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    _create_terms()
    _create_adjustments()
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


def _create_terms() -> None:
    op.create_table(
        "distribution_terms",
        sa.Column("distribution_id", _id(), sa.ForeignKey("distributions.id"), primary_key=True, autoincrement=False),
        sa.Column("top_slice", sa.String(80), nullable=False),
        sa.Column("mix", _json(), nullable=False),
        sa.Column("losses", sa.String(20), nullable=False),
        sa.Column("practices", _json(), nullable=False),
        _time("created_at"),
    )


def _create_adjustments() -> None:
    op.create_table(
        "settlement_adjustments",
        sa.Column("id", _id(), nullable=False, primary_key=True),
        _fk("agreement_id", "agreements.id"),
        sa.Column("period", sa.String(40), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        _fk("settlement_id", "settlements.id"),
        _fk("distribution_id", "distributions.id"),
        sa.Column("statement", _json(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("transaction_keys", _json(), nullable=False),
        _fk("created_by", "users.id"),
        _time("created_at"),
        sa.UniqueConstraint("agreement_id", "period", "number"),
        sa.CheckConstraint("number >= 1", name="number"),
    )
    op.create_table(
        "settlement_adjustment_lines",
        sa.Column("id", _id(), nullable=False, primary_key=True),
        _fk("adjustment_id", "settlement_adjustments.id"),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("section", sa.String(20), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("scheme", sa.String(100), nullable=True),
        sa.Column("party", sa.String(100), nullable=True),
        sa.Column("posted_pence", sa.BigInteger(), nullable=True),
        sa.Column("now_pence", sa.BigInteger(), nullable=True),
        sa.Column("why", sa.Text(), nullable=False),
        sa.UniqueConstraint("adjustment_id", "line_no"),
        sa.CheckConstraint("section IN ('party', 'line', 'recipient')", name="section"),
    )


def downgrade() -> None:
    for table in reversed(APPEND_ONLY):
        op.drop_table(table)
