"""Monitor: monthly actuals per scheme, practice and month against plan and baseline, SPC charts with the change
point at the scheme start, special-cause notifications (once per signal), the year-end forecast and payments on
account.

Every use case runs in one unit of work, scoped to the acting user's organisations (services.access), and every
change writes an audit entry in the same transaction. Money is integer pence throughout.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from gainshare.domain.agreement import Agreement
from gainshare.domain.errors import ConflictError, InvalidInputError, NotFoundError
from gainshare.domain.figures import Figures, PeriodFacts, SchemeFigures
from gainshare.domain.forecast import ForecastMethod, OutturnForecast
from gainshare.domain.issues import Issue, Source
from gainshare.domain.ledger import transfer
from gainshare.domain.money import Money, total
from gainshare.domain.monitoring import ImprovementDirection, Observation, SpcChart, SpcOptions, SpcPoint
from gainshare.domain.parties import PartyRole
from gainshare.domain.payments import InstalmentDue, PaymentSchedule, ScheduleRevision
from gainshare.domain.periods import Period, add_months, month_period, parse_period_label
from gainshare.domain.settlement import Settlement
from gainshare.engines.forecast import forecast_outturn
from gainshare.engines.payments import payment_schedule, revise_schedule
from gainshare.engines.plan import MonthPlan, PlanBasis, month_plan, practice_plans
from gainshare.engines.rounding import round_pence
from gainshare.engines.savings import scheme_costs
from gainshare.engines.settlement import settle_periods
from gainshare.engines.sharing import share
from gainshare.engines.spc import xmr_chart
from gainshare.services.access import access, editable, readable, user_id
from gainshare.services.ports import (
    AccountPayment,
    ActualsEntry,
    AgreementParser,
    InstalmentRecord,
    Notification,
    PaymentScheduleRecord,
    UnitOfWork,
    Upload,
    UploadStatus,
    VersionStatus,
)
from gainshare.services.workspace import Actor

ALL_PRACTICES = ""  # the practice of a scheme-level chart or notification


@dataclass(frozen=True, slots=True)
class ActualsRow:
    """A decoded row of a monthly actuals file: counts only (the agreement prices them)."""

    scheme: str
    practice: str
    month: str
    baseline_activity: int
    hospital_activity: int
    hub_activity: int
    source_row: int | None = None


class ActualsDecoder(Protocol):
    def decode(self, content: bytes, filename: str) -> list[ActualsRow]:
        """Rows of a monthly actuals file; InvalidInputError naming every bad row and column."""
        ...


@dataclass(frozen=True, slots=True)
class Revision:
    before: ActualsEntry
    after: ActualsEntry


@dataclass(frozen=True, slots=True)
class ActualsUpload:
    upload: Upload
    added: int
    revisions: tuple[Revision, ...]
    unchanged: int
    notifications: tuple[Notification, ...]
    before: tuple[ActualsEntry, ...]  # the current entries before this upload
    after: tuple[ActualsEntry, ...]  # and after it


@dataclass(frozen=True, slots=True)
class ActualsPreview:
    """What an upload would do, nothing saved: its priced rows, or every problem by row and column."""

    filename: str
    rows: tuple[ActualsEntry, ...]
    issues: tuple[Issue, ...]
    added: int
    revisions: tuple[Revision, ...]
    unchanged: int

    @property
    def ok(self) -> bool:
        return not self.issues


@dataclass(frozen=True, slots=True)
class InboxItem:
    """A notification with the agreement it belongs to, for the user's list across agreements."""

    agreement_id: int
    agreement_title: str
    notification: Notification


@dataclass(frozen=True, slots=True)
class PerformanceRow:
    """One scheme (one practice, or all of them) in one month: actual against baseline and plan."""

    scheme: str
    practice: str  # "" for all practices
    month: str
    baseline_activity: int
    hospital_activity: int
    hub_activity: int
    baseline_cost: Money
    hospital_cost: Money
    hub_cost: Money
    plan_saving: Money | None  # the month's plan (engines.plan); None without a stated plan or a % threshold
    plan_basis: PlanBasis = PlanBasis.NONE

    @property
    def net_saving(self) -> Money:
        return self.baseline_cost - self.hospital_cost - self.hub_cost

    @property
    def variance(self) -> Money | None:
        return None if self.plan_saving is None else self.net_saving - self.plan_saving


