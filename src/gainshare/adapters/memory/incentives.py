"""In-memory incentive records and their unit of work, over the in-memory workspace (organisations, users, audit).

One unit of work holds the workspace database's lock, works on copies of both states, and publishes both on
commit, so a sign-off and its audit entry are saved together or not at all. There is no SQL implementation yet.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Self

from gainshare.adapters.memory.workspace import MemoryDatabase, MemoryUnitOfWork
from gainshare.domain.conflicts import Declaration
from gainshare.domain.errors import ConflictError, NotFoundError
from gainshare.domain.ledger import Transaction
from gainshare.services.ports import (
    AuditLog,
    EvidenceRecord,
    Organisations,
    PaymentRecord,
    SchemeRecord,
    SignOffRecord,
    Users,
)


@dataclass
class _State:
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
    def __init__(self, state: _State) -> None:
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
        return list(self._state.declarations)


class MemoryIncentiveUnitOfWork:
    incentives: MemoryIncentiveRecords

    def __init__(self, database: MemoryIncentiveDatabase) -> None:
        self._database = database
        self._workspace: MemoryUnitOfWork = database.workspace()
        self._working: _State | None = None

    @property
    def organisations(self) -> Organisations:
        return self._workspace.organisations

    @property
    def users(self) -> Users:
        return self._workspace.users

    @property
    def audit(self) -> AuditLog:
        return self._workspace.audit

    def __enter__(self) -> Self:
        self._workspace.__enter__()  # holds the shared lock until exit
        self._begin()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._working = None
        self._workspace.__exit__(*exc_info)

    def commit(self) -> None:
        if self._working is None:
            raise RuntimeError("the unit of work is used outside its 'with' block")
        self._workspace.commit()
        self._database.state = self._working
        self._begin()

    def rollback(self) -> None:
        self._workspace.rollback()
        self._begin()

    def _begin(self) -> None:
        self._working = copy.deepcopy(self._database.state)
        self.incentives = MemoryIncentiveRecords(self._working)


class MemoryIncentiveDatabase:
    """Calling it gives a new unit of work over the incentive records and the given in-memory workspace."""

    def __init__(self, workspace: MemoryDatabase) -> None:
        self.workspace = workspace
        self.state = _State()

    def __call__(self) -> MemoryIncentiveUnitOfWork:
        return MemoryIncentiveUnitOfWork(self)
