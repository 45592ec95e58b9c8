"""What the services need from the outside world, as Protocols the adapters implement."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Protocol, Self

from gainshare.domain.agreement import Agreement
from gainshare.domain.catalogue import ServiceCatalogue
from gainshare.domain.conflicts import Declaration
from gainshare.domain.distribution import Basis, LossHandling, PracticeMeasures
from gainshare.domain.figures import Figures
from gainshare.domain.incentives import IncentiveScheme
from gainshare.domain.ledger import Transaction
from gainshare.domain.money import Money
from gainshare.domain.referrals import MonthlyNetting, ReferralItem
from gainshare.domain.settlement import Settlement


class AgreementReader(Protocol):
    def load(self, location: str) -> Agreement:
        """The agreement at a location; raises InvalidInputError with every problem."""
        ...


class FiguresReader(Protocol):
    def load(self, location: str) -> Figures:
        """The figures at a location; raises InvalidInputError with every problem."""
        ...


# --- Shared workspace: records and repositories (SQL in adapters/sql, fakes in adapters/memory) ---------------


class OrganisationKind(Enum):
    COMMISSIONER = "commissioner"
    FEDERATION = "federation"
    PRACTICE = "practice"


class Role(Enum):
    COMMISSIONER_FINANCE = "commissioner_finance"
    FEDERATION_MANAGER = "federation_manager"
    PRACTICE_VIEWER = "practice_viewer"
    ADMINISTRATOR = "administrator"


class VersionStatus(Enum):
    DRAFT = "draft"
    PROPOSED = "proposed"
    SIGNED = "signed"


class UploadStatus(Enum):
    RECEIVED = "received"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


def content_digest(content: str) -> str:
    """The sha256 (hex) of an agreement version's canonical text, as stored and as signed."""
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Organisation:
    id: int
    ods_code: str
    name: str
    kind: OrganisationKind
    parent_id: int | None = None  # a practice's federation


@dataclass(frozen=True, slots=True)
class User:
    id: int
    email: str
    display_name: str
    password_hash: str = field(repr=False)
    password_change_required: bool = False  # an administrator chose the password: the user must change it first


@dataclass(frozen=True, slots=True)
class Membership:
    user_id: int
    organisation_id: int
    role: Role


@dataclass(frozen=True, slots=True)
class AgreementRecord:
    id: int
    title: str
    commissioner_id: int
    provider_id: int
    created_by: int
    created_at: datetime

    @property
    def organisation_ids(self) -> tuple[int, int]:
        return (self.commissioner_id, self.provider_id)


@dataclass(frozen=True, slots=True)
class AgreementVersion:
    id: int
    agreement_id: int
    number: int
    content: str
    content_sha256: str
    status: VersionStatus
    created_by: int
    created_at: datetime
    lock_version: int


@dataclass(frozen=True, slots=True)
class Signature:
    version_id: int
    organisation_id: int
    user_id: int
    content_sha256: str
    signed_at: datetime


@dataclass(frozen=True, slots=True)
class Upload:
    id: int
    agreement_id: int
    filename: str
    sha256: str
    row_count: int
    status: UploadStatus
    uploaded_by: int
    uploaded_at: datetime


@dataclass(frozen=True, slots=True)
class SettlementRecord:
    id: int
    version_id: int
    period: str
    statement: dict[str, Any]
    net_saving: Money
    baseline_cost: Money
    upload_id: int | None
    created_by: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    actor_id: int | None  # None: the system (a trusted setup command)
    at: datetime
    action: str
    entity: str
    agreement_id: int | None
    details: dict[str, Any]


@dataclass(frozen=True, slots=True)
class AuditQuery:
    """Audit entries about any of the agreements, or whose entity is one of `entities` or under one ("x/..."),
    optionally with one action only."""

    agreement_ids: frozenset[int] = frozenset()
    entities: tuple[str, ...] = ()
    action: str | None = None

    def in_scope(self, entry: AuditEntry) -> bool:
        if entry.agreement_id is not None and entry.agreement_id in self.agreement_ids:
            return True
        return any(entry.entity == e or entry.entity.startswith(e + "/") for e in self.entities)

    def matches(self, entry: AuditEntry) -> bool:
        return self.in_scope(entry) and (self.action is None or entry.action == self.action)


