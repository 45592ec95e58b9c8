"""The workspace schema as SQLAlchemy 2 models. Alembic migrations (migrations/versions) must agree: a test checks.

Money columns are BIGINT pence (SQLite has no decimal type; floats never hold money). Ids are BIGINT on
PostgreSQL and INTEGER PRIMARY KEY (the rowid) on SQLite. Times are stored in UTC and read back aware.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Id = BigInteger().with_variant(Integer(), "sqlite")
Json = JSON().with_variant(JSONB(), "postgresql")


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes only; stored as UTC, read back as UTC (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"{value!r} has no time zone; the workspace stores aware times only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


metadata = Base.metadata


def _one_of(column: str, values: tuple[str, ...]) -> str:
    listed = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({listed})"


ORGANISATION_KINDS = ("commissioner", "federation", "practice")
ROLES = ("commissioner_finance", "federation_manager", "practice_viewer", "administrator")
VERSION_STATUSES = ("draft", "proposed", "signed")
UPLOAD_STATUSES = ("received", "accepted", "rejected")


class OrganisationRow(Base):
    __tablename__ = "organisations"
    __table_args__ = (CheckConstraint(_one_of("kind", ORGANISATION_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    ods_code: Mapped[str] = mapped_column(String(10), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)  # stored lower-case
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    # 0005_password_change: an administrator chose the password, so the user must change it before anything else
    password_change_required: Mapped[bool] = mapped_column(Boolean(), default=False, server_default=false())


class MembershipRow(Base):
    __tablename__ = "memberships"
    __table_args__ = (CheckConstraint(_one_of("role", ROLES), name="role"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(40), primary_key=True)


class AgreementRow(Base):
    __tablename__ = "agreements"
    __table_args__ = (CheckConstraint("commissioner_id <> provider_id", name="two_parties"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    commissioner_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class AgreementVersionRow(Base):
    """Immutable once signed: the repository refuses, and a trigger on each backend aborts any UPDATE or DELETE."""

    __tablename__ = "agreement_versions"
    __table_args__ = (
        UniqueConstraint("agreement_id", "number"),
        CheckConstraint(_one_of("status", VERSION_STATUSES), name="status"),
        CheckConstraint("number >= 1", name="number"),
        CheckConstraint("lock_version >= 0", name="lock_version"),
        CheckConstraint("length(content_sha256) = 64", name="sha256"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"))
    number: Mapped[int] = mapped_column(Integer())
    content: Mapped[str] = mapped_column(Text())
    content_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    lock_version: Mapped[int] = mapped_column(Integer())


class SignatureRow(Base):
    """Append-only (trigger)."""

    __tablename__ = "signatures"
    __table_args__ = (UniqueConstraint("version_id", "organisation_id", "content_sha256"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("agreement_versions.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    content_sha256: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime] = mapped_column(UtcDateTime())


class UploadRow(Base):
    __tablename__ = "uploads"
    __table_args__ = (
        CheckConstraint(_one_of("status", UPLOAD_STATUSES), name="status"),
        CheckConstraint("row_count >= 0", name="row_count"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"), index=True)
    filename: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64))
    row_count: Mapped[int] = mapped_column(Integer())
    status: Mapped[str] = mapped_column(String(20))
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime())


class SettlementRow(Base):
    __tablename__ = "settlements"
    __table_args__ = (UniqueConstraint("version_id", "period"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("agreement_versions.id"))
    period: Mapped[str] = mapped_column(String(40))
    statement: Mapped[dict[str, Any]] = mapped_column(Json)
    net_saving_pence: Mapped[int] = mapped_column(BigInteger())
    baseline_cost_pence: Mapped[int] = mapped_column(BigInteger())
    upload_id: Mapped[int | None] = mapped_column(ForeignKey("uploads.id"))
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class LedgerTransactionRow(Base):
    """Append-only (trigger); idempotency_key is UNIQUE, so a second posting of the same key fails."""

    __tablename__ = "ledger_transactions"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(300), unique=True)
    description: Mapped[str] = mapped_column(String(300))
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id"), index=True)
    settlement_id: Mapped[int | None] = mapped_column(ForeignKey("settlements.id"))
    posted_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    posted_at: Mapped[datetime] = mapped_column(UtcDateTime())

    postings: Mapped[list[LedgerPostingRow]] = relationship(order_by="LedgerPostingRow.line_no")


class LedgerPostingRow(Base):
    """Append-only (trigger); amount_pence is BIGINT pence, debits positive."""

    __tablename__ = "ledger_postings"
    __table_args__ = (UniqueConstraint("transaction_id", "line_no"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("ledger_transactions.id"))
    line_no: Mapped[int] = mapped_column(Integer())
    account: Mapped[str] = mapped_column(String(200), index=True)
    amount_pence: Mapped[int] = mapped_column(BigInteger())


class AuditRow(Base):
    """Append-only (trigger)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    action: Mapped[str] = mapped_column(String(100))
    entity: Mapped[str] = mapped_column(String(200))
    agreement_id: Mapped[int | None] = mapped_column(ForeignKey("agreements.id"))
    details: Mapped[dict[str, Any]] = mapped_column(Json)

    __table_args__ = (Index(None, "agreement_id", "id"),)