@dataclass(frozen=True, slots=True)
class Signal:
    scheme: str
    practice: str
    rule: str
    month: str  # the first month of the run of points the rule marks
    point_type: str


@dataclass(frozen=True, slots=True)
class PeriodForecast:
    period: str
    net_saving: OutturnForecast
    baseline: OutturnForecast
    setup: Money
    provider_share: Money  # the provider side's share of the forecast outturn under the sharing rules


@dataclass(frozen=True, slots=True)
class ScheduleDraw:
    record: PaymentScheduleRecord
    forecast: PeriodForecast
    revision: ScheduleRevision | None  # None for the first schedule of the period


@dataclass(frozen=True, slots=True)
class PaymentOutcome:
    payment: AccountPayment
    already_paid: bool


@dataclass(frozen=True)
class MonitoringService:
    units: Callable[[], UnitOfWork]
    parser: AgreementParser
    decoder: ActualsDecoder
    clock: Callable[[], datetime]

    # --- actuals ------------------------------------------------------------------------------------------

    def upload_actuals(self, actor: Actor, agreement_id: int, filename: str, content: bytes) -> ActualsUpload:
        """Record a month's (or several months') actuals: all rows or, when any row is bad, nothing.

        A row for a cell already reported with other figures is a revision: a new row supersedes the old one,
        which is kept. New special-cause signals on the affected charts become notifications, once each.
        """
        rows = self.decoder.decode(content, filename)
        with self.units() as uow:
            record = editable(uow, actor, agreement_id)
            terms = signed_terms(uow, self.parser, agreement_id)
            practices = member_practices(uow, record.provider_id, terms)
            issues = check_rows(terms, rows, practices, filename)
            if issues:
                raise InvalidInputError(issues)
            entries = price_rows(terms, rows)
            before = {actual.entry.cell: actual.entry for actual in uow.actuals.current(agreement_id)}
            upload = uow.uploads.add(
                agreement_id,
                filename,
                hashlib.sha256(content).hexdigest(),
                len(entries),
                UploadStatus.ACCEPTED,
                user_id(actor),
                self.clock(),
            )
            changed = [entry for entry in entries if not _same(before.get(entry.cell), entry)]
            for entry in changed:
                uow.actuals.record(agreement_id, entry, upload.id, user_id(actor), self.clock())
            revisions = tuple(Revision(before[e.cell], e) for e in changed if e.cell in before)
            self._audit_upload(uow, actor, agreement_id, upload, len(changed) - len(revisions), revisions)
            after = [actual.entry for actual in uow.actuals.current(agreement_id)]
            notifications = self._notify(uow, actor, agreement_id, terms, after, changed)
            uow.commit()
        unchanged = len(entries) - len(changed)
        return ActualsUpload(
            upload,
            len(changed) - len(revisions),
            revisions,
            unchanged,
            notifications,
            tuple(before.values()),
            tuple(after),
        )

    def preview_actuals(self, actor: Actor, agreement_id: int, filename: str, content: bytes) -> ActualsPreview:
        """The rows priced and compared with the current actuals (new, revised, unchanged), or every problem by
        row and column; nothing is saved."""
        try:
            rows = self.decoder.decode(content, filename)
        except InvalidInputError as error:
            return ActualsPreview(filename, (), tuple(error.issues), 0, (), 0)
        with self.units() as uow:
            record = readable(uow, actor, agreement_id)
            terms = signed_terms(uow, self.parser, agreement_id)
            issues = check_rows(terms, rows, member_practices(uow, record.provider_id, terms), filename)
            before = {actual.entry.cell: actual.entry for actual in uow.actuals.current(agreement_id)}
        if issues:
            return ActualsPreview(filename, (), tuple(issues), 0, (), 0)
        entries = price_rows(terms, rows)
        changed = [entry for entry in entries if not _same(before.get(entry.cell), entry)]
        revisions = tuple(Revision(before[e.cell], e) for e in changed if e.cell in before)
        added = len(changed) - len(revisions)
        return ActualsPreview(filename, tuple(entries), (), added, revisions, len(entries) - len(changed))

    def terms(self, actor: Actor, agreement_id: int) -> Agreement:
        """The terms of the newest signed version: what the actuals are priced and tracked by."""
        return self._read(actor, agreement_id)[0]

    def actuals(self, actor: Actor, agreement_id: int) -> list[ActualsEntry]:
        with self.units() as uow:
            readable(uow, actor, agreement_id)
            return [actual.entry for actual in uow.actuals.current(agreement_id)]

    def performance(self, actor: Actor, agreement_id: int) -> list[PerformanceRow]:
        """Actual against baseline and plan per scheme, per practice and for all practices, per month."""
        terms, entries = self._read(actor, agreement_id)
        return performance(terms, entries)

    def spc(self, actor: Actor, agreement_id: int, scheme: str, practice: str | None = None) -> SpcChart:
        terms, entries = self._read(actor, agreement_id)
        return spc_chart(terms, entries, scheme, practice or ALL_PRACTICES)

    def forecast(
        self, actor: Actor, agreement_id: int, period: str, method: ForecastMethod = ForecastMethod.LINEAR_TREND
    ) -> PeriodForecast:
        terms, entries = self._read(actor, agreement_id)
        return forecast_period(terms, entries, period, method)

    # --- notifications ------------------------------------------------------------------------------------

    def notifications(self, actor: Actor, agreement_id: int) -> list[Notification]:
        with self.units() as uow:
            readable(uow, actor, agreement_id)
            return uow.notifications.for_agreement(agreement_id, user_id(actor))

    def inbox(self, actor: Actor) -> list[InboxItem]:
        """The notifications of every agreement the user reads: unread first, scheme-wide before practices',
        newest first."""
        with self.units() as uow:
            found = access(uow, actor)
            items = [
                InboxItem(agreement.id, agreement.title, notification)
                for agreement in uow.agreements.for_organisations(found.readable)
                for notification in uow.notifications.for_agreement(agreement.id, found.user_id)
            ]
        return sorted(
            items, key=lambda item: (item.notification.read, item.notification.practice != "", -item.notification.id)
        )

    def mark_read(self, actor: Actor, agreement_id: int, notification_id: int) -> None:
        with self.units() as uow:
            readable(uow, actor, agreement_id)
            if uow.notifications.get(notification_id).agreement_id != agreement_id:
                raise NotFoundError(f"agreement {agreement_id} has no notification {notification_id}")
            uow.notifications.mark_read(notification_id, user_id(actor), self.clock())
            uow.commit()

    def mark_all_read(self, actor: Actor, agreement_id: int) -> int:
        """Mark every notification of the agreement read for the acting user; how many were unread."""
        with self.units() as uow:
            readable(uow, actor, agreement_id)
            marked = uow.notifications.mark_all_read(agreement_id, user_id(actor), self.clock())
            uow.commit()
        return marked

    # --- payments on account ------------------------------------------------------------------------------

    def draw_schedule(
        self,
        actor: Actor,
        agreement_id: int,
        period: str,
        as_of: date,
        reason: str,
        method: ForecastMethod = ForecastMethod.LINEAR_TREND,
    ) -> ScheduleDraw:
        """Draw (or redraw, keeping instalments due before as_of) the period's schedule from today's forecast."""
        with self.units() as uow:
            editable(uow, actor, agreement_id)
            terms = signed_terms(uow, self.parser, agreement_id)
            if terms.payments_on_account is None:
                raise ConflictError("the agreement makes no payments on account")
            forecast = forecast_period(terms, [a.entry for a in uow.actuals.current(agreement_id)], period, method)
            previous = uow.schedules.latest(agreement_id, period)
            mode = terms.sharing.rounding
            revision: ScheduleRevision | None = None
            if previous is None:
                schedule = payment_schedule(terms.payments_on_account, forecast.provider_share, mode)
            else:
                old = _as_schedule(previous, terms.payments_on_account.clause)
                revision = revise_schedule(old, terms.payments_on_account, forecast.provider_share, as_of, reason, mode)
                schedule = revision.schedule
            instalments = tuple(
                InstalmentRecord(item.due, item.cumulative_percent, item.amount, item.fixed)
                for item in schedule.instalments
            )
            record = uow.schedules.add(
                agreement_id, period, forecast.provider_share, as_of, reason, instalments, user_id(actor), self.clock()
            )
            details: dict[str, Any] = {"period": period, "number": record.number, "reason": reason}
            details["forecast_share_pence"] = forecast.provider_share.pence
            if revision is not None:
                details["changes"] = [
                    {"due": c.due.isoformat(), "before_pence": c.before.pence, "after_pence": c.after.pence}
                    for c in revision.changes
                ]
            self._audit(
                uow, actor, "schedule.drawn", f"agreement/{agreement_id}/schedule/{record.id}", agreement_id, details
            )
            uow.commit()
        return ScheduleDraw(record, forecast, revision)

    def schedule(self, actor: Actor, agreement_id: int, period: str) -> PaymentScheduleRecord | None:
        with self.units() as uow:
            readable(uow, actor, agreement_id)
            return uow.schedules.latest(agreement_id, period)

    def payments(self, actor: Actor, agreement_id: int, period: str) -> list[AccountPayment]:
        """Payments on account made in the period, in the order paid."""
        with self.units() as uow:
            readable(uow, actor, agreement_id)
            return uow.schedules.payments(agreement_id, period)

    def pay_instalment(self, actor: Actor, agreement_id: int, period: str, due: date) -> PaymentOutcome:
        """Pay the instalment due on a day of the latest schedule and post it to the ledger, once."""
        key = f"agreement/{agreement_id}/period/{period}/on-account/{due.isoformat()}"
        try:
            return PaymentOutcome(self._pay(actor, agreement_id, period, due, key), already_paid=False)
        except ConflictError:
            with self.units() as uow:
                readable(uow, actor, agreement_id)
                for payment in uow.schedules.payments(agreement_id, period):
                    if payment.transaction_key == key:
                        return PaymentOutcome(payment, already_paid=True)
            raise

    def _pay(self, actor: Actor, agreement_id: int, period: str, due: date, key: str) -> AccountPayment:
        with self.units() as uow:
            editable(uow, actor, agreement_id)
            terms = signed_terms(uow, self.parser, agreement_id)
            schedule = uow.schedules.latest(agreement_id, period)
            if schedule is None:
                raise ConflictError(f"draw the payment schedule of {period} before paying on account")
            amount = next((item.amount for item in schedule.instalments if item.due == due), None)
            if amount is None:
                raise NotFoundError(f"the schedule of {period} has no instalment due on {due}")
            commissioner, provider = party_ids(terms)
            transaction = transfer(
                key,
                f"Payment on account {period}, instalment due {due}",
                f"{commissioner}:payments-on-account",
                f"{provider}:paid-on-account",
                amount,
            )
            now = self.clock()
            uow.ledger.post(transaction, agreement_id, None, user_id(actor), now)
            payment = uow.schedules.record_payment(agreement_id, period, due, amount, key, user_id(actor), now)
            details = {"period": period, "due": due.isoformat(), "amount_pence": amount.pence, "key": key}
            self._audit(uow, actor, "payment_on_account.posted", f"payment/{payment.id}", agreement_id, details)
            uow.commit()
        return payment

    # --- helpers ------------------------------------------------------------------------------------------

    def _read(self, actor: Actor, agreement_id: int) -> tuple[Agreement, list[ActualsEntry]]:
        with self.units() as uow:
            readable(uow, actor, agreement_id)
            terms = signed_terms(uow, self.parser, agreement_id)
            return terms, [actual.entry for actual in uow.actuals.current(agreement_id)]

    def _notify(
        self,
        uow: UnitOfWork,
        actor: Actor,
        agreement_id: int,
        terms: Agreement,
        entries: list[ActualsEntry],
        changed: list[ActualsEntry],
    ) -> tuple[Notification, ...]:
        charts = sorted({(e.scheme, e.practice) for e in changed} | {(e.scheme, ALL_PRACTICES) for e in changed})
        months = {entry.month for entry in changed}
        earlier = uow.notifications.for_agreement(agreement_id, user_id(actor))
        made: list[Notification] = []
        for scheme, practice in charts:
            chart = spc_chart(terms, entries, scheme, practice)
            notified = {(n.rule, n.month) for n in earlier if (n.scheme, n.practice) == (scheme, practice)}
            for signal in chart_signals(chart, scheme, practice, months, notified):
                notification = uow.notifications.add(
                    agreement_id,
                    signal.scheme,
                    signal.practice,
                    signal.rule,
                    signal.month,
                    signal.point_type,
                    chart.points[-1].label,
                    self.clock(),
                )
                if notification is not None:
                    made.append(notification)
                    details = {"scheme": scheme, "practice": practice, "rule": signal.rule, "month": signal.month}
                    self._audit(
                        uow, actor, "notification.created", f"notification/{notification.id}", agreement_id, details
                    )
        return tuple(made)

    def _audit_upload(
        self,
        uow: UnitOfWork,
        actor: Actor,
        agreement_id: int,
        upload: Upload,
        added: int,
        revisions: tuple[Revision, ...],
    ) -> None:
        details: dict[str, Any] = {"filename": upload.filename, "sha256": upload.sha256, "rows": upload.row_count}
        details["added"] = added
        self._audit(uow, actor, "actuals.uploaded", f"upload/{upload.id}", agreement_id, details)
        if revisions:
            moved = [_revision_details(revision) for revision in revisions]
            self._audit(uow, actor, "actuals.revised", f"upload/{upload.id}", agreement_id, {"revisions": moved})

    def _audit(
        self, uow: UnitOfWork, actor: Actor, action: str, entity: str, agreement_id: int, details: dict[str, Any]
    ) -> None:
        uow.audit.append(actor.user_id, self.clock(), action, entity, details, agreement_id)