class Organisations(Protocol):
    def add(self, ods_code: str, name: str, kind: OrganisationKind, parent_id: int | None = None) -> Organisation:
        """A new organisation; ConflictError if the ODS code is taken."""
        ...

    def get(self, organisation_id: int) -> Organisation:
        """The organisation, or NotFoundError."""
        ...

    def by_ods_code(self, ods_code: str) -> Organisation | None: ...

    def all(self) -> list[Organisation]: ...


class Users(Protocol):
    def add(self, email: str, display_name: str, password_hash: str, password_change_required: bool = False) -> User:
        """A new user; emails are unique ignoring case (ConflictError)."""
        ...

    def set_password(self, user_id: int, password_hash: str, change_required: bool) -> User:
        """A new password hash, and whether the user must change it at their next sign-in; NotFoundError."""
        ...

    def get(self, user_id: int) -> User:
        """The user, or NotFoundError."""
        ...

    def by_email(self, email: str) -> User | None: ...

    def add_membership(self, user_id: int, organisation_id: int, role: Role) -> Membership:
        """ConflictError if the user already has that role there."""
        ...

    def memberships(self, user_id: int) -> list[Membership]: ...

    def members(self, organisation_id: int) -> list[Membership]: ...

    def remove_membership(self, user_id: int, organisation_id: int, role: Role) -> None:
        """NotFoundError if the user does not hold that role there."""
        ...

    def is_system_administrator(self, user_id: int) -> bool: ...

    def add_system_administrator(self, user_id: int, granted_at: datetime) -> None:
        """Make the user a system administrator (every organisation); ConflictError if they are one already."""
        ...


class Agreements(Protocol):
    def add(
        self, title: str, commissioner_id: int, provider_id: int, created_by: int, created_at: datetime
    ) -> AgreementRecord: ...

    def get(self, agreement_id: int) -> AgreementRecord:
        """The agreement, or NotFoundError."""
        ...

    def for_organisations(self, organisation_ids: Collection[int]) -> list[AgreementRecord]:
        """Agreements that any of the organisations owns, by id."""
        ...

    def add_version(
        self, agreement_id: int, number: int, content: str, created_by: int, created_at: datetime
    ) -> AgreementVersion:
        """A new draft version; ConflictError if that number exists (a concurrent save won)."""
        ...

    def version(self, agreement_id: int, number: int, *, for_update: bool = False) -> AgreementVersion:
        """The version, or NotFoundError; for_update locks it until the unit of work ends."""
        ...

    def latest_version(self, agreement_id: int) -> AgreementVersion: ...

    def versions(self, agreement_id: int) -> list[AgreementVersion]:
        """Every version, by number."""
        ...

    def update_content(self, version_id: int, content: str, expected_lock_version: int) -> AgreementVersion:
        """New text for a draft or proposed version, which becomes a draft again.

        ConflictError when lock_version is no longer the expected one (someone saved first) or the version is signed.
        """
        ...

    def set_status(self, version_id: int, status: VersionStatus, expected_lock_version: int) -> AgreementVersion:
        """Move a version on (draft -> proposed -> signed); ConflictError on a stale lock or a signed version.

        A version becomes signed only when both owning organisations have signed its current content hash.
        """
        ...

    def add_signature(
        self, version_id: int, organisation_id: int, user_id: int, content_sha256: str, signed_at: datetime
    ) -> Signature:
        """ConflictError if that organisation already signed that hash."""
        ...

    def signatures(self, version_id: int) -> list[Signature]: ...


class Uploads(Protocol):
    def add(
        self,
        agreement_id: int,
        filename: str,
        sha256: str,
        row_count: int,
        status: UploadStatus,
        uploaded_by: int,
        uploaded_at: datetime,
    ) -> Upload: ...

    def get(self, upload_id: int) -> Upload: ...

    def for_agreement(self, agreement_id: int) -> list[Upload]: ...


class Settlements(Protocol):
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
        """ConflictError if the version's period is already settled."""
        ...

    def for_agreement(self, agreement_id: int) -> list[SettlementRecord]: ...


