"""SQL implementation of the incentive records (gainshare.services.ports.IncentiveRecords), over one Session.

Like repositories.py: rows never leave this module, and inserts that can lose a race run in a SAVEPOINT so that a
ConflictError (a sign-off or payment someone else recorded first, even concurrently) leaves the unit of work
usable. Every table is append-only; see incentive_tables.py.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session, selectinload

from gainshare.adapters.incentive_records import current_declarations, split_payment_key
from gainshare.adapters.sql.incentive_tables import (
    EVERY_PRACTICE,
    ConflictFlagRow,
    DeclaredInterestRow,
    IncentiveEvidenceRow,
    IncentivePaymentRow,
    IncentivePostingRow,
    IncentiveSchemeRow,
    IncentiveSignOffRow,
)
from gainshare.adapters.sql.repositories import _guarded
from gainshare.domain.conflicts import Declaration, InterestNature
from gainshare.domain.errors import NotFoundError
from gainshare.domain.ledger import Posting, Transaction
from gainshare.domain.money import Money
from gainshare.services.ports import EvidenceRecord, PaymentRecord, SchemeRecord, SignOffRecord, content_digest


class SqlIncentiveRecords:
    def __init__(self, session: Session) -> None:
        self._session = session

    # --- schemes and evidence -----------------------------------------------------------------------------------

    def add_scheme(
        self, scheme_id: str, commissioner_id: int, federation_id: int, content: str, created_by: int, at: datetime
    ) -> SchemeRecord:
        row = IncentiveSchemeRow(
            scheme_id=scheme_id,
            commissioner_id=commissioner_id,
            federation_id=federation_id,
            content=content,
            content_sha256=content_digest(content),
            created_by=created_by,
            created_at=at,
        )
        with _guarded(self._session, f"an incentive scheme with id {scheme_id!r} exists already"):
            self._session.add(row)
        return _scheme(row)

    def scheme(self, scheme_id: str) -> SchemeRecord:
        return _scheme(self._scheme_row(scheme_id))

    def schemes_for(self, organisation_ids: Collection[int]) -> list[SchemeRecord]:
        wanted = list(organisation_ids)
        query = (
            select(IncentiveSchemeRow)
            .where(IncentiveSchemeRow.commissioner_id.in_(wanted) | IncentiveSchemeRow.federation_id.in_(wanted))
            .order_by(IncentiveSchemeRow.scheme_id)
        )
        return [_scheme(row) for row in self._session.scalars(query)]

    def add_evidence(
        self,
        scheme_id: str,
        stage_id: str,
        condition_id: str,
        practice_code: str | None,
        description: str,
        submitted_by: int,
        at: datetime,
    ) -> EvidenceRecord:
        self._scheme_row(scheme_id)
        row = IncentiveEvidenceRow(
            scheme_id=scheme_id,
            stage_id=stage_id,
            condition_id=condition_id,
            practice_code=practice_code,
            description=description,
            submitted_by=submitted_by,
            submitted_at=at,
        )
        with _guarded(self._session, f"evidence for stage {stage_id!r} of scheme {scheme_id!r} was not recorded"):
            self._session.add(row)
        return _evidence(row)

    def evidence(self, scheme_id: str) -> list[EvidenceRecord]:
        query = select(IncentiveEvidenceRow).where(IncentiveEvidenceRow.scheme_id == scheme_id)
        return [_evidence(row) for row in self._session.scalars(query.order_by(IncentiveEvidenceRow.id))]

    # --- decisions ----------------------------------------------------------------------------------------------

    def add_sign_off(
        self,
        scheme_id: str,
        stage_id: str,
        practice_code: str | None,
        signed_by: int,
        at: datetime,
        conflict_flags: tuple[str, ...] = (),
    ) -> SignOffRecord:
        self._scheme_row(scheme_id)
        row = IncentiveSignOffRow(
            scheme_id=scheme_id,
            stage_id=stage_id,
            practice_code=practice_code or EVERY_PRACTICE,
            signed_by=signed_by,
            signed_at=at,
        )
        who = practice_code or "every member practice"
        with _guarded(self._session, f"stage {stage_id!r} is signed off for {who} already"):
            self._session.add(row)
            self._session.flush()
            self._add_flags(conflict_flags, sign_off_id=row.id)
        return _sign_off(row, conflict_flags)

    def sign_offs(self, scheme_id: str) -> list[SignOffRecord]:
        query = select(IncentiveSignOffRow).where(IncentiveSignOffRow.scheme_id == scheme_id)
        rows = list(self._session.scalars(query.order_by(IncentiveSignOffRow.id)))
        flags = self._flags(ConflictFlagRow.sign_off_id, [row.id for row in rows])
        return [_sign_off(row, flags.get(row.id, ())) for row in rows]

    def add_payment(
        self, scheme_id: str, transaction: Transaction, approved_by: int, at: datetime, conflict_flags: tuple[str, ...]
    ) -> PaymentRecord:
        stage_id, practice_code = split_payment_key(scheme_id, transaction.key)
        self._scheme_row(scheme_id)
        row = IncentivePaymentRow(
            idempotency_key=transaction.key,
            scheme_id=scheme_id,
            stage_id=stage_id,
            practice_code=practice_code,
            description=transaction.description,
            amount_pence=sum(posting.amount.pence for posting in transaction.postings if posting.amount.pence > 0),
            approved_by=approved_by,
            approved_at=at,
            postings=[
                IncentivePostingRow(line_no=number, account=posting.account, amount_pence=posting.amount.pence)
                for number, posting in enumerate(transaction.postings, start=1)
            ],
        )
        with _guarded(self._session, f"payment {transaction.key!r} was recorded already"):
            self._session.add(row)
            self._session.flush()
            self._add_flags(conflict_flags, payment_id=row.id)
        return _payment(row, conflict_flags)

    def payments(self, scheme_id: str) -> list[PaymentRecord]:
        query = (
            select(IncentivePaymentRow)
            .where(IncentivePaymentRow.scheme_id == scheme_id)
            .options(selectinload(IncentivePaymentRow.postings))
            .order_by(IncentivePaymentRow.id)
        )
        rows = list(self._session.scalars(query))
        flags = self._flags(ConflictFlagRow.payment_id, [row.id for row in rows])
        return [_payment(row, flags.get(row.id, ())) for row in rows]

    # --- the register -------------------------------------------------------------------------------------------

    def add_declaration(self, declaration: Declaration) -> None:
        row = DeclaredInterestRow(
            person=declaration.person,
            person_name=declaration.person_name,
            role=declaration.role,
            organisation_code=declaration.organisation_code,
            organisation_name=declaration.organisation_name,
            nature=declaration.nature.value,
            description=declaration.description,
            valid_from=declaration.valid_from,
            valid_to=declaration.valid_to,
            declared_on=declaration.declared_on,
            action_taken=declaration.action_taken,
        )
        with _guarded(self._session, f"the declaration of {declaration.person} was not recorded"):
            self._session.add(row)

    def declarations(self) -> list[Declaration]:
        return current_declarations(self.declaration_history())

    def declaration_history(self) -> list[Declaration]:
        rows = self._session.scalars(select(DeclaredInterestRow).order_by(DeclaredInterestRow.id))
        return [_declaration(row) for row in rows]

    # --- helpers ------------------------------------------------------------------------------------------------

    def _scheme_row(self, scheme_id: str) -> IncentiveSchemeRow:
        query = select(IncentiveSchemeRow).where(IncentiveSchemeRow.scheme_id == scheme_id)
        row = self._session.scalars(query).first()
        if row is None:
            raise NotFoundError(f"incentive scheme {scheme_id!r} does not exist")
        return row

    def _add_flags(
        self, reasons: tuple[str, ...], sign_off_id: int | None = None, payment_id: int | None = None
    ) -> None:
        for position, reason in enumerate(reasons, start=1):
            flag = ConflictFlagRow(sign_off_id=sign_off_id, payment_id=payment_id, position=position, reason=reason)
            self._session.add(flag)
        self._session.flush()

    def _flags(self, key: InstrumentedAttribute[int | None], ids: list[int]) -> dict[int, tuple[str, ...]]:
        if not ids:
            return {}
        query = select(key, ConflictFlagRow.reason).where(key.in_(ids)).order_by(key, ConflictFlagRow.position)
        found: dict[int, list[str]] = {}
        for owner, reason in self._session.execute(query):
            if owner is not None:
                found.setdefault(owner, []).append(reason)
        return {owner: tuple(reasons) for owner, reasons in found.items()}


def _scheme(row: IncentiveSchemeRow) -> SchemeRecord:
    return SchemeRecord(
        row.scheme_id, row.commissioner_id, row.federation_id, row.content, row.created_by, row.created_at
    )


def _evidence(row: IncentiveEvidenceRow) -> EvidenceRecord:
    return EvidenceRecord(
        row.id,
        row.scheme_id,
        row.stage_id,
        row.condition_id,
        row.practice_code,
        row.description,
        row.submitted_by,
        row.submitted_at,
    )


def _sign_off(row: IncentiveSignOffRow, flags: tuple[str, ...]) -> SignOffRecord:
    practice = None if row.practice_code == EVERY_PRACTICE else row.practice_code
    return SignOffRecord(row.id, row.scheme_id, row.stage_id, practice, row.signed_by, row.signed_at, flags)


def _payment(row: IncentivePaymentRow, flags: tuple[str, ...]) -> PaymentRecord:
    postings = tuple(Posting(posting.account, Money(posting.amount_pence)) for posting in row.postings)
    transaction = Transaction(row.idempotency_key, row.description, postings)
    return PaymentRecord(row.scheme_id, transaction, row.approved_by, row.approved_at, flags)


def _declaration(row: DeclaredInterestRow) -> Declaration:
    return Declaration(
        person=row.person,
        person_name=row.person_name,
        role=row.role,
        organisation_code=row.organisation_code,
        organisation_name=row.organisation_name,
        nature=InterestNature(row.nature),
        description=row.description,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        declared_on=row.declared_on,
        action_taken=row.action_taken,
    )
