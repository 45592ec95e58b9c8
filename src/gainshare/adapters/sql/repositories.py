"""SQL implementations of the workspace repositories (gainshare.services.ports), over one Session each.

Rows never leave this module: every method answers with the frozen records the ports declare. Inserts that can
lose a race run inside a SAVEPOINT, so a ConflictError leaves the unit of work usable.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Select, cast, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from gainshare.adapters.sql.admin_tables import SystemAdministratorRow
from gainshare.adapters.sql.tables import (
    AgreementRow,
    AgreementVersionRow,
    AuditRow,
    LedgerPostingRow,
    LedgerTransactionRow,
    MembershipRow,
    OrganisationRow,
    SettlementRow,
    SignatureRow,
    UploadRow,
    UserRow,
)
from gainshare.domain.errors import ConflictError, NotFoundError
from gainshare.domain.ledger import Posting, Transaction
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

_FOREIGN_KEY_SQLSTATE = "23503"


@contextmanager
def _guarded(session: Session, conflict: str) -> Iterator[None]:
    """A savepoint; a unique-key failure becomes ConflictError, a missing reference NotFoundError."""
    try:
        with session.begin_nested():
            yield
    except IntegrityError as error:
        if _is_foreign_key(error):
            raise NotFoundError(f"{conflict}: it refers to something that does not exist") from error
        raise ConflictError(conflict) from error


def _is_foreign_key(error: IntegrityError) -> bool:
    return getattr(error.orig, "sqlstate", None) == _FOREIGN_KEY_SQLSTATE or "FOREIGN KEY" in str(error.orig)


def _versions(*criteria: ColumnElement[bool]) -> Select[AgreementVersionRow]:
    """Versions read again even if the session holds them (an UPDATE statement may have changed them)."""
    return select(AgreementVersionRow).where(*criteria).execution_options(populate_existing=True)


class SqlOrganisations:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, ods_code: str, name: str, kind: OrganisationKind, parent_id: int | None = None) -> Organisation:
        row = OrganisationRow(ods_code=ods_code, name=name, kind=kind.value, parent_id=parent_id)
        with _guarded(self._session, f"an organisation with ODS code {ods_code!r} exists already"):
            self._session.add(row)
        return _organisation(row)

    def get(self, organisation_id: int) -> Organisation:
        row = self._session.get(OrganisationRow, organisation_id)
        if row is None:
            raise NotFoundError(f"organisation {organisation_id} does not exist")
        return _organisation(row)

    def by_ods_code(self, ods_code: str) -> Organisation | None:
        row = self._session.scalars(select(OrganisationRow).where(OrganisationRow.ods_code == ods_code)).first()
        return None if row is None else _organisation(row)

    def all(self) -> list[Organisation]:
        return [_organisation(row) for row in self._session.scalars(select(OrganisationRow).order_by("id"))]


class SqlUsers:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, email: str, display_name: str, password_hash: str, password_change_required: bool = False) -> User:
        row = UserRow(
            email=_email_key(email),
            display_name=display_name,
            password_hash=password_hash,
            password_change_required=password_change_required,
        )
        with _guarded(self._session, f"a user with email {email!r} exists already"):
            self._session.add(row)
        return _user(row)

    def set_password(self, user_id: int, password_hash: str, change_required: bool) -> User:
        row = self._session.get(UserRow, user_id, with_for_update=True)
        if row is None:
            raise NotFoundError(f"user {user_id} does not exist")
        row.password_hash = password_hash
        row.password_change_required = change_required
        self._session.flush()
        return _user(row)

    def get(self, user_id: int) -> User:
        row = self._session.get(UserRow, user_id)
        if row is None:
            raise NotFoundError(f"user {user_id} does not exist")
        return _user(row)

    def by_email(self, email: str) -> User | None:
        row = self._session.scalars(select(UserRow).where(UserRow.email == _email_key(email))).first()
        return None if row is None else _user(row)

    def add_membership(self, user_id: int, organisation_id: int, role: Role) -> Membership:
        row = MembershipRow(user_id=user_id, organisation_id=organisation_id, role=role.value)
        with _guarded(self._session, f"user {user_id} is already {role.value} of organisation {organisation_id}"):
            self._session.add(row)
        return _membership(row)

    def memberships(self, user_id: int) -> list[Membership]:
        query = select(MembershipRow).where(MembershipRow.user_id == user_id)
        return [_membership(row) for row in self._session.scalars(query.order_by("organisation_id", "role"))]

    def members(self, organisation_id: int) -> list[Membership]:
        query = select(MembershipRow).where(MembershipRow.organisation_id == organisation_id)
        return [_membership(row) for row in self._session.scalars(query.order_by("user_id", "role"))]

    def remove_membership(self, user_id: int, organisation_id: int, role: Role) -> None:
        row = self._session.get(MembershipRow, (user_id, organisation_id, role.value))
        if row is None:
            raise NotFoundError(f"user {user_id} is not {role.value} of organisation {organisation_id}")
        self._session.delete(row)
        self._session.flush()

    def is_system_administrator(self, user_id: int) -> bool:
        return self._session.get(SystemAdministratorRow, user_id) is not None

    def add_system_administrator(self, user_id: int, granted_at: datetime) -> None:
        row = SystemAdministratorRow(user_id=user_id, granted_at=granted_at)
        with _guarded(self._session, f"user {user_id} is a system administrator already"):
            self._session.add(row)


class SqlAgreements:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(
        self, title: str, commissioner_id: int, provider_id: int, created_by: int, created_at: datetime
    ) -> AgreementRecord:
        row = AgreementRow(
            title=title,
            commissioner_id=commissioner_id,
            provider_id=provider_id,
            created_by=created_by,
            created_at=created_at,
        )
        with _guarded(self._session, "the agreement's two organisations must differ"):
            self._session.add(row)
        return _agreement(row)

    def get(self, agreement_id: int) -> AgreementRecord:
        row = self._session.get(AgreementRow, agreement_id)
        if row is None:
            raise NotFoundError(f"agreement {agreement_id} does not exist")
        return _agreement(row)

    def for_organisations(self, organisation_ids: Collection[int]) -> list[AgreementRecord]:
        ids = list(organisation_ids)
        query = select(AgreementRow).where(AgreementRow.commissioner_id.in_(ids) | AgreementRow.provider_id.in_(ids))
        return [_agreement(row) for row in self._session.scalars(query.order_by(AgreementRow.id))]

    def add_version(
        self, agreement_id: int, number: int, content: str, created_by: int, created_at: datetime
    ) -> AgreementVersion:
        row = AgreementVersionRow(
            agreement_id=agreement_id,
            number=number,
            content=content,
            content_sha256=content_digest(content),
            status=VersionStatus.DRAFT.value,
            created_by=created_by,
            created_at=created_at,
            lock_version=0,
        )
        with _guarded(self._session, f"agreement {agreement_id} has a version {number} already"):
            self._session.add(row)
        return _version(row)

    def version(self, agreement_id: int, number: int, *, for_update: bool = False) -> AgreementVersion:
        query = _versions(AgreementVersionRow.agreement_id == agreement_id, AgreementVersionRow.number == number)
        if for_update:
            query = query.with_for_update()
        row = self._session.scalars(query).first()
        if row is None:
            raise NotFoundError(f"agreement {agreement_id} has no version {number}")
        return _version(row)

    def latest_version(self, agreement_id: int) -> AgreementVersion:
        query = _versions(AgreementVersionRow.agreement_id == agreement_id)
        row = self._session.scalars(query.order_by(AgreementVersionRow.number.desc())).first()
        if row is None:
            raise NotFoundError(f"agreement {agreement_id} has no versions")
        return _version(row)

    def versions(self, agreement_id: int) -> list[AgreementVersion]:
        query = _versions(AgreementVersionRow.agreement_id == agreement_id)
        return [_version(row) for row in self._session.scalars(query.order_by(AgreementVersionRow.number))]

    def update_content(self, version_id: int, content: str, expected_lock_version: int) -> AgreementVersion:
        changes = {
            "content": content,
            "content_sha256": content_digest(content),
            "status": VersionStatus.DRAFT.value,
        }
        editable = (VersionStatus.DRAFT.value, VersionStatus.PROPOSED.value)
        return self._change(version_id, expected_lock_version, editable, changes)

    def set_status(self, version_id: int, status: VersionStatus, expected_lock_version: int) -> AgreementVersion:
        editable = (VersionStatus.DRAFT.value, VersionStatus.PROPOSED.value)
        return self._change(version_id, expected_lock_version, editable, {"status": status.value})

    def add_signature(
        self, version_id: int, organisation_id: int, user_id: int, content_sha256: str, signed_at: datetime
    ) -> Signature:
        row = SignatureRow(
            version_id=version_id,
            organisation_id=organisation_id,
            user_id=user_id,
            content_sha256=content_sha256,
            signed_at=signed_at,
        )
        with _guarded(self._session, f"organisation {organisation_id} has signed this text of the version already"):
            self._session.add(row)
        return _signature(row)

    def signatures(self, version_id: int) -> list[Signature]:
        query = select(SignatureRow).where(SignatureRow.version_id == version_id).order_by(SignatureRow.id)
        return [_signature(row) for row in self._session.scalars(query)]

    def _change(
        self, version_id: int, expected_lock_version: int, editable: tuple[str, ...], changes: dict[str, Any]
    ) -> AgreementVersion:
        """One UPDATE guarded by the lock version and status: a stale or frozen row changes nothing."""
        statement = (
            update(AgreementVersionRow)
            .where(
                AgreementVersionRow.id == version_id,
                AgreementVersionRow.lock_version == expected_lock_version,
                AgreementVersionRow.status.in_(editable),
            )
            .values(lock_version=AgreementVersionRow.lock_version + 1, **changes)
            .execution_options(synchronize_session=False)
        )
        try:
            with self._session.begin_nested():
                changed = self._session.execute(statement)
        except IntegrityError as error:
            raise ConflictError(f"agreement version {version_id}: {error.orig}") from error
        if getattr(changed, "rowcount", 0) != 1:
            raise self._why_unchanged(version_id, expected_lock_version)
        return _version(self._session.scalars(_versions(AgreementVersionRow.id == version_id)).one())

    def _why_unchanged(self, version_id: int, expected_lock_version: int) -> Exception:
        row = self._session.scalars(_versions(AgreementVersionRow.id == version_id)).first()
        if row is None:
            return NotFoundError(f"agreement version {version_id} does not exist")
        if row.status == VersionStatus.SIGNED.value:
            return ConflictError(f"version {row.number} is signed and cannot change; save a new version instead")
        return ConflictError(
            f"version {row.number} was changed by someone else (lock {row.lock_version}, "
            f"you had {expected_lock_version}): reload it and make your change again"
        )


class SqlUploads:
    def __init__(self, session: Session) -> None:
        self._session = session

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
        row = UploadRow(
            agreement_id=agreement_id,
            filename=filename,
            sha256=sha256,
            row_count=row_count,
            status=status.value,
            uploaded_by=uploaded_by,
            uploaded_at=uploaded_at,
        )
        with _guarded(self._session, f"upload {filename!r} could not be recorded"):
            self._session.add(row)
        return _upload(row)

    def get(self, upload_id: int) -> Upload:
        row = self._session.get(UploadRow, upload_id)
        if row is None:
            raise NotFoundError(f"upload {upload_id} does not exist")
        return _upload(row)

    def for_agreement(self, agreement_id: int) -> list[Upload]:
        query = select(UploadRow).where(UploadRow.agreement_id == agreement_id).order_by(UploadRow.id)
        return [_upload(row) for row in self._session.scalars(query)]


class SqlSettlements:
    def __init__(self, session: Session) -> None:
        self._session = session

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
        row = SettlementRow(
            version_id=version_id,
            period=period,
            statement=statement,
            net_saving_pence=net_saving.pence,
            baseline_cost_pence=baseline_cost.pence,
            upload_id=upload_id,
            created_by=created_by,
            created_at=created_at,
        )
        with _guarded(self._session, f"period {period} of agreement version {version_id} is settled already"):
            self._session.add(row)
        return _settlement(row)

    def for_agreement(self, agreement_id: int) -> list[SettlementRecord]:
        query = (
            select(SettlementRow)
            .join(AgreementVersionRow, AgreementVersionRow.id == SettlementRow.version_id)
            .where(AgreementVersionRow.agreement_id == agreement_id)
            .order_by(SettlementRow.id)
        )
        return [_settlement(row) for row in self._session.scalars(query)]


class SqlLedger:
    def __init__(self, session: Session) -> None:
        self._session = session

    def post(
        self,
        transaction: Transaction,
        agreement_id: int,
        settlement_id: int | None,
        posted_by: int,
        posted_at: datetime,
    ) -> None:
        row = LedgerTransactionRow(
            idempotency_key=transaction.key,
            description=transaction.description,
            agreement_id=agreement_id,
            settlement_id=settlement_id,
            posted_by=posted_by,
            posted_at=posted_at,
            postings=[
                LedgerPostingRow(line_no=number, account=posting.account, amount_pence=posting.amount.pence)
                for number, posting in enumerate(transaction.postings, start=1)
            ],
        )
        with _guarded(self._session, f"ledger transaction {transaction.key!r} was posted already"):
            self._session.add(row)

    def has(self, key: str) -> bool:
        query = select(LedgerTransactionRow.id).where(LedgerTransactionRow.idempotency_key == key)
        return self._session.scalars(query).first() is not None

    def transactions(self, agreement_id: int) -> list[Transaction]:
        query = (
            select(LedgerTransactionRow)
            .where(LedgerTransactionRow.agreement_id == agreement_id)
            .options(selectinload(LedgerTransactionRow.postings))
            .order_by(LedgerTransactionRow.id)
        )
        return [_transaction(row) for row in self._session.scalars(query)]

    def balances(self, agreement_id: int | None = None) -> dict[str, Money]:
        # PostgreSQL's SUM(bigint) is NUMERIC: cast back so the driver hands over an int.
        total = cast(func.sum(LedgerPostingRow.amount_pence), BigInteger)
        query = select(LedgerPostingRow.account, total).group_by(LedgerPostingRow.account)
        if agreement_id is not None:
            query = query.join(LedgerTransactionRow).where(LedgerTransactionRow.agreement_id == agreement_id)
        return {account: Money(int(pence)) for account, pence in self._session.execute(query.order_by("account"))}


class SqlAuditLog:
    def __init__(self, session: Session) -> None:
        self._session = session

    def append(
        self,
        actor_id: int | None,
        at: datetime,
        action: str,
        entity: str,
        details: dict[str, Any],
        agreement_id: int | None = None,
    ) -> AuditEntry:
        row = AuditRow(
            actor_id=actor_id, at=at, action=action, entity=entity, agreement_id=agreement_id, details=details
        )
        with _guarded(self._session, f"audit entry {action} on {entity} could not be recorded"):
            self._session.add(row)
        return _audit(row)

    def entries(self, agreement_id: int | None = None) -> list[AuditEntry]:
        query = select(AuditRow)
        if agreement_id is not None:
            query = query.where(AuditRow.agreement_id == agreement_id)
        return [_audit(row) for row in self._session.scalars(query.order_by(AuditRow.id))]

    def search(self, query: AuditQuery, offset: int = 0, limit: int | None = None) -> list[AuditEntry]:
        found = select(AuditRow).where(*_audit_criteria(query)).order_by(AuditRow.id.desc()).offset(offset)
        if limit is not None:
            found = found.limit(limit)
        return [_audit(row) for row in self._session.scalars(found)]

    def count(self, query: AuditQuery) -> int:
        return int(self._session.scalar(select(func.count(AuditRow.id)).where(*_audit_criteria(query))) or 0)

    def actions(self, query: AuditQuery) -> list[str]:
        scope = AuditQuery(query.agreement_ids, query.entities)
        found = select(AuditRow.action).where(*_audit_criteria(scope)).distinct().order_by(AuditRow.action)
        return list(self._session.scalars(found))


def _audit_criteria(query: AuditQuery) -> list[ColumnElement[bool]]:
    """The query as WHERE terms: in scope (its agreements, or its entities and what is under them), its action."""
    scope: list[ColumnElement[bool]] = [AuditRow.agreement_id.in_(sorted(query.agreement_ids))]
    for entity in query.entities:
        scope += [AuditRow.entity == entity, AuditRow.entity.startswith(entity + "/", autoescape=True)]
    criteria = [or_(*scope)]
    if query.action is not None:
        criteria.append(AuditRow.action == query.action)
    return criteria


def _email_key(email: str) -> str:
    return email.strip().lower()


def _organisation(row: OrganisationRow) -> Organisation:
    return Organisation(row.id, row.ods_code, row.name, OrganisationKind(row.kind), row.parent_id)


def _user(row: UserRow) -> User:
    return User(row.id, row.email, row.display_name, row.password_hash, row.password_change_required)


def _membership(row: MembershipRow) -> Membership:
    return Membership(row.user_id, row.organisation_id, Role(row.role))


def _agreement(row: AgreementRow) -> AgreementRecord:
    return AgreementRecord(row.id, row.title, row.commissioner_id, row.provider_id, row.created_by, row.created_at)


def _version(row: AgreementVersionRow) -> AgreementVersion:
    return AgreementVersion(
        id=row.id,
        agreement_id=row.agreement_id,
        number=row.number,
        content=row.content,
        content_sha256=row.content_sha256,
        status=VersionStatus(row.status),
        created_by=row.created_by,
        created_at=row.created_at,
        lock_version=row.lock_version,
    )


def _signature(row: SignatureRow) -> Signature:
    return Signature(row.version_id, row.organisation_id, row.user_id, row.content_sha256, row.signed_at)


def _upload(row: UploadRow) -> Upload:
    return Upload(
        row.id,
        row.agreement_id,
        row.filename,
        row.sha256,
        row.row_count,
        UploadStatus(row.status),
        row.uploaded_by,
        row.uploaded_at,
    )


def _settlement(row: SettlementRow) -> SettlementRecord:
    return SettlementRecord(
        id=row.id,
        version_id=row.version_id,
        period=row.period,
        statement=row.statement,
        net_saving=Money(row.net_saving_pence),
        baseline_cost=Money(row.baseline_cost_pence),
        upload_id=row.upload_id,
        created_by=row.created_by,
        created_at=row.created_at,
    )


def _transaction(row: LedgerTransactionRow) -> Transaction:
    postings = tuple(Posting(posting.account, Money(posting.amount_pence)) for posting in row.postings)
    return Transaction(row.idempotency_key, row.description, postings)


def _audit(row: AuditRow) -> AuditEntry:
    return AuditEntry(row.id, row.actor_id, row.at, row.action, row.entity, row.agreement_id, row.details)