class Ledger(Protocol):
    def post(
        self,
        transaction: Transaction,
        agreement_id: int,
        settlement_id: int | None,
        posted_by: int,
        posted_at: datetime,
    ) -> None:
        """Record a balanced transaction once: ConflictError if its key was posted before (even concurrently)."""
        ...

    def has(self, key: str) -> bool: ...

    def transactions(self, agreement_id: int) -> list[Transaction]:
        """The agreement's transactions in posting order."""
        ...

    def balances(self, agreement_id: int | None = None) -> dict[str, Money]:
        """Account -> balance in pence (debits positive), over one agreement or the whole ledger."""
        ...


class AuditLog(Protocol):
    def append(
        self,
        actor_id: int | None,
        at: datetime,
        action: str,
        entity: str,
        details: dict[str, Any],
        agreement_id: int | None = None,
    ) -> AuditEntry:
        """Entries are never changed or removed."""
        ...

    def entries(self, agreement_id: int | None = None) -> list[AuditEntry]:
        """In order of appending; all of them, or one agreement's."""
        ...

    def search(self, query: AuditQuery, offset: int = 0, limit: int | None = None) -> list[AuditEntry]:
        """The entries the query matches, newest first; `limit` of them from `offset` (all when limit is None)."""
        ...

    def count(self, query: AuditQuery) -> int: ...

    def actions(self, query: AuditQuery) -> list[str]:
        """The distinct actions of the entries in the query's scope (whatever its action), sorted."""
        ...


class UnitOfWork(Protocol):
    """One transaction over every repository: commit() or everything is rolled back on exit."""

    @property
    def organisations(self) -> Organisations: ...

    @property
    def users(self) -> Users: ...

    @property
    def agreements(self) -> Agreements: ...

    @property
    def uploads(self) -> Uploads: ...

    @property
    def settlements(self) -> Settlements: ...

    @property
    def ledger(self) -> Ledger: ...

    @property
    def audit(self) -> AuditLog: ...

    @property
    def actuals(self) -> MonthlyActuals: ...

    @property
    def schedules(self) -> PaymentSchedules: ...

    @property
    def distributions(self) -> Distributions: ...

    @property
    def adjustments(self) -> Adjustments: ...

    @property
    def referrals(self) -> Referrals: ...

    @property
    def notifications(self) -> Notifications: ...

    @property
    def incentives(self) -> IncentiveRecords: ...

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc_info: object) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...


class UnitsOfWork(Protocol):
    """Makes units of work: call it for one that may write; read() for one that only reads.

    A read-only unit of work never waits for writers (on SQLite it does not take the write lock; on PostgreSQL its
    transaction is READ ONLY) and cannot write: the database refuses its writes and its commit() raises
    ReadOnlyError. Use it for every use case that changes nothing.
    """

    def __call__(self) -> UnitOfWork: ...

    def read(self) -> UnitOfWork: ...


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool:
        """True only when the password matches; never raises for a wrong password."""
        ...


class AgreementParser(Protocol):
    def parse(self, text: str, name: str) -> Agreement:
        """The agreement in canonical YAML/JSON text; raises InvalidInputError with every problem."""
        ...


class StatementRenderer(Protocol):
    def __call__(self, settlement: Settlement) -> dict[str, Any]:
        """A settlement as a JSON-ready dict (money as integer pence and decimal strings, never floats)."""
        ...


# --- Activity data: the activity store and the Ibis pipeline (adapters/activity) ----------------------------------


class ActivityKind(Enum):
    AGGREGATED = "activity"  # one row per practice, service line, point of delivery and month
    EPISODES = "episodes"  # patient-level episodes, aggregated to months on import


@dataclass(frozen=True, slots=True)
class ImportProgress:
    """How far an import has got: a stage name and units done of a total (bytes or rows), for a progress bar."""

    stage: str
    done: int
    total: int | None = None


ProgressCallback = Callable[[ImportProgress], None]


@dataclass(frozen=True, slots=True)
class ActivityImportRequest:
    path: str
    kind: ActivityKind
    source: str  # a re-imported month supersedes the rows of the same source and month
    imported_at: datetime  # given by the caller: adapters never read the clock
    episode_pod: str = "EPISODE"  # point of delivery given to patient-level episodes (they carry none)


