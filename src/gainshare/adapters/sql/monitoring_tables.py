"""Monitoring, settlement and distribution tables: monthly actuals, payments on account, distributions,
inter-practice referrals and special-cause notifications. Migration 0002 builds them; a test checks they agree.

Every table here is append-only (a trigger on each backend refuses UPDATE, DELETE and TRUNCATE): a revised month
is a new actuals row whose supersedes_id points at the row it replaces, and a second reading of a notification
changes nothing. Money is BIGINT pence; rates are decimal text, never floats.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gainshare.adapters.sql.tables import Base, Id, UtcDateTime

MONITORING_APPEND_ONLY = (
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


class MonthlyActualRow(Base):
    __tablename__ = "monthly_actuals"
    __table_args__ = (
        UniqueConstraint("agreement_id", "scheme", "practice", "month", "revision"),
        CheckConstraint("revision >= 1", name="revision"),
        CheckConstraint(MONTH_CHECK, name="month"),
        CheckConstraint("baseline_activity >= 0 AND hospital_activity >= 0 AND hub_activity >= 0", name="activity"),
        CheckConstraint("(revision = 1) = (supersedes_id IS NULL)", name="supersedes"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"), index=True)
    scheme: Mapped[str] = mapped_column(String(100))
    practice: Mapped[str] = mapped_column(String(20))
    month: Mapped[str] = mapped_column(String(7))
    baseline_activity: Mapped[int] = mapped_column(BigInteger())
    hospital_activity: Mapped[int] = mapped_column(BigInteger())
    hub_activity: Mapped[int] = mapped_column(BigInteger())
    baseline_cost_pence: Mapped[int] = mapped_column(BigInteger())
    hospital_cost_pence: Mapped[int] = mapped_column(BigInteger())
    hub_cost_pence: Mapped[int] = mapped_column(BigInteger())
    revision: Mapped[int] = mapped_column(Integer())
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("monthly_actuals.id"), unique=True)
    upload_id: Mapped[int | None] = mapped_column(ForeignKey("uploads.id"))
    recorded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())


class PaymentScheduleRow(Base):
    __tablename__ = "payment_schedules"
    __table_args__ = (
        UniqueConstraint("agreement_id", "period", "number"),
        CheckConstraint("number >= 1", name="number"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"))
    period: Mapped[str] = mapped_column(String(40))
    number: Mapped[int] = mapped_column(Integer())
    forecast_share_pence: Mapped[int] = mapped_column(BigInteger())
    as_of: Mapped[date] = mapped_column(Date())
    reason: Mapped[str] = mapped_column(String(500))
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())

    instalments: Mapped[list[PaymentInstalmentRow]] = relationship(order_by="PaymentInstalmentRow.due")


class PaymentInstalmentRow(Base):
    __tablename__ = "payment_schedule_instalments"
    __table_args__ = (UniqueConstraint("schedule_id", "due"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("payment_schedules.id"))
    due: Mapped[date] = mapped_column(Date())
    cumulative_percent: Mapped[str] = mapped_column(String(40))  # decimal text
    amount_pence: Mapped[int] = mapped_column(BigInteger())
    fixed: Mapped[bool] = mapped_column(Boolean())


class AccountPaymentRow(Base):
    __tablename__ = "account_payments"
    __table_args__ = (UniqueConstraint("agreement_id", "period", "due"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"))
    period: Mapped[str] = mapped_column(String(40))
    due: Mapped[date] = mapped_column(Date())
    amount_pence: Mapped[int] = mapped_column(BigInteger())
    transaction_key: Mapped[str] = mapped_column(String(300), unique=True)
    paid_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    paid_at: Mapped[datetime] = mapped_column(UtcDateTime())


class DistributionRow(Base):
    __tablename__ = "distributions"
    __table_args__ = (UniqueConstraint("agreement_id", "period"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"))
    period: Mapped[str] = mapped_column(String(40))
    settlement_id: Mapped[int | None] = mapped_column(ForeignKey("settlements.id"))
    federation: Mapped[str] = mapped_column(String(100))
    share_pence: Mapped[int] = mapped_column(BigInteger())
    basis: Mapped[str] = mapped_column(String(500))
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())

    lines: Mapped[list[DistributionLineRow]] = relationship(order_by="DistributionLineRow.line_no")


class DistributionLineRow(Base):
    __tablename__ = "distribution_lines"
    __table_args__ = (
        UniqueConstraint("distribution_id", "line_no"),
        CheckConstraint("kind IN ('management', 'project', 'practice', 'central')", name="kind"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    distribution_id: Mapped[int] = mapped_column(ForeignKey("distributions.id"))
    line_no: Mapped[int] = mapped_column(Integer())
    recipient: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    amount_pence: Mapped[int] = mapped_column(BigInteger())
    fraction: Mapped[str] = mapped_column(String(80))  # decimal text
    basis: Mapped[str] = mapped_column(Text())


class ReferralItemRow(Base):
    __tablename__ = "referral_items"
    __table_args__ = (
        CheckConstraint("items >= 0 AND price_pence >= 0", name="amounts"),
        CheckConstraint("referring <> providing", name="two_practices"),
        CheckConstraint(MONTH_CHECK, name="month"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"), index=True)
    referring: Mapped[str] = mapped_column(String(20))
    providing: Mapped[str] = mapped_column(String(20))
    month: Mapped[str] = mapped_column(String(7))
    items: Mapped[int] = mapped_column(BigInteger())
    price_pence: Mapped[int] = mapped_column(BigInteger())
    source_row: Mapped[int | None] = mapped_column(Integer())
    upload_id: Mapped[int | None] = mapped_column(ForeignKey("uploads.id"))
    recorded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ReferralStatementRow(Base):
    __tablename__ = "referral_statements"
    __table_args__ = (
        UniqueConstraint("agreement_id", "month", "practice"),
        CheckConstraint("net_pence = amount_in_pence - amount_out_pence", name="net"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"))
    month: Mapped[str] = mapped_column(String(7))
    practice: Mapped[str] = mapped_column(String(20))
    items_out: Mapped[int] = mapped_column(BigInteger())
    amount_out_pence: Mapped[int] = mapped_column(BigInteger())
    items_in: Mapped[int] = mapped_column(BigInteger())
    amount_in_pence: Mapped[int] = mapped_column(BigInteger())
    net_pence: Mapped[int] = mapped_column(BigInteger())
    transaction_key: Mapped[str | None] = mapped_column(String(300))
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class NotificationRow(Base):
    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("agreement_id", "scheme", "practice", "rule", "month"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"))
    scheme: Mapped[str] = mapped_column(String(100))
    practice: Mapped[str] = mapped_column(String(20))  # "" for the whole scheme
    rule: Mapped[str] = mapped_column(String(40))
    month: Mapped[str] = mapped_column(String(7))
    point_type: Mapped[str] = mapped_column(String(40))
    detected_in: Mapped[str] = mapped_column(String(7))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class NotificationReadRow(Base):
    __tablename__ = "notification_reads"

    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    read_at: Mapped[datetime] = mapped_column(UtcDateTime())
