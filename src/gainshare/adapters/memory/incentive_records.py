"""In-memory incentive records: schemes, evidence, sign-offs, payments and the register, as the workspace's
in-memory unit of work holds them (adapters/memory/workspace.py); the same contract as adapters/sql.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime

from gainshare.adapters.incentive_records import current_declarations, split_payment_key
from gainshare.domain.conflicts import Declaration
from gainshare.domain.errors import ConflictError, NotFoundError
from gainshare.domain.ledger import Transaction
from gainshare.services.ports import EvidenceRecord, PaymentRecord, SchemeRecord, SignOffRecord


@dataclass
class IncentiveState:
    schemes: dict[str, SchemeRecord] = field(default_factory=dict)
    evidence: list[EvidenceRecord] = field(default_factory=list)
    sign_offs: list[SignOffRecord] = field(default_factory=list)
    payments: list[PaymentRecord] = field(default_factory=list)
    declarations: list[Declaration] = field(default_factory=list)
    last_id: dict[str, int] = field(default_factory=dict)

    def new_id(self, table: str) -> int:
        self.last_id[table] = self.last_id.get(table, 0) + 1
        return self.last_id[table]


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"{moment!r} has no time zone; the workspace stores aware times only")
    return moment.astimezone(UTC)


class MemoryIncentiveRecords:
    def __init__(self, state: IncentiveState) -> None:
        self._state = state

    def add_scheme(
        self, scheme_id: str, commissioner_id: int, federation_id: int, content: str, created_by: int, at: datetime
    ) -> SchemeRecord:
        if scheme_id in self._state.schemes:
            raise ConflictError(f"an incentive scheme with id {scheme_id!r} exists already")
        record = SchemeRecord(scheme_id, commissioner_id, federation_id, content, created_by, _utc(at))
        self._state.schemes[scheme_id] = record
        return record

    def scheme(self, scheme_id: str) -> SchemeRecord:
        if scheme_id not in self._state.schemes:
            raise NotFoundError(f"incentive scheme {scheme_id!r} does not exist")
        return self._state.schemes[scheme_id]

    def schemes_for(self, organisation_ids: Collection[int]) -> list[SchemeRecord]:
        wanted = set(organisation_ids)
        found = [r for r in self._state.schemes.values() if {r.commissioner_id, r.federation_id} & wanted]
        return sorted(found, key=lambda record: record.scheme_id)

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
        self.scheme(scheme_id)
        record = EvidenceRecord(
            self._state.new_id("evidence"),
            scheme_id,
            stage_id,
            condition_id,
            practice_code,
            description,
            submitted_by,
            _utc(at),
        )
        self._state.evidence.append(record)
        return record

    def evidence(self, scheme_id: str) -> list[EvidenceRecord]:
        return [item for item in self._state.evidence if item.scheme_id == scheme_id]

    def add_sign_off(
        self,
        scheme_id: str,
        stage_id: str,
        practice_code: str | None,
        signed_by: int,
        at: datetime,
        conflict_flags: tuple[str, ...] = (),
    ) -> SignOffRecord:
        self.scheme(scheme_id)
        for item in self.sign_offs(scheme_id):
            if item.stage_id == stage_id and item.practice_code == practice_code:
                who = practice_code or "every member practice"
                raise ConflictError(f"stage {stage_id!r} is signed off for {who} already")
        record = SignOffRecord(
            self._state.new_id("sign_offs"), scheme_id, stage_id, practice_code, signed_by, _utc(at), conflict_flags
        )
        self._state.sign_offs.append(record)
        return record

    def sign_offs(self, scheme_id: str) -> list[SignOffRecord]:
        return [item for item in self._state.sign_offs if item.scheme_id == scheme_id]

    def add_payment(
        self, scheme_id: str, transaction: Transaction, approved_by: int, at: datetime, conflict_flags: tuple[str, ...]
    ) -> PaymentRecord:
        split_payment_key(scheme_id, transaction.key)
        self.scheme(scheme_id)
        if any(item.transaction.key == transaction.key for item in self._state.payments):
            raise ConflictError(f"payment {transaction.key!r} was recorded already")
        record = PaymentRecord(scheme_id, transaction, approved_by, _utc(at), conflict_flags)
        self._state.payments.append(record)
        return record

    def payments(self, scheme_id: str) -> list[PaymentRecord]:
        return [item for item in self._state.payments if item.scheme_id == scheme_id]

    def add_declaration(self, declaration: Declaration) -> None:
        self._state.declarations.append(declaration)

    def declarations(self) -> list[Declaration]:
        return current_declarations(self._state.declarations)

    def declaration_history(self) -> list[Declaration]:
        return list(self._state.declarations)