# --- pure helpers, shared with the CLI (which works from files, without a database) ----------------------------


def signed_terms(uow: UnitOfWork, parser: AgreementParser, agreement_id: int) -> Agreement:
    """The terms of the agreement's newest signed version; ConflictError when none is signed."""
    signed = [v for v in uow.agreements.versions(agreement_id) if v.status is VersionStatus.SIGNED]
    if not signed:
        raise ConflictError(f"agreement {agreement_id} has no signed version: actuals are priced by signed terms")
    version = signed[-1]
    return parser.parse(version.content, f"agreement {agreement_id} version {version.number}")


def member_practices(uow: UnitOfWork, provider_id: int, terms: Agreement) -> set[str]:
    """ODS codes of the provider's member practices: its child organisations and the agreement's practices."""
    codes = {org.ods_code for org in uow.organisations.all() if org.parent_id == provider_id}
    return codes | {p.ods_code for p in terms.parties_with_role(PartyRole.PRACTICE) if p.ods_code}


def party_ids(terms: Agreement) -> tuple[str, str]:
    """The first commissioner's and the first provider's party ids."""
    return (
        terms.parties_with_role(PartyRole.COMMISSIONER)[0].id,
        terms.parties_with_role(PartyRole.PROVIDER)[0].id,
    )