@dataclass(frozen=True, slots=True)
class MonthChange:
    month: date
    action: str  # "added", "replaced" or "unchanged"
    rows: int
    content_hash: str
    replaced_rows: int | None = None
    replaced_hash: str | None = None


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    path: str
    source: str
    kind: ActivityKind
    file_hash: str
    already_imported: bool
    rows_read: int
    months: tuple[MonthChange, ...] = ()


@dataclass(frozen=True, slots=True)
class ActivityAudit:
    source: str
    month: date
    replaced_hash: str
    replaced_rows: int
    new_hash: str
    new_rows: int
    file_hash: str
    at: datetime


class ActivityStore(Protocol):
    def import_file(self, request: ActivityImportRequest, progress: ProgressCallback | None = None) -> ImportOutcome:
        """Import a file in one transaction: all of it or nothing; InvalidInputError naming every problem."""
        ...

    def audit(self) -> list[ActivityAudit]:
        """Every superseded (source, month), oldest first."""
        ...


@dataclass(frozen=True, slots=True)
class TermMonth:
    month: date
    term_year: int  # 1 for the first twelve months of the term
    baseline_month: date  # the same month of the baseline year


@dataclass(frozen=True, slots=True)
class PipelinePlan:
    """What the pipeline needs from an agreement: service lines per scheme, out-of-hospital pods, the calendar."""

    service_lines: tuple[tuple[str, str], ...]  # (service_line, scheme)
    provision_pods: tuple[str, ...]
    calendar: tuple[TermMonth, ...]


@dataclass(frozen=True, slots=True)
class BaselineCell:
    """Historic hospital activity and cost of one scheme in the baseline month matching a term month."""

    practice_code: str | None  # None when summed over practices
    scheme: str
    month: date
    term_year: int
    activity: int
    cost_pence: int


@dataclass(frozen=True, slots=True)
class ActualCell:
    practice_code: str | None
    scheme: str
    month: date
    term_year: int
    hospital_activity: int
    hospital_cost_pence: int
    provision_activity: int
    provision_cost_pence: int


@dataclass(frozen=True, slots=True)
class SchemeMonth:
    """One scheme in one reported term month: the counts a SchemeFigures row carries."""

    scheme: str
    month: date
    baseline_activity: int
    actual_activity: int
    provision_activity: int


class ActivityPipeline(Protocol):
    def baseline(self, plan: PipelinePlan, by_practice: bool = False) -> list[BaselineCell]: ...

    def actuals(self, plan: PipelinePlan, by_practice: bool = False) -> list[ActualCell]: ...

    def scheme_months(self, plan: PipelinePlan) -> list[SchemeMonth]:
        """Baseline, actual and provision activity per scheme for each term month the store has data for."""
        ...

    def months_with_data(self) -> set[date]: ...


# --- Discover: the service catalogue (adapters/catalogue.py) --------------------------------------------------------


class ServiceCatalogueReader(Protocol):
    def load(self, location: str | None = None) -> ServiceCatalogue:
        """The catalogue at a location, or the one shipped with the package; InvalidInputError with every problem."""
        ...


# --- Incentive schemes: evidence, sign-off, payments and declared interests (adapters/memory, adapters/sql) ---------


@dataclass(frozen=True, slots=True)
class SchemeRecord:
    scheme_id: str
    commissioner_id: int
    federation_id: int
    content: str  # the scheme file's text, as registered
    created_by: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class EvidenceRecord:
    id: int
    scheme_id: str
    stage_id: str
    condition_id: str
    practice_code: str | None  # None: evidence for every member practice (the federation's own)
    description: str
    submitted_by: int
    submitted_at: datetime


@dataclass(frozen=True, slots=True)
class SignOffRecord:
    id: int
    scheme_id: str
    stage_id: str
    practice_code: str | None  # None: signed off for every member practice
    signed_by: int
    signed_at: datetime
    conflict_flags: tuple[str, ...] = ()  # reasons, when the policy let a flagged sign-off through


@dataclass(frozen=True, slots=True)
class PaymentRecord:
    scheme_id: str
    transaction: Transaction
    approved_by: int
    approved_at: datetime
    conflict_flags: tuple[str, ...] = ()


