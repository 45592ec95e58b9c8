"""Monthly figures uploaded to an agreement: preview, commit, settle from an upload, and the savings dashboard.

Scoping, audit and the once-only ledger posting stay in WorkspaceService; this service adds the uploaded files'
contents (kept by sha256 behind the UploadContents port) and the figures decoder.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from gainshare.domain.agreement import Agreement
from gainshare.domain.errors import ConflictError, InvalidInputError, NotFoundError
from gainshare.domain.figures import Figures, SchemeFigures
from gainshare.domain.issues import Issue, Source
from gainshare.domain.money import Money
from gainshare.domain.periods import Period
from gainshare.engines.plan import PlanBasis, month_plan
from gainshare.engines.savings import scheme_costs
from gainshare.services.ports import AgreementParser, AgreementVersion, SettlementRecord, Upload, UploadStatus
from gainshare.services.settlements import settle_all
from gainshare.services.workspace import Actor, PostedSettlement, WorkspaceService

K = TypeVar("K")
V = TypeVar("V")


class _Memo(Generic[K, V]):
    """A small thread-safe LRU of results computed from immutable inputs (keyed by their content hashes)."""

    def __init__(self, size: int) -> None:
        self._items: OrderedDict[K, V] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            if key not in self._items:
                return None
            self._items.move_to_end(key)
            return self._items[key]

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._items[key] = value
            while len(self._items) > self._size:
                self._items.popitem(last=False)


class FiguresDecoder(Protocol):
    def decode(self, content: bytes, filename: str) -> Figures:
        """Figures from an uploaded CSV, YAML or JSON file; InvalidInputError naming every bad row and column."""
        ...


class UploadContents(Protocol):
    def put(self, sha256: str, content: bytes) -> None:
        """Keep the bytes under their sha256 (idempotent)."""
        ...

    def get(self, sha256: str) -> bytes:
        """The bytes kept under sha256, or NotFoundError."""
        ...


@dataclass(frozen=True, slots=True)
class UploadPreview:
    filename: str
    sha256: str
    rows: tuple[SchemeFigures, ...]
    issues: tuple[Issue, ...]

    @property
    def ok(self) -> bool:
        return not self.issues


@dataclass(frozen=True, slots=True)
class SettlementOutcome:
    settlement: SettlementRecord
    transaction_keys: tuple[str, ...]
    already_posted: bool


@dataclass(frozen=True, slots=True)
class MonthSavings:
    month: str  # YYYY-MM
    baseline_cost: Money
    actual_cost: Money
    provision_cost: Money
    net_saving: Money
    cumulative_net_saving: Money
    plan: Money | None  # the month's plan (engines.plan: stated per period, else the gain threshold's saving)
    cumulative_plan: Money | None
    plan_basis: PlanBasis = PlanBasis.NONE


@dataclass(frozen=True, slots=True)
class Dashboard:
    agreement_id: int
    version: int | None
    upload_id: int | None
    months: tuple[MonthSavings, ...]


@dataclass(frozen=True)
class FiguresService:
    workspace: WorkspaceService
    decoder: FiguresDecoder
    contents: UploadContents
    parser: AgreementParser
    _months: _Memo[tuple[str, str, str], tuple[MonthSavings, ...]] = field(default_factory=lambda: _Memo(64))

    def preview(self, actor: Actor, agreement_id: int, filename: str, content: bytes) -> UploadPreview:
        """Parsed rows and every problem (row and column), checked against the latest version's schemes."""
        versions = self.workspace.list_versions(actor, agreement_id)
        sha256 = hashlib.sha256(content).hexdigest()
        try:
            figures = self.decoder.decode(content, filename)
        except InvalidInputError as error:
            return UploadPreview(filename, sha256, (), tuple(error.issues))
        agreement = self._terms(versions[-1])
        return UploadPreview(filename, sha256, figures.rows, tuple(_scheme_issues(agreement, figures, filename)))

    def commit(self, actor: Actor, agreement_id: int, filename: str, content: bytes) -> Upload:
        """Keep a clean upload and record it (audited); InvalidInputError and nothing kept when it has problems."""
        self.workspace.require_editable(actor, agreement_id)
        preview = self.preview(actor, agreement_id, filename, content)
        if not preview.ok:
            raise InvalidInputError(list(preview.issues))
        self.contents.put(preview.sha256, content)
        return self.workspace.record_upload(
            actor, agreement_id, filename, preview.sha256, len(preview.rows), UploadStatus.ACCEPTED
        )

    def compute(self, actor: Actor, agreement_id: int, number: int, period: str, upload_id: int) -> dict[str, Any]:
        """The statement a settlement would post, without posting anything."""
        version = self.workspace.get_version(actor, agreement_id, number)
        figures = self._figures(actor, agreement_id, upload_id)
        terms = self._terms(version)
        settlement = settle_all(terms, figures, period).settlements[0]
        return self.workspace.statements(settlement)

    def post(self, actor: Actor, agreement_id: int, number: int, period: str, upload_id: int) -> SettlementOutcome:
        """Post the period once. Posting the same version, period and upload again answers the first posting."""
        figures = self._figures(actor, agreement_id, upload_id)
        try:
            posted: PostedSettlement = self.workspace.post_settlement(
                actor, agreement_id, number, figures, period, upload_id
            )
        except ConflictError:
            earlier = self._same_posting(actor, agreement_id, number, period, upload_id)
            if earlier is None:
                raise
            return SettlementOutcome(earlier, (), already_posted=True)
        keys = tuple(transaction.key for transaction in posted.transactions)
        return SettlementOutcome(posted.settlement, keys, already_posted=False)

    def statement(self, actor: Actor, agreement_id: int, settlement_id: int) -> SettlementRecord:
        for record in self.workspace.list_settlements(actor, agreement_id):
            if record.id == settlement_id:
                return record
        raise NotFoundError(f"agreement {agreement_id} has no settlement {settlement_id}")

    def dashboard(self, actor: Actor, agreement_id: int) -> Dashboard:
        """Net saving per month to date (latest accepted upload, priced by the newest signed version, else the
        latest version) against plan (engines.plan: stated, else the gain threshold's saving)."""
        versions = self.workspace.list_versions(actor, agreement_id)
        uploads = [u for u in self.workspace.list_uploads(actor, agreement_id) if u.status is UploadStatus.ACCEPTED]
        signed = [v for v in versions if v.status.value == "signed"]
        version = (signed or versions)[-1]
        if not uploads:
            return Dashboard(agreement_id, version.number, None, ())
        upload = uploads[-1]
        key = (version.content_sha256, upload.sha256, upload.filename)
        months = self._months.get(key)
        if months is None:
            figures = self.decoder.decode(self.contents.get(upload.sha256), upload.filename)
            months = tuple(monthly_savings(self._terms(version), figures.rows))
            self._months.put(key, months)
        return Dashboard(agreement_id, version.number, upload.id, months)

    def _figures(self, actor: Actor, agreement_id: int, upload_id: int) -> Figures:
        upload = self.workspace.get_upload(actor, agreement_id, upload_id)
        if upload.status is not UploadStatus.ACCEPTED:
            raise ConflictError(f"upload {upload_id} is {upload.status.value}: only an accepted upload is settled")
        return self.decoder.decode(self.contents.get(upload.sha256), upload.filename)

    def _terms(self, version: AgreementVersion) -> Agreement:
        return self.parser.parse(version.content, f"agreement {version.agreement_id} version {version.number}")

    def _same_posting(
        self, actor: Actor, agreement_id: int, number: int, period: str, upload_id: int
    ) -> SettlementRecord | None:
        version = self.workspace.get_version(actor, agreement_id, number)
        for record in self.workspace.list_settlements(actor, agreement_id):
            if record.period == period and record.version_id == version.id and record.upload_id == upload_id:
                return record
        return None