def check_rows(agreement: Agreement, rows: Sequence[ActualsRow], practices: set[str], filename: str) -> list[Issue]:
    """Every problem with decoded rows against the agreement: scheme, practice, month in the term, duplicates."""
    schemes = {scheme.id for scheme in agreement.schemes}
    seen: dict[tuple[str, str, str], int | None] = {}
    issues: list[Issue] = []
    for row in rows:
        where = Source(file=filename, row=row.source_row)
        if row.scheme not in schemes:
            text = f"the agreement has no scheme {row.scheme!r}; its schemes are {', '.join(sorted(schemes))}"
            issues.append(Issue("actuals.scheme", text, where).at(column="scheme"))
        if practices and row.practice not in practices:
            text = f"{row.practice} is not a member practice of the federation"
            issues.append(Issue("actuals.practice", text, where).at(column="practice"))
        span = parse_period_label(row.month)
        if span is None or not agreement.term_start <= span.start <= agreement.term_end:
            text = (
                f"{row.month} is not a month of the agreement's term ({agreement.term_start} to {agreement.term_end})"
            )
            issues.append(Issue("actuals.month", text, where).at(column="month"))
        cell = (row.scheme, row.practice, row.month)
        if cell in seen:
            text = f"{row.scheme} {row.practice} {row.month} appears again (first on row {seen[cell]})"
            issues.append(Issue("actuals.duplicate", text, where))
        seen.setdefault(cell, row.source_row)
    return issues