class IncentiveRecords(Protocol):
    def add_scheme(
        self, scheme_id: str, commissioner_id: int, federation_id: int, content: str, created_by: int, at: datetime
    ) -> SchemeRecord:
        """ConflictError if the scheme id is taken."""
        ...

    def scheme(self, scheme_id: str) -> SchemeRecord:
        """The scheme, or NotFoundError."""
        ...

    def schemes_for(self, organisation_ids: Collection[int]) -> list[SchemeRecord]:
        """Schemes whose commissioner or federation is one of the organisations, by scheme id."""
        ...

    def add_evidence(
        self,
        scheme_id: str,
        stage_id: str,
        condition_id: str,
        practice_code: str | None,
        description: str,
        submitted_by: int,
        at: datetime,
    ) -> EvidenceRecord: ...

    def evidence(self, scheme_id: str) -> list[EvidenceRecord]: ...

    def add_sign_off(
        self,
        scheme_id: str,
        stage_id: str,
        practice_code: str | None,
        signed_by: int,
        at: datetime,
        conflict_flags: tuple[str, ...] = (),
    ) -> SignOffRecord:
        """ConflictError if that stage is signed off for that practice already."""
        ...

    def sign_offs(self, scheme_id: str) -> list[SignOffRecord]: ...

    def add_payment(
        self, scheme_id: str, transaction: Transaction, approved_by: int, at: datetime, conflict_flags: tuple[str, ...]
    ) -> PaymentRecord:
        """Record a balanced payment once: ConflictError if its key was recorded before (even concurrently).

        The key is engines.incentives.payment_key(scheme, stage, practice): one payment per stage and practice.
        """
        ...

    def payments(self, scheme_id: str) -> list[PaymentRecord]: ...

    def add_declaration(self, declaration: Declaration) -> None:
        """Append to the register; a declaration with the same person, organisation, nature and start date as an
        earlier one is an update (for example its end date set) and supersedes it."""
        ...

    def declarations(self) -> list[Declaration]:
        """The register as it stands: the latest of each declaration, in the order they were (last) recorded."""
        ...

    def declaration_history(self) -> list[Declaration]:
        """Every declaration ever recorded, superseded ones included, in recording order."""
        ...


class IncentiveUnitOfWork(Protocol):
    """One transaction over the workspace's organisations, users and audit log, and the incentive records."""

    @property
    def organisations(self) -> Organisations: ...

    @property
    def users(self) -> Users: ...

    @property
    def audit(self) -> AuditLog: ...

    @property
    def incentives(self) -> IncentiveRecords: ...

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc_info: object) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...


class SchemeParser(Protocol):
    def parse(self, text: str, name: str) -> IncentiveScheme:
        """The scheme in YAML/JSON text; InvalidInputError with every problem."""
        ...


# --- Monitor, settle, distribute: monthly actuals, payments on account, distributions, referrals, notifications ---


@dataclass(frozen=True, slots=True)
class ActualsEntry:
    """One practice's activity and costs for one scheme in one month (costs priced by the signed agreement)."""

    scheme: str
    practice: str  # ODS code of the member practice
    month: str  # YYYY-MM
    baseline_activity: int  # historic activity in the same month of the baseline year
    hospital_activity: int
    hub_activity: int  # out-of-hospital activity delivered
    baseline_cost: Money
    hospital_cost: Money
    hub_cost: Money
    source_row: int | None = None

    @property
    def cell(self) -> tuple[str, str, str]:
        return (self.scheme, self.practice, self.month)

    def same_figures(self, other: ActualsEntry) -> bool:
        return _entry_figures(self) == _entry_figures(other)


def _entry_figures(entry: ActualsEntry) -> tuple[object, ...]:
    return (
        entry.cell,
        entry.baseline_activity,
        entry.hospital_activity,
        entry.hub_activity,
        entry.baseline_cost,
        entry.hospital_cost,
        entry.hub_cost,
    )


@dataclass(frozen=True, slots=True)
class MonthlyActual:
    """A stored entry. Rows are never changed: a revision is a new row that supersedes the current one."""

    id: int
    agreement_id: int
    entry: ActualsEntry
    revision: int  # 1 for the first report of the cell
    supersedes_id: int | None
    upload_id: int | None
    recorded_by: int
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class InstalmentRecord:
    due: date
    cumulative_percent: Decimal
    amount: Money
    fixed: bool