def _scheme_issues(agreement: Agreement, figures: Figures, filename: str) -> Iterable[Issue]:
    known = {scheme.id for scheme in agreement.schemes}
    for row in figures.rows:
        if row.scheme not in known:
            message = f"the agreement has no scheme {row.scheme!r}; its schemes are {', '.join(sorted(known))}"
            yield Issue("figures.scheme", message, Source(file=filename, row=row.source_row, column="scheme"))


def monthly_savings(agreement: Agreement, rows: Iterable[SchemeFigures]) -> list[MonthSavings]:
    """Each month's costs and net saving (setup funding excluded: it is paid per settlement period), cumulated."""
    by_month: dict[Period, list[SchemeFigures]] = defaultdict(list)
    for row in rows:
        if row.span.start.month == row.span.end.month and row.span.start.year == row.span.end.year:
            by_month[row.span].append(row)
    mode = agreement.sharing.rounding
    result: list[MonthSavings] = []
    cumulative, cumulative_plan = Money(0), Money(0)
    for span in sorted(by_month, key=lambda period: period.start):
        costs = scheme_costs(agreement, span, by_month[span], mode)
        baseline = sum((c.baseline for c in costs), Money(0))
        actual = sum((c.actual for c in costs), Money(0))
        provision = sum((c.provision for c in costs), Money(0))
        net = baseline - actual - provision
        cumulative = cumulative + net
        plan = month_plan(agreement, span, baseline)
        cumulative_plan = cumulative_plan + (plan.amount or Money(0))
        label = f"{span.start.year:04d}-{span.start.month:02d}"
        plan_total = cumulative_plan if plan.amount is not None else None
        result.append(
            MonthSavings(label, baseline, actual, provision, net, cumulative, plan.amount, plan_total, plan.basis)
        )
    return result