def price_rows(agreement: Agreement, rows: Iterable[ActualsRow]) -> list[ActualsEntry]:
    """Each row's baseline, hospital and hub costs at the agreement's prices, rounded once per cost."""
    entries: list[ActualsEntry] = []
    for row in rows:
        span = _month(row.month)
        figures = SchemeFigures(
            row.scheme, span, Decimal(row.baseline_activity), Decimal(row.hospital_activity), Decimal(row.hub_activity)
        )
        costs = scheme_costs(agreement, span, [figures], agreement.sharing.rounding)[0]
        entries.append(
            ActualsEntry(
                row.scheme,
                row.practice,
                row.month,
                row.baseline_activity,
                row.hospital_activity,
                row.hub_activity,
                costs.baseline,
                costs.actual,
                costs.provision,
                row.source_row,
            )
        )
    return entries


def to_figures(
    entries: Iterable[ActualsEntry], period_id: str | None = None, paid_on_account: tuple[tuple[str, Money], ...] = ()
) -> Figures:
    """Settlement figures: activity per scheme and month, summed over practices (the agreement prices them), and
    what was paid on account in the period."""
    sums: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for entry in entries:
        cell = sums[(entry.scheme, entry.month)]
        cell[0] += entry.baseline_activity
        cell[1] += entry.hospital_activity
        cell[2] += entry.hub_activity
    rows = tuple(
        SchemeFigures(scheme, _month(month), Decimal(base), Decimal(hospital), Decimal(hub))
        for (scheme, month), (base, hospital, hub) in sorted(sums.items())
    )
    facts = {period_id: PeriodFacts(paid_on_account=paid_on_account)} if period_id and paid_on_account else {}
    return Figures(rows, facts, "monthly actuals")