@dataclass(frozen=True, slots=True)
class PaymentScheduleRecord:
    id: int
    agreement_id: int
    period: str
    number: int  # 1 for the first schedule of the period, then each redraw
    forecast_share: Money
    as_of: date
    reason: str
    instalments: tuple[InstalmentRecord, ...]
    created_by: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class AccountPayment:
    """A payment on account made at an instalment, posted to the ledger under transaction_key."""

    id: int
    agreement_id: int
    period: str
    due: date
    amount: Money
    transaction_key: str
    paid_by: int
    paid_at: datetime


@dataclass(frozen=True, slots=True)
class DistributionLineRecord:
    recipient: str
    kind: str  # management, project, practice or central
    amount: Money
    fraction: Decimal
    basis: str


@dataclass(frozen=True, slots=True)
class DistributionRecord:
    id: int
    agreement_id: int
    period: str
    settlement_id: int | None
    federation: str
    share: Money
    basis: str  # the policy: top-slice and the mix of bases
    lines: tuple[DistributionLineRecord, ...]
    created_by: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ReferralStatementRecord:
    agreement_id: int
    month: str
    practice: str
    items_out: int
    amount_out: Money
    items_in: int
    amount_in: Money
    net: Money  # positive: the practice receives it; negative: it pays
    transaction_key: str | None


@dataclass(frozen=True, slots=True)
class Notification:
    """A special-cause signal on an SPC chart, raised once: the month is the first month of the signal."""

    id: int
    agreement_id: int
    scheme: str
    practice: str  # "" for the whole scheme
    rule: str
    month: str
    point_type: str
    detected_in: str  # the latest month of the series when the signal was first seen
    created_at: datetime
    read: bool = False  # for the user who asked


class MonthlyActuals(Protocol):
    def record(
        self, agreement_id: int, entry: ActualsEntry, upload_id: int | None, recorded_by: int, recorded_at: datetime
    ) -> MonthlyActual:
        """Append the entry as the cell's current row, superseding the current one if any.

        ConflictError if another writer superseded the same row first (even concurrently).
        """
        ...

    def current(self, agreement_id: int) -> list[MonthlyActual]:
        """The current row of every cell, by scheme, practice and month."""
        ...

    def history(self, agreement_id: int) -> list[MonthlyActual]:
        """Every row, superseded ones included, in the order recorded."""
        ...


class PaymentSchedules(Protocol):
    def add(
        self,
        agreement_id: int,
        period: str,
        forecast_share: Money,
        as_of: date,
        reason: str,
        instalments: tuple[InstalmentRecord, ...],
        created_by: int,
        created_at: datetime,
    ) -> PaymentScheduleRecord:
        """The period's next schedule (number one more than the latest); ConflictError if a concurrent one won."""
        ...

    def latest(self, agreement_id: int, period: str) -> PaymentScheduleRecord | None: ...

    def record_payment(
        self,
        agreement_id: int,
        period: str,
        due: date,
        amount: Money,
        transaction_key: str,
        paid_by: int,
        paid_at: datetime,
    ) -> AccountPayment:
        """ConflictError if the instalment due on that day was paid already."""
        ...

    def payments(self, agreement_id: int, period: str | None = None) -> list[AccountPayment]: ...


class Distributions(Protocol):
    def add(
        self,
        agreement_id: int,
        period: str,
        settlement_id: int | None,
        federation: str,
        share: Money,
        basis: str,
        lines: tuple[DistributionLineRecord, ...],
        created_by: int,
        created_at: datetime,
    ) -> DistributionRecord:
        """ConflictError if the agreement's period was distributed already."""
        ...

    def for_agreement(self, agreement_id: int) -> list[DistributionRecord]: ...


@dataclass(frozen=True, slots=True)
class DistributionTermsRecord:
    """The terms a period's distribution was split by, kept so that an adjustment splits by the same terms."""

    top_slice: Decimal
    mix: tuple[tuple[Basis, Decimal], ...]
    losses: LossHandling
    practices: tuple[PracticeMeasures, ...]  # as given: an activity of 0 is the hub activity in the actuals


class AdjustmentSection(Enum):
    PARTY = "party"  # a party's share of the settlement
    LINE = "line"  # a line of the settlement statement
    RECIPIENT = "recipient"  # a line of the distribution of the federation's share


