"""Incentive schemes in the workspace database: schemes, evidence, sign-offs, approved payments and their postings,
the register of declared interests, and the conflict flags recorded against flagged decisions (migration
0003_incentives must agree: a test checks).

Every table is append-only (a trigger on SQLite and PostgreSQL refuses UPDATE and DELETE): a scheme's text is never
changed once registered (its sha256 is kept beside it), evidence and sign-offs are never withdrawn, a payment is
recorded once per scheme, stage and practice (its idempotency key is unique), and a change to a declared interest
is a new row that supersedes the earlier one for the same person, organisation, nature and start date. Money is
BIGINT pence.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gainshare.adapters.sql.tables import Base, Id, UtcDateTime

INTEREST_NATURES = ("financial", "non-financial professional", "non-financial personal", "indirect")
EVERY_PRACTICE = ""  # practice_code of a sign-off for every member practice (NULL would escape the unique key)


def _one_of(column: str, values: tuple[str, ...]) -> str:
    listed = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({listed})"


class IncentiveSchemeRow(Base):
    __tablename__ = "incentive_schemes"
    __table_args__ = (
        CheckConstraint("length(content_sha256) = 64", name="sha256"),
        CheckConstraint("commissioner_id <> federation_id", name="two_parties"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    scheme_id: Mapped[str] = mapped_column(String(100), unique=True)
    commissioner_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    federation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    content: Mapped[str] = mapped_column(Text())
    content_sha256: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class IncentiveEvidenceRow(Base):
    __tablename__ = "incentive_evidence"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    scheme_id: Mapped[str] = mapped_column(ForeignKey("incentive_schemes.scheme_id"), index=True)
    stage_id: Mapped[str] = mapped_column(String(100))
    condition_id: Mapped[str] = mapped_column(String(100))
    practice_code: Mapped[str | None] = mapped_column(String(10))  # NULL: evidence for every member practice
    description: Mapped[str] = mapped_column(Text())
    submitted_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime())


class IncentiveSignOffRow(Base):
    __tablename__ = "incentive_sign_offs"
    __table_args__ = (UniqueConstraint("scheme_id", "stage_id", "practice_code"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    scheme_id: Mapped[str] = mapped_column(ForeignKey("incentive_schemes.scheme_id"))
    stage_id: Mapped[str] = mapped_column(String(100))
    practice_code: Mapped[str] = mapped_column(String(10))  # EVERY_PRACTICE: signed off for every member practice
    signed_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    signed_at: Mapped[datetime] = mapped_column(UtcDateTime())


class IncentivePaymentRow(Base):
    """One approved schedule line, posted once: the key and (scheme, stage, practice) are both unique."""

    __tablename__ = "incentive_payments"
    __table_args__ = (
        UniqueConstraint("scheme_id", "stage_id", "practice_code"),
        CheckConstraint("amount_pence >= 0", name="amount"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(300), unique=True)
    scheme_id: Mapped[str] = mapped_column(ForeignKey("incentive_schemes.scheme_id"))
    stage_id: Mapped[str] = mapped_column(String(100))
    practice_code: Mapped[str] = mapped_column(String(10))  # the practice eligible (the payee may be its successor)
    description: Mapped[str] = mapped_column(String(300))
    amount_pence: Mapped[int] = mapped_column(BigInteger())  # the sum of the debits: what is paid
    approved_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime] = mapped_column(UtcDateTime())

    postings: Mapped[list[IncentivePostingRow]] = relationship(order_by="IncentivePostingRow.line_no")


class IncentivePostingRow(Base):
    """A payment's balanced postings, BIGINT pence, debits positive."""

    __tablename__ = "incentive_payment_postings"
    __table_args__ = (UniqueConstraint("payment_id", "line_no"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("incentive_payments.id"))
    line_no: Mapped[int] = mapped_column(Integer())
    account: Mapped[str] = mapped_column(String(200), index=True)
    amount_pence: Mapped[int] = mapped_column(BigInteger())


class DeclaredInterestRow(Base):
    """One declaration as recorded; a later row with the same person, organisation, nature and start supersedes it."""

    __tablename__ = "declared_interests"
    __table_args__ = (
        CheckConstraint(_one_of("nature", INTEREST_NATURES), name="nature"),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="dates"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    person: Mapped[str] = mapped_column(String(320), index=True)  # email, lower case
    person_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(200))
    organisation_code: Mapped[str] = mapped_column(String(10))
    organisation_name: Mapped[str] = mapped_column(String(200))
    nature: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text())
    valid_from: Mapped[date] = mapped_column(Date())
    valid_to: Mapped[date | None] = mapped_column(Date())
    declared_on: Mapped[date | None] = mapped_column(Date())
    action_taken: Mapped[str] = mapped_column(Text())


class ConflictFlagRow(Base):
    """A reason a flagged sign-off or payment went ahead under the flag policy (exactly one of the two is set)."""

    __tablename__ = "incentive_conflict_flags"
    __table_args__ = (CheckConstraint("(sign_off_id IS NULL) <> (payment_id IS NULL)", name="one_decision"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    sign_off_id: Mapped[int | None] = mapped_column(ForeignKey("incentive_sign_offs.id"), index=True)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("incentive_payments.id"), index=True)
    position: Mapped[int] = mapped_column(Integer())
    reason: Mapped[str] = mapped_column(Text())