def performance(agreement: Agreement, entries: Sequence[ActualsEntry]) -> list[PerformanceRow]:
    """Per scheme and month, all practices and each practice: activity, costs and the plan (engines.plan: the
    period's stated plan spread evenly by month and shared between practices by baseline cost, or the gain
    threshold's saving when no plan is stated)."""
    groups: dict[tuple[str, str, str], list[ActualsEntry]] = defaultdict(list)
    for entry in entries:
        groups[(entry.scheme, entry.practice, entry.month)].append(entry)
        groups[(entry.scheme, ALL_PRACTICES, entry.month)].append(entry)
    plans: dict[tuple[str, str, str], MonthPlan] = {}
    for (scheme, practice, month), found in groups.items():
        if practice == ALL_PRACTICES:
            baseline = total([e.baseline_cost for e in found])
            scheme_plan = month_plan(agreement, _month(month), baseline, scheme)
            plans[(scheme, practice, month)] = scheme_plan
            baselines = {e.practice: e.baseline_cost for e in found}
            for code, amount in practice_plans(scheme_plan, baselines, agreement).items():
                plans[(scheme, code, month)] = MonthPlan(amount, scheme_plan.basis)
    result: list[PerformanceRow] = []
    for key, found in sorted(groups.items()):
        scheme, practice, month = key
        plan = plans[key]
        result.append(
            PerformanceRow(
                scheme,
                practice,
                month,
                sum(e.baseline_activity for e in found),
                sum(e.hospital_activity for e in found),
                sum(e.hub_activity for e in found),
                total([e.baseline_cost for e in found]),
                total([e.hospital_cost for e in found]),
                total([e.hub_cost for e in found]),
                plan.amount,
                plan.basis,
            )
        )
    return result