@dataclass(frozen=True, slots=True)
class AdjustmentLine:
    """One amount of a prior-period adjustment: as posted before it, as it is now, and why."""

    section: AdjustmentSection
    kind: str  # "share"; the statement line's kind; management, project, practice or central
    name: str  # the party id; the statement line's code; the recipient
    scheme: str | None
    party: str | None  # the party a statement line is for
    posted: Money | None  # None: a new line
    now: Money | None  # None: the line is gone
    why: str

    @property
    def difference(self) -> Money:
        return (self.now or Money(0)) - (self.posted or Money(0))


@dataclass(frozen=True, slots=True)
class AdjustmentRecord:
    """A prior-period adjustment posted to the ledger: the difference between a posted period and its actuals now."""

    id: int
    agreement_id: int
    period: str
    number: int  # 1, 2, ... within the period
    settlement_id: int
    distribution_id: int
    statement: dict[str, Any]  # the period's settlement statement as it stands after the adjustment
    reason: str  # the months revised since the period (or its previous adjustment) was posted
    transaction_keys: tuple[str, ...]
    lines: tuple[AdjustmentLine, ...]
    created_by: int
    created_at: datetime

    def section(self, section: AdjustmentSection) -> tuple[AdjustmentLine, ...]:
        return tuple(line for line in self.lines if line.section is section)

    @property
    def distributed(self) -> Money:
        """The change in the federation's share, distributed: the recipients' differences add up to it."""
        return Money(sum(line.difference.pence for line in self.section(AdjustmentSection.RECIPIENT)))


class Adjustments(Protocol):
    """Prior-period adjustments of posted periods, and the distribution terms they split the difference by."""

    def record_terms(self, distribution_id: int, terms: DistributionTermsRecord, at: datetime) -> None:
        """Keep a distribution's terms; ConflictError if they are recorded already."""
        ...

    def terms(self, distribution_id: int) -> DistributionTermsRecord | None:
        """None for a distribution posted before its terms were kept."""
        ...

    def add(
        self,
        agreement_id: int,
        period: str,
        number: int,
        settlement_id: int,
        distribution_id: int,
        statement: dict[str, Any],
        reason: str,
        transaction_keys: tuple[str, ...],
        lines: tuple[AdjustmentLine, ...],
        created_by: int,
        created_at: datetime,
    ) -> AdjustmentRecord:
        """ConflictError if the period has an adjustment with that number already (even concurrently)."""
        ...

    def for_agreement(self, agreement_id: int, period: str | None = None) -> list[AdjustmentRecord]:
        """By period, then number."""
        ...


class Referrals(Protocol):
    def add_items(
        self, agreement_id: int, items: Collection[ReferralItem], upload_id: int | None, by: int, at: datetime
    ) -> int:
        """Append referral items; the number added."""
        ...

    def items(self, agreement_id: int, month: str | None = None) -> list[ReferralItem]: ...

    def add_statements(
        self, agreement_id: int, netting: MonthlyNetting, transaction_key: str | None, by: int, at: datetime
    ) -> list[ReferralStatementRecord]:
        """The month's netted statements, once: ConflictError if the month has statements already."""
        ...

    def statements(self, agreement_id: int, month: str | None = None) -> list[ReferralStatementRecord]: ...


class Notifications(Protocol):
    def add(
        self,
        agreement_id: int,
        scheme: str,
        practice: str,
        rule: str,
        month: str,
        point_type: str,
        detected_in: str,
        created_at: datetime,
    ) -> Notification | None:
        """The new notification, or None if that signal was notified before (even concurrently)."""
        ...

    def for_agreement(self, agreement_id: int, user_id: int) -> list[Notification]:
        """The agreement's notifications, oldest first, each read or unread for that user."""
        ...

    def mark_read(self, notification_id: int, user_id: int, at: datetime) -> None:
        """Idempotent; NotFoundError for an unknown notification."""
        ...

    def mark_all_read(self, agreement_id: int, user_id: int, at: datetime) -> int:
        """Mark every notification of the agreement read for that user; the number that were unread."""
        ...

    def get(self, notification_id: int) -> Notification: ...
