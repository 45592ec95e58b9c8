"""In-memory workspace repositories and unit of work: the same contract as adapters/sql, for fast service tests.

A unit of work holds the database's lock from enter to exit (so units of work run one at a time, as SQLite's
BEGIN IMMEDIATE makes them), works on a copy of the state, and publishes the copy on commit.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Self

from gainshare.adapters.memory.adjustments import MemoryAdjustments
from gainshare.adapters.memory.incentive_records import IncentiveState, MemoryIncentiveRecords
from gainshare.adapters.memory.monitoring import (
    MemoryDistributions,
    MemoryMonthlyActuals,
    MemoryNotifications,
    MemoryPaymentSchedules,
    MemoryReferrals,
    MonitoringState,
)
from gainshare.domain.errors import ConflictError, NotFoundError, ReadOnlyError
from gainshare.domain.ledger import Transaction
from gainshare.domain.money import Money
from gainshare.services.ports import (
    AgreementRecord,
    AgreementVersion,
    AuditEntry,
    AuditQuery,
    Membership,
    Organisation,
    OrganisationKind,
    Role,
    SettlementRecord,
    Signature,
    Upload,
    UploadStatus,
    User,
    VersionStatus,
    content_digest,
)

_EDITABLE = (VersionStatus.DRAFT, VersionStatus.PROPOSED)


@dataclass
class _State:
    organisations: dict[int, Organisation] = field(default_factory=dict)
    users: dict[int, User] = field(default_factory=dict)
    memberships: list[Membership] = field(default_factory=list)
    system_administrators: dict[int, datetime] = field(default_factory=dict)
    agreements: dict[int, AgreementRecord] = field(default_factory=dict)
    versions: dict[int, AgreementVersion] = field(default_factory=dict)
    signatures: list[Signature] = field(default_factory=list)
    uploads: dict[int, Upload] = field(default_factory=dict)
    settlements: dict[int, SettlementRecord] = field(default_factory=dict)
    ledger: list[tuple[int, Transaction]] = field(default_factory=list)
    audit: list[AuditEntry] = field(default_factory=list)
    monitoring: MonitoringState = field(default_factory=MonitoringState)
    incentives: IncentiveState = field(default_factory=IncentiveState)
    last_id: dict[str, int] = field(default_factory=dict)

    def new_id(self, table: str) -> int:
        self.last_id[table] = self.last_id.get(table, 0) + 1
        return self.last_id[table]


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"{moment!r} has no time zone; the workspace stores aware times only")
    return moment.astimezone(UTC)


def _need(present: bool, what: str) -> None:
    if not present:
        raise NotFoundError(f"{what} does not exist")


class MemoryOrganisations:
    def __init__(self, state: _State) -> None:
        self._state = state

    def add(self, ods_code: str, name: str, kind: OrganisationKind, parent_id: int | None = None) -> Organisation:
        if self.by_ods_code(ods_code) is not None:
            raise ConflictError(f"an organisation with ODS code {ods_code!r} exists already")
        if parent_id is not None:
            _need(parent_id in self._state.organisations, f"organisation {parent_id}")
        organisation = Organisation(self._state.new_id("organisations"), ods_code, name, kind, parent_id)
        self._state.organisations[organisation.id] = organisation
        return organisation

    def get(self, organisation_id: int) -> Organisation:
        _need(organisation_id in self._state.organisations, f"organisation {organisation_id}")
        return self._state.organisations[organisation_id]

    def by_ods_code(self, ods_code: str) -> Organisation | None:
        return next((org for org in self._state.organisations.values() if org.ods_code == ods_code), None)

    def all(self) -> list[Organisation]:
        return sorted(self._state.organisations.values(), key=lambda org: org.id)


class MemoryUsers:
    def __init__(self, state: _State) -> None:
        self._state = state

    def add(self, email: str, display_name: str, password_hash: str, password_change_required: bool = False) -> User:
        if self.by_email(email) is not None:
            raise ConflictError(f"a user with email {email!r} exists already")
        key = email.strip().lower()
        user = User(self._state.new_id("users"), key, display_name, password_hash, password_change_required)
        self._state.users[user.id] = user
        return user

    def set_password(self, user_id: int, password_hash: str, change_required: bool) -> User:
        user = replace(self.get(user_id), password_hash=password_hash, password_change_required=change_required)
        self._state.users[user_id] = user
        return user

    def get(self, user_id: int) -> User:
        _need(user_id in self._state.users, f"user {user_id}")
        return self._state.users[user_id]

    def by_email(self, email: str) -> User | None:
        key = email.strip().lower()
        return next((user for user in self._state.users.values() if user.email == key), None)

    def add_membership(self, user_id: int, organisation_id: int, role: Role) -> Membership:
        _need(user_id in self._state.users, f"user {user_id}")
        _need(organisation_id in self._state.organisations, f"organisation {organisation_id}")
        membership = Membership(user_id, organisation_id, role)
        if membership in self._state.memberships:
            raise ConflictError(f"user {user_id} is already {role.value} of organisation {organisation_id}")
        self._state.memberships.append(membership)
        return membership

    def memberships(self, user_id: int) -> list[Membership]:
        found = [m for m in self._state.memberships if m.user_id == user_id]
        return sorted(found, key=lambda m: (m.organisation_id, m.role.value))

    def members(self, organisation_id: int) -> list[Membership]:
        found = [m for m in self._state.memberships if m.organisation_id == organisation_id]
        return sorted(found, key=lambda m: (m.user_id, m.role.value))

    def remove_membership(self, user_id: int, organisation_id: int, role: Role) -> None:
        membership = Membership(user_id, organisation_id, role)
        _need(membership in self._state.memberships, f"membership of user {user_id} as {role.value}")
        self._state.memberships.remove(membership)

    def is_system_administrator(self, user_id: int) -> bool:
        return user_id in self._state.system_administrators

    def add_system_administrator(self, user_id: int, granted_at: datetime) -> None:
        _need(user_id in self._state.users, f"user {user_id}")
        if user_id in self._state.system_administrators:
            raise ConflictError(f"user {user_id} is a system administrator already")
        self._state.system_administrators[user_id] = _utc(granted_at)


class MemoryAgreements:
    def __init__(self, state: _State) -> None:
        self._state = state

    def add(
        self, title: str, commissioner_id: int, provider_id: int, created_by: int, created_at: datetime
    ) -> AgreementRecord:
        if commissioner_id == provider_id:
            raise ConflictError("the agreement's two organisations must differ")
        for organisation_id in (commissioner_id, provider_id):
            _need(organisation_id in self._state.organisations, f"organisation {organisation_id}")
        _need(created_by in self._state.users, f"user {created_by}")
        record = AgreementRecord(
            self._state.new_id("agreements"), title, commissioner_id, provider_id, created_by, _utc(created_at)
        )
        self._state.agreements[record.id] = record
        return record

    def get(self, agreement_id: int) -> AgreementRecord:
        _need(agreement_id in self._state.agreements, f"agreement {agreement_id}")
        return self._state.agreements[agreement_id]

    def for_organisations(self, organisation_ids: Collection[int]) -> list[AgreementRecord]:
        ids = set(organisation_ids)
        found = [a for a in self._state.agreements.values() if ids & set(a.organisation_ids)]
        return sorted(found, key=lambda a: a.id)

    def add_version(
        self, agreement_id: int, number: int, content: str, created_by: int, created_at: datetime
    ) -> AgreementVersion:
        _need(agreement_id in self._state.agreements, f"agreement {agreement_id}")
        _need(created_by in self._state.users, f"user {created_by}")
        if number < 1:
            raise ValueError("version numbers start at 1")
        if any(v.agreement_id == agreement_id and v.number == number for v in self._state.versions.values()):
            raise ConflictError(f"agreement {agreement_id} has a version {number} already")
        version = AgreementVersion(
            id=self._state.new_id("agreement_versions"),
            agreement_id=agreement_id,
            number=number,
            content=content,
            content_sha256=content_digest(content),
            status=VersionStatus.DRAFT,
            created_by=created_by,
            created_at=_utc(created_at),
            lock_version=0,
        )
        self._state.versions[version.id] = version
        return version

    def version(self, agreement_id: int, number: int, *, for_update: bool = False) -> AgreementVersion:
        for version in self._state.versions.values():
            if version.agreement_id == agreement_id and version.number == number:
                return version
        raise NotFoundError(f"agreement {agreement_id} has no version {number}")

    def latest_version(self, agreement_id: int) -> AgreementVersion:
        versions = self.versions(agreement_id)
        if not versions:
            raise NotFoundError(f"agreement {agreement_id} has no versions")
        return versions[-1]

    def versions(self, agreement_id: int) -> list[AgreementVersion]:
        found = [v for v in self._state.versions.values() if v.agreement_id == agreement_id]
        return sorted(found, key=lambda v: v.number)

    def update_content(self, version_id: int, content: str, expected_lock_version: int) -> AgreementVersion:
        current = self._editable(version_id, expected_lock_version)
        changed = replace(
            current,
            content=content,
            content_sha256=content_digest(content),
            status=VersionStatus.DRAFT,
            lock_version=current.lock_version + 1,
        )
        self._state.versions[version_id] = changed
        return changed

    def set_status(self, version_id: int, status: VersionStatus, expected_lock_version: int) -> AgreementVersion:
        current = self._editable(version_id, expected_lock_version)
        if status is VersionStatus.SIGNED and not self._signed_by_both(current):
            raise ConflictError(f"version {current.number} needs both parties' signatures on its content hash")
        changed = replace(current, status=status, lock_version=current.lock_version + 1)
        self._state.versions[version_id] = changed
        return changed

    def add_signature(
        self, version_id: int, organisation_id: int, user_id: int, content_sha256: str, signed_at: datetime
    ) -> Signature:
        _need(version_id in self._state.versions, f"agreement version {version_id}")
        _need(organisation_id in self._state.organisations, f"organisation {organisation_id}")
        _need(user_id in self._state.users, f"user {user_id}")
        if any(
            (s.version_id, s.organisation_id, s.content_sha256) == (version_id, organisation_id, content_sha256)
            for s in self._state.signatures
        ):
            raise ConflictError(f"organisation {organisation_id} has signed this text of the version already")
        signature = Signature(version_id, organisation_id, user_id, content_sha256, _utc(signed_at))
        self._state.signatures.append(signature)
        return signature

    def signatures(self, version_id: int) -> list[Signature]:
        return [s for s in self._state.signatures if s.version_id == version_id]

    def _editable(self, version_id: int, expected_lock_version: int) -> AgreementVersion:
        _need(version_id in self._state.versions, f"agreement version {version_id}")
        current = self._state.versions[version_id]
        if current.status not in _EDITABLE:
            raise ConflictError(f"version {current.number} is signed and cannot change; save a new version instead")
        if current.lock_version != expected_lock_version:
            raise ConflictError(
                f"version {current.number} was changed by someone else (lock {current.lock_version}, "
                f"you had {expected_lock_version}): reload it and make your change again"
            )
        return current

    def _signed_by_both(self, version: AgreementVersion) -> bool:
        owners = set(self._state.agreements[version.agreement_id].organisation_ids)
        signed = {
            s.organisation_id
            for s in self.signatures(version.id)
            if s.content_sha256 == version.content_sha256 and s.organisation_id in owners
        }
        return signed == owners


class MemoryUploads:
    def __init__(self, state: _State) -> None:
        self._state = state

    def add(
        self,
        agreement_id: int,
        filename: str,
        sha256: str,
        row_count: int,
        status: UploadStatus,
        uploaded_by: int,
        uploaded_at: datetime,
    ) -> Upload:
        _need(agreement_id in self._state.agreements, f"agreement {agreement_id}")
        _need(uploaded_by in self._state.users, f"user {uploaded_by}")
        if row_count < 0:
            raise ValueError("row_count cannot be negative")
        upload = Upload(
            self._state.new_id("uploads"),
            agreement_id,
            filename,
            sha256,
            row_count,
            status,
            uploaded_by,
            _utc(uploaded_at),
        )
        self._state.uploads[upload.id] = upload
        return upload

    def get(self, upload_id: int) -> Upload:
        _need(upload_id in self._state.uploads, f"upload {upload_id}")
        return self._state.uploads[upload_id]

    def for_agreement(self, agreement_id: int) -> list[Upload]:
        return [u for u in self._state.uploads.values() if u.agreement_id == agreement_id]


class MemorySettlements:
    def __init__(self, state: _State) -> None:
        self._state = state

    def add(
        self,
        version_id: int,
        period: str,
        statement: dict[str, Any],
        net_saving: Money,
        baseline_cost: Money,
        upload_id: int | None,
        created_by: int,
        created_at: datetime,
    ) -> SettlementRecord:
        _need(version_id in self._state.versions, f"agreement version {version_id}")
        if upload_id is not None:
            _need(upload_id in self._state.uploads, f"upload {upload_id}")
        if any(s.version_id == version_id and s.period == period for s in self._state.settlements.values()):
            raise ConflictError(f"period {period} of agreement version {version_id} is settled already")
        record = SettlementRecord(
            id=self._state.new_id("settlements"),
            version_id=version_id,
            period=period,
            statement=copy.deepcopy(statement),
            net_saving=net_saving,
            baseline_cost=baseline_cost,
            upload_id=upload_id,
            created_by=created_by,
            created_at=_utc(created_at),
        )
        self._state.settlements[record.id] = record
        return record

    def for_agreement(self, agreement_id: int) -> list[SettlementRecord]:
        versions = {v.id for v in self._state.versions.values() if v.agreement_id == agreement_id}
        return [s for s in self._state.settlements.values() if s.version_id in versions]


class MemoryLedger:
    def __init__(self, state: _State) -> None:
        self._state = state

    def post(
        self,
        transaction: Transaction,
        agreement_id: int,
        settlement_id: int | None,
        posted_by: int,
        posted_at: datetime,
    ) -> None:
        _need(agreement_id in self._state.agreements, f"agreement {agreement_id}")
        _utc(posted_at)
        if self.has(transaction.key):
            raise ConflictError(f"ledger transaction {transaction.key!r} was posted already")
        self._state.ledger.append((agreement_id, transaction))

    def has(self, key: str) -> bool:
        return any(transaction.key == key for _, transaction in self._state.ledger)

    def transactions(self, agreement_id: int) -> list[Transaction]:
        return [transaction for owner, transaction in self._state.ledger if owner == agreement_id]

    def balances(self, agreement_id: int | None = None) -> dict[str, Money]:
        totals: dict[str, int] = {}
        for owner, transaction in self._state.ledger:
            if agreement_id is not None and owner != agreement_id:
                continue
            for posting in transaction.postings:
                totals[posting.account] = totals.get(posting.account, 0) + posting.amount.pence
        return {account: Money(totals[account]) for account in sorted(totals)}


class MemoryAuditLog:
    def __init__(self, state: _State) -> None:
        self._state = state

    def append(
        self,
        actor_id: int | None,
        at: datetime,
        action: str,
        entity: str,
        details: dict[str, Any],
        agreement_id: int | None = None,
    ) -> AuditEntry:
        entry = AuditEntry(
            self._state.new_id("audit_log"), actor_id, _utc(at), action, entity, agreement_id, copy.deepcopy(details)
        )
        self._state.audit.append(entry)
        return entry

    def entries(self, agreement_id: int | None = None) -> list[AuditEntry]:
        return [e for e in self._state.audit if agreement_id is None or e.agreement_id == agreement_id]

    def search(self, query: AuditQuery, offset: int = 0, limit: int | None = None) -> list[AuditEntry]:
        found = [e for e in reversed(self._state.audit) if query.matches(e)][offset:]
        return found if limit is None else found[:limit]

    def count(self, query: AuditQuery) -> int:
        return sum(1 for e in self._state.audit if query.matches(e))

    def actions(self, query: AuditQuery) -> list[str]:
        return sorted({e.action for e in self._state.audit if query.in_scope(e)})


class MemoryUnitOfWork:
    organisations: MemoryOrganisations
    users: MemoryUsers
    agreements: MemoryAgreements
    uploads: MemoryUploads
    settlements: MemorySettlements
    ledger: MemoryLedger
    audit: MemoryAuditLog
    actuals: MemoryMonthlyActuals
    schedules: MemoryPaymentSchedules
    distributions: MemoryDistributions
    adjustments: MemoryAdjustments
    referrals: MemoryReferrals
    notifications: MemoryNotifications
    incentives: MemoryIncentiveRecords

    def __init__(self, database: MemoryDatabase, *, read_only: bool = False) -> None:
        self._database = database
        self._working: _State | None = None
        self.read_only = read_only  # readers copy the last committed state without waiting for the writers' lock

    def __enter__(self) -> Self:
        if not self.read_only:
            self._database.lock.acquire()
        self._begin()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._working = None
        if not self.read_only:
            self._database.lock.release()

    def commit(self) -> None:
        if self._working is None:
            raise RuntimeError("the unit of work is used outside its 'with' block")
        if self.read_only:
            raise ReadOnlyError("a read-only unit of work cannot commit")
        self._database.state = self._working
        self._begin()

    def rollback(self) -> None:
        self._begin()

    def _begin(self) -> None:
        working = copy.deepcopy(self._database.state)
        self._working = working
        self.organisations = MemoryOrganisations(working)
        self.users = MemoryUsers(working)
        self.agreements = MemoryAgreements(working)
        self.uploads = MemoryUploads(working)
        self.settlements = MemorySettlements(working)
        self.ledger = MemoryLedger(working)
        self.audit = MemoryAuditLog(working)
        self.actuals = MemoryMonthlyActuals(working.monitoring, working.agreements)
        self.schedules = MemoryPaymentSchedules(working.monitoring, working.agreements)
        self.distributions = MemoryDistributions(working.monitoring, working.agreements)
        self.adjustments = MemoryAdjustments(working.monitoring, working.agreements)
        self.referrals = MemoryReferrals(working.monitoring, working.agreements)
        self.notifications = MemoryNotifications(working.monitoring, working.agreements)
        self.incentives = MemoryIncentiveRecords(working.incentives)


class MemoryDatabase:
    """Calling it gives a new unit of work, read() a read-only one, like SqlDatabase.

    A committed state is never changed again (a commit publishes the writer's copy), so readers copy it unlocked.
    """

    def __init__(self) -> None:
        self.state = _State()
        self.lock = threading.RLock()

    def __call__(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self)

    def read(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self, read_only=True)