def spc_series(
    agreement: Agreement, entries: Iterable[ActualsEntry], scheme: str, practice: str = ALL_PRACTICES
) -> tuple[list[Observation], str | None]:
    """Hospital activity by month: the baseline year's months (from the first term year's baseline activity),
    then the term's; and the label of the first term month (the change point), None without baseline months."""
    term: dict[str, int] = defaultdict(int)
    history: dict[str, int] = defaultdict(int)
    for entry in entries:
        if entry.scheme != scheme or practice not in (ALL_PRACTICES, entry.practice):
            continue
        term[entry.month] += entry.hospital_activity
        if agreement.term_year(_month(entry.month).start) == 1:
            history[_label(add_months(_month(entry.month).start, -12))] += entry.baseline_activity
    before = [Observation(label, Decimal(history[label])) for label in sorted(history)]
    after = [Observation(label, Decimal(term[label])) for label in sorted(term)]
    return [*before, *after], (after[0].label if before and after else None)


def spc_chart(
    agreement: Agreement,
    entries: Iterable[ActualsEntry],
    scheme: str,
    practice: str = ALL_PRACTICES,
    change_point: str | None = None,
) -> SpcChart:
    """The XmR chart of hospital activity (lower is better), rebased at the scheme start unless told otherwise."""
    series, start = spc_series(agreement, entries, scheme, practice)
    if not series:
        where = Source(clause=f"schemes.{scheme}")
        raise InvalidInputError([Issue("spc.empty", f"no actuals for {scheme} {practice or 'in total'}", where)])
    points = (change_point,) if change_point else ((start,) if start else ())
    return xmr_chart(series, SpcOptions(improvement=ImprovementDirection.DECREASE, change_points=points))


def chart_signals(
    chart: SpcChart,
    scheme: str,
    practice: str,
    touched: Collection[str] | None = None,
    notified: Collection[tuple[str, str]] = (),
) -> list[Signal]:
    """New special-cause signals in the chart's last segment: one per run of consecutive points marked by the same
    rule, reported at its first month among `touched` (every month when None), unless a month of the run was
    notified under that rule before (`notified`: (rule, month) pairs)."""
    last = len(chart.segments) - 1
    runs: list[list[SpcPoint]] = []
    previous: tuple[int, object, int] | None = None  # index, rule and direction of the last marked point
    for index, point in enumerate(chart.points):
        if point.segment != last or point.rule is None:
            continue
        if previous == (index - 1, point.rule, point.direction):
            runs[-1].append(point)
        else:
            runs.append([point])
        previous = (index, point.rule, point.direction)
    signals: list[Signal] = []
    for run in runs:
        rule = run[0].rule.value if run[0].rule else ""
        if any((rule, point.label) in notified for point in run):
            continue
        fresh = [point for point in run if touched is None or point.label in touched]
        if fresh:
            signals.append(Signal(scheme, practice, rule, fresh[0].label, fresh[0].point_type.value))
    return signals


