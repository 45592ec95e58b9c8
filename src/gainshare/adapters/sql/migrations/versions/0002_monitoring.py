"""Monitor, settle, distribute: monthly actuals (superseded, never updated), payment schedules and payments on
account, distributions, inter-practice referral items and netted statements, special-cause notifications.

Every new table is append-only on SQLite and PostgreSQL alike (the 0001 trigger function on PostgreSQL).

Revision ID: 0002_monitoring
Revises: 0001
Created: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_monitoring"
down_revision = "0001"
branch_labels = None
depends_on = None

APPEND_ONLY = (
    "monthly_actuals",
    "payment_schedules",
    "payment_schedule_instalments",
    "account_payments",
    "distributions",
    "distribution_lines",
    "referral_items",
    "referral_statements",
    "notifications",
    "notification_reads",
)
MONTH_CHECK = "length(month) = 7"


def _id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _pk() -> sa.Column[int]:
    return sa.Column("id", _id(), nullable=False, primary_key=True)


def _fk(name: str, target: str, nullable: bool = False, index: bool = False, unique: bool = False) -> sa.Column[int]:
    return sa.Column(name, _id(), sa.ForeignKey(target), nullable=nullable, index=index, unique=unique)


def _pence(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger(), nullable=False)


def _text(name: str, length: int, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.String(length), nullable=nullable)


def _time(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    _create_actuals()
    _create_payments()
    _create_distributions()
    _create_referrals()
    _create_notifications()
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


def _create_actuals() -> None:
    op.create_table(
        "monthly_actuals",
        _pk(),
        _fk("agreement_id", "agreements.id", index=True),
        _text("scheme", 100),
        _text("practice", 20),
        _text("month", 7),
        _pence("baseline_activity"),
        _pence("hospital_activity"),
        _pence("hub_activity"),
        _pence("baseline_cost_pence"),
        _pence("hospital_cost_pence"),
        _pence("hub_cost_pence"),
        sa.Column("revision", sa.Integer(), nullable=False),
        _fk("supersedes_id", "monthly_actuals.id", nullable=True, unique=True),
        _fk("upload_id", "uploads.id", nullable=True),
        _fk("recorded_by", "users.id"),
        _time("recorded_at"),
        sa.UniqueConstraint("agreement_id", "scheme", "practice", "month", "revision"),
        sa.CheckConstraint("revision >= 1", name="revision"),
        sa.CheckConstraint(MONTH_CHECK, name="month"),
        sa.CheckConstraint("baseline_activity >= 0 AND hospital_activity >= 0 AND hub_activity >= 0", name="activity"),
        sa.CheckConstraint("(revision = 1) = (supersedes_id IS NULL)", name="supersedes"),
    )


def _create_payments() -> None:
    op.create_table(
        "payment_schedules",
        _pk(),
        _fk("agreement_id", "agreements.id"),
        _text("period", 40),
        sa.Column("number", sa.Integer(), nullable=False),
        _pence("forecast_share_pence"),
        sa.Column("as_of", sa.Date(), nullable=False),
        _text("reason", 500),
        _fk("created_by", "users.id"),
        _time("created_at"),
        sa.UniqueConstraint("agreement_id", "period", "number"),
        sa.CheckConstraint("number >= 1", name="number"),
    )
    op.create_table(
        "payment_schedule_instalments",
        _pk(),
        _fk("schedule_id", "payment_schedules.id"),
        sa.Column("due", sa.Date(), nullable=False),
        _text("cumulative_percent", 40),
        _pence("amount_pence"),
        sa.Column("fixed", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("schedule_id", "due"),
    )
    op.create_table(
        "account_payments",
        _pk(),
        _fk("agreement_id", "agreements.id"),
        _text("period", 40),
        sa.Column("due", sa.Date(), nullable=False),
        _pence("amount_pence"),
        sa.Column("transaction_key", sa.String(300), nullable=False, unique=True),
        _fk("paid_by", "users.id"),
        _time("paid_at"),
        sa.UniqueConstraint("agreement_id", "period", "due"),
    )


def _create_distributions() -> None:
    op.create_table(
        "distributions",
        _pk(),
        _fk("agreement_id", "agreements.id"),
        _text("period", 40),
        _fk("settlement_id", "settlements.id", nullable=True),
        _text("federation", 100),
        _pence("share_pence"),
        _text("basis", 500),
        _fk("created_by", "users.id"),
        _time("created_at"),
        sa.UniqueConstraint("agreement_id", "period"),
    )
    op.create_table(
        "distribution_lines",
        _pk(),
        _fk("distribution_id", "distributions.id"),
        sa.Column("line_no", sa.Integer(), nullable=False),
        _text("recipient", 200),
        _text("kind", 20),
        _pence("amount_pence"),
        _text("fraction", 80),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.UniqueConstraint("distribution_id", "line_no"),
        sa.CheckConstraint("kind IN ('management', 'project', 'practice', 'central')", name="kind"),
    )


def _create_referrals() -> None:
    op.create_table(
        "referral_items",
        _pk(),
        _fk("agreement_id", "agreements.id", index=True),
        _text("referring", 20),
        _text("providing", 20),
        _text("month", 7),
        _pence("items"),
        _pence("price_pence"),
        sa.Column("source_row", sa.Integer(), nullable=True),
        _fk("upload_id", "uploads.id", nullable=True),
        _fk("recorded_by", "users.id"),
        _time("recorded_at"),
        sa.CheckConstraint("items >= 0 AND price_pence >= 0", name="amounts"),
        sa.CheckConstraint("referring <> providing", name="two_practices"),
        sa.CheckConstraint(MONTH_CHECK, name="month"),
    )
    op.create_table(
        "referral_statements",
        _pk(),
        _fk("agreement_id", "agreements.id"),
        _text("month", 7),
        _text("practice", 20),
        _pence("items_out"),
        _pence("amount_out_pence"),
        _pence("items_in"),
        _pence("amount_in_pence"),
        _pence("net_pence"),
        _text("transaction_key", 300, nullable=True),
        _fk("created_by", "users.id"),
        _time("created_at"),
        sa.UniqueConstraint("agreement_id", "month", "practice"),
        sa.CheckConstraint("net_pence = amount_in_pence - amount_out_pence", name="net"),
    )


def _create_notifications() -> None:
    op.create_table(
        "notifications",
        _pk(),
        _fk("agreement_id", "agreements.id"),
        _text("scheme", 100),
        _text("practice", 20),
        _text("rule", 40),
        _text("month", 7),
        _text("point_type", 40),
        _text("detected_in", 7),
        _time("created_at"),
        sa.UniqueConstraint("agreement_id", "scheme", "practice", "rule", "month"),
    )
    op.create_table(
        "notification_reads",
        sa.Column("notification_id", _id(), sa.ForeignKey("notifications.id"), primary_key=True),
        sa.Column("user_id", _id(), sa.ForeignKey("users.id"), primary_key=True),
        _time("read_at"),
    )


def downgrade() -> None:
    for table in reversed(APPEND_ONLY):
        op.drop_table(table)
