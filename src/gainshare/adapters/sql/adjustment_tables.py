"""Prior-period adjustments and the distribution terms they split by (migration 0006_settlement_adjustments must
agree: a test checks).

Every table here is append-only (a trigger on each backend refuses UPDATE, DELETE and TRUNCATE): an adjustment
never changes what was posted, it posts the difference as a new record. Money is BIGINT pence; rates and measures
are decimal text, never floats.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gainshare.adapters.sql.tables import Base, Id, Json, UtcDateTime

ADJUSTMENT_APPEND_ONLY = ("distribution_terms", "settlement_adjustments", "settlement_adjustment_lines")
SECTIONS = "section IN ('party', 'line', 'recipient')"


class DistributionTermsRow(Base):
    """How a posted distribution was split: top-slice, mix of bases, losses, and the practices' measures."""

    __tablename__ = "distribution_terms"

    distribution_id: Mapped[int] = mapped_column(
        Id, ForeignKey("distributions.id"), primary_key=True, autoincrement=False
    )
    top_slice: Mapped[str] = mapped_column(String(80))  # decimal text
    mix: Mapped[list[Any]] = mapped_column(Json)  # [[basis, weight as decimal text], ...]
    losses: Mapped[str] = mapped_column(String(20))
    practices: Mapped[list[Any]] = mapped_column(Json)  # [{practice, weighted_list, activity, score}], decimal text
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class SettlementAdjustmentRow(Base):
    __tablename__ = "settlement_adjustments"
    __table_args__ = (
        UniqueConstraint("agreement_id", "period", "number"),
        CheckConstraint("number >= 1", name="number"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"))
    period: Mapped[str] = mapped_column(String(40))
    number: Mapped[int] = mapped_column(Integer())
    settlement_id: Mapped[int] = mapped_column(ForeignKey("settlements.id"))
    distribution_id: Mapped[int] = mapped_column(ForeignKey("distributions.id"))
    statement: Mapped[dict[str, Any]] = mapped_column(Json)
    reason: Mapped[str] = mapped_column(Text())
    transaction_keys: Mapped[list[str]] = mapped_column(Json)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())

    lines: Mapped[list[SettlementAdjustmentLineRow]] = relationship(order_by="SettlementAdjustmentLineRow.line_no")


class SettlementAdjustmentLineRow(Base):
    __tablename__ = "settlement_adjustment_lines"
    __table_args__ = (
        UniqueConstraint("adjustment_id", "line_no"),
        CheckConstraint(SECTIONS, name="section"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    adjustment_id: Mapped[int] = mapped_column(ForeignKey("settlement_adjustments.id"))
    line_no: Mapped[int] = mapped_column(Integer())
    section: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    scheme: Mapped[str | None] = mapped_column(String(100))
    party: Mapped[str | None] = mapped_column(String(100))
    posted_pence: Mapped[int | None] = mapped_column(BigInteger())
    now_pence: Mapped[int | None] = mapped_column(BigInteger())
    why: Mapped[str] = mapped_column(Text())