def forecast_period(
    agreement: Agreement, entries: Iterable[ActualsEntry], period_id: str, method: ForecastMethod
) -> PeriodForecast:
    """The period's outturn: net saving and baseline by month to date, forecast to the end of the period, and the
    provider side's share of it under the sharing rules (set-up funding of the period deducted)."""
    period = _settlement_period(agreement, period_id)
    months = _months(period)
    net: dict[str, Money] = defaultdict(Money.zero)
    baseline: dict[str, Money] = defaultdict(Money.zero)
    in_period = [entry for entry in entries if entry.month in months]
    for entry in in_period:
        net[entry.month] += entry.baseline_cost - entry.hospital_cost - entry.hub_cost
        baseline[entry.month] += entry.baseline_cost
    observed = months[: len(net)]
    if sorted(net) != observed:
        missing = [month for month in observed if month not in net]
        text = f"actuals are missing for {', '.join(missing)}: a forecast needs every month from the period start"
        raise InvalidInputError([Issue("forecast.months", text, Source(clause=period_id))])
    setup = total(
        [s.setup_funding.amount for s in agreement.schemes if s.setup_funding and s.setup_funding.period == period.id]
    )
    settled = _settled_to_date(agreement, in_period, period.id) if observed else None
    net_forecast = forecast_outturn([net[m] for m in observed], len(months), method)
    baseline_forecast = forecast_outturn([baseline[m] for m in observed], len(months), method)
    if settled is not None:  # to date exactly as the statement will settle it (rounded once per line, not per row)
        net_forecast = _anchored(net_forecast, settled.net_saving + setup)
        baseline_forecast = _anchored(baseline_forecast, settled.baseline_cost)
    saving = net_forecast.outturn - setup
    outcome = share(agreement.sharing, saving.pence, baseline_forecast.outturn.pence, PeriodFacts())
    provider = Money(round_pence(outcome.provider_exact, agreement.sharing.rounding))
    return PeriodForecast(period.id, net_forecast, baseline_forecast, setup, provider)


def _settled_to_date(agreement: Agreement, entries: list[ActualsEntry], period_id: str) -> Settlement:
    """The period settled on the months reported so far."""
    return settle_periods(agreement, to_figures(entries), [period_id])[0]


def _anchored(forecast: OutturnForecast, to_date: Money) -> OutturnForecast:
    """The forecast moved so that its actual to date is `to_date` (the months' own sum differs by rounding)."""
    moved = to_date - forecast.to_date
    return replace(
        forecast,
        to_date=to_date,
        outturn=forecast.outturn + moved,
        lower=forecast.lower + moved,
        upper=forecast.upper + moved,
    )


def _settlement_period(agreement: Agreement, period_id: str) -> Period:
    try:
        return agreement.period(period_id)
    except KeyError:
        known = ", ".join(period.id for period in agreement.periods())
        text = f"{period_id!r} is not a settlement period of this agreement; its periods are {known}"
        raise InvalidInputError([Issue("period.unknown", text, Source(clause="term"))]) from None


def _months(period: Period) -> list[str]:
    months: list[str] = []
    cursor = period.start
    while cursor <= period.end:
        months.append(_label(cursor))
        cursor = add_months(cursor, 1)
    return months


def _as_schedule(record: PaymentScheduleRecord, clause: str) -> PaymentSchedule:
    """A stored schedule in the engine's shape (only dues and amounts matter for a revision)."""
    rows = tuple(
        InstalmentDue(item.due, item.cumulative_percent, Money(0), Money(0), item.amount, item.fixed, "")
        for item in record.instalments
    )
    return PaymentSchedule(clause, record.forecast_share, rows)


def _same(before: ActualsEntry | None, after: ActualsEntry) -> bool:
    return before is not None and before.same_figures(after)


def _revision_details(revision: Revision) -> dict[str, Any]:
    old, new = revision.before, revision.after
    fields = ("baseline_activity", "hospital_activity", "hub_activity")
    moved = {
        name: [getattr(old, name), getattr(new, name)] for name in fields if getattr(old, name) != getattr(new, name)
    }
    return {"scheme": new.scheme, "practice": new.practice, "month": new.month, "moved": moved}


def _month(label: str) -> Period:
    year, month = (int(part) for part in label.split("-"))
    return month_period(year, month)


def _label(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"
