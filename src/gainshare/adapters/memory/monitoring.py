"""In-memory monitoring repositories: the same contract as adapters/sql/monitoring_repositories.py.

Their state lives in the memory workspace's state (copied per unit of work, published on commit), so the memory
unit of work keeps its all-or-nothing transactions over them too.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime

from gainshare.domain.errors import ConflictError, NotFoundError
from gainshare.domain.money import Money
from gainshare.domain.referrals import MonthlyNetting, ReferralItem
from gainshare.services.ports import (
    AccountPayment,
    ActualsEntry,
    AdjustmentRecord,
    DistributionLineRecord,
    DistributionRecord,
    DistributionTermsRecord,
    InstalmentRecord,
    MonthlyActual,
    Notification,
    PaymentScheduleRecord,
    ReferralStatementRecord,
)

_KINDS = ("management", "project", "practice", "central")


@dataclass
class MonitoringState:
    actuals: list[MonthlyActual] = field(default_factory=list)
    schedules: list[PaymentScheduleRecord] = field(default_factory=list)
    payments: list[AccountPayment] = field(default_factory=list)
    distributions: list[DistributionRecord] = field(default_factory=list)
    distribution_terms: dict[int, DistributionTermsRecord] = field(default_factory=dict)
    adjustments: list[AdjustmentRecord] = field(default_factory=list)
    referral_items: list[tuple[int, ReferralItem]] = field(default_factory=list)
    statements: list[ReferralStatementRecord] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)
    reads: set[tuple[int, int]] = field(default_factory=set)
    last_id: dict[str, int] = field(default_factory=dict)

    def new_id(self, table: str) -> int:
        self.last_id[table] = self.last_id.get(table, 0) + 1
        return self.last_id[table]


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"{moment!r} has no time zone; the workspace stores aware times only")
    return moment.astimezone(UTC)


class _Repository:
    def __init__(self, state: MonitoringState, agreements: Mapping[int, object]) -> None:
        self._state = state
        self._agreements = agreements

    def _need_agreement(self, agreement_id: int) -> None:
        if agreement_id not in self._agreements:
            raise NotFoundError(f"agreement {agreement_id} does not exist")


class MemoryMonthlyActuals(_Repository):
    def record(
        self, agreement_id: int, entry: ActualsEntry, upload_id: int | None, recorded_by: int, recorded_at: datetime
    ) -> MonthlyActual:
        self._need_agreement(agreement_id)
        if min(entry.baseline_activity, entry.hospital_activity, entry.hub_activity) < 0:
            raise ConflictError("activity counts cannot be negative")
        same = [a for a in self._state.actuals if a.agreement_id == agreement_id and a.entry.cell == entry.cell]
        newest = max(same, key=lambda actual: actual.revision, default=None)
        actual = MonthlyActual(
            id=self._state.new_id("monthly_actuals"),
            agreement_id=agreement_id,
            entry=entry,
            revision=1 if newest is None else newest.revision + 1,
            supersedes_id=None if newest is None else newest.id,
            upload_id=upload_id,
            recorded_by=recorded_by,
            recorded_at=_utc(recorded_at),
        )
        self._state.actuals.append(actual)
        return actual

    def current(self, agreement_id: int) -> list[MonthlyActual]:
        superseded = {a.supersedes_id for a in self._state.actuals}
        found = [a for a in self._state.actuals if a.agreement_id == agreement_id and a.id not in superseded]
        return sorted(found, key=lambda actual: actual.entry.cell)

    def history(self, agreement_id: int) -> list[MonthlyActual]:
        return [a for a in self._state.actuals if a.agreement_id == agreement_id]


class MemoryPaymentSchedules(_Repository):
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
        self._need_agreement(agreement_id)
        if len({item.due for item in instalments}) != len(instalments):
            raise ConflictError("two instalments of one schedule fall due on the same day")
        latest = self.latest(agreement_id, period)
        record = PaymentScheduleRecord(
            id=self._state.new_id("payment_schedules"),
            agreement_id=agreement_id,
            period=period,
            number=1 if latest is None else latest.number + 1,
            forecast_share=forecast_share,
            as_of=as_of,
            reason=reason,
            instalments=tuple(sorted(instalments, key=lambda item: item.due)),
            created_by=created_by,
            created_at=_utc(created_at),
        )
        self._state.schedules.append(record)
        return record

    def latest(self, agreement_id: int, period: str) -> PaymentScheduleRecord | None:
        found = [s for s in self._state.schedules if s.agreement_id == agreement_id and s.period == period]
        return max(found, key=lambda schedule: schedule.number, default=None)

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
        self._need_agreement(agreement_id)
        for payment in self._state.payments:
            if (payment.agreement_id, payment.period, payment.due) == (agreement_id, period, due) or (
                payment.transaction_key == transaction_key
            ):
                raise ConflictError(f"the instalment of {period} due on {due} was paid already")
        payment = AccountPayment(
            self._state.new_id("account_payments"),
            agreement_id,
            period,
            due,
            amount,
            transaction_key,
            paid_by,
            _utc(paid_at),
        )
        self._state.payments.append(payment)
        return payment

    def payments(self, agreement_id: int, period: str | None = None) -> list[AccountPayment]:
        found = [p for p in self._state.payments if p.agreement_id == agreement_id and period in (None, p.period)]
        return sorted(found, key=lambda payment: payment.due)


class MemoryDistributions(_Repository):
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
        self._need_agreement(agreement_id)
        if any(d.agreement_id == agreement_id and d.period == period for d in self._state.distributions):
            raise ConflictError(f"period {period} of agreement {agreement_id} is distributed already")
        if any(line.kind not in _KINDS for line in lines):
            raise ConflictError(f"distribution lines are one of {', '.join(_KINDS)}")
        record = DistributionRecord(
            id=self._state.new_id("distributions"),
            agreement_id=agreement_id,
            period=period,
            settlement_id=settlement_id,
            federation=federation,
            share=share,
            basis=basis,
            lines=tuple(lines),
            created_by=created_by,
            created_at=_utc(created_at),
        )
        self._state.distributions.append(record)
        return record

    def for_agreement(self, agreement_id: int) -> list[DistributionRecord]:
        return [d for d in self._state.distributions if d.agreement_id == agreement_id]


class MemoryReferrals(_Repository):
    def add_items(
        self, agreement_id: int, items: Collection[ReferralItem], upload_id: int | None, by: int, at: datetime
    ) -> int:
        self._need_agreement(agreement_id)
        _utc(at)
        if any(item.items < 0 or item.price.pence < 0 or item.referring == item.providing for item in items):
            raise ConflictError("referral items need two practices and no negative items or prices")
        self._state.referral_items.extend((agreement_id, item) for item in items)
        return len(items)

    def items(self, agreement_id: int, month: str | None = None) -> list[ReferralItem]:
        return [
            item for owner, item in self._state.referral_items if owner == agreement_id and month in (None, item.month)
        ]

    def add_statements(
        self, agreement_id: int, netting: MonthlyNetting, transaction_key: str | None, by: int, at: datetime
    ) -> list[ReferralStatementRecord]:
        self._need_agreement(agreement_id)
        _utc(at)
        if self.statements(agreement_id, netting.month):
            raise ConflictError(f"the referral statements of {netting.month} were issued already")
        records = [
            ReferralStatementRecord(
                agreement_id,
                netting.month,
                statement.practice,
                statement.items_out,
                statement.amount_out,
                statement.items_in,
                statement.amount_in,
                statement.net,
                transaction_key,
            )
            for statement in netting.statements
        ]
        self._state.statements.extend(records)
        return records

    def statements(self, agreement_id: int, month: str | None = None) -> list[ReferralStatementRecord]:
        found = [s for s in self._state.statements if s.agreement_id == agreement_id and month in (None, s.month)]
        return sorted(found, key=lambda statement: (statement.month, statement.practice))


class MemoryNotifications(_Repository):
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
        self._need_agreement(agreement_id)
        signal = (agreement_id, scheme, practice, rule, month)
        if any((n.agreement_id, n.scheme, n.practice, n.rule, n.month) == signal for n in self._state.notifications):
            return None
        notification = Notification(
            self._state.new_id("notifications"),
            agreement_id,
            scheme,
            practice,
            rule,
            month,
            point_type,
            detected_in,
            _utc(created_at),
        )
        self._state.notifications.append(notification)
        return notification

    def for_agreement(self, agreement_id: int, user_id: int) -> list[Notification]:
        return [
            replace(n, read=(n.id, user_id) in self._state.reads)
            for n in self._state.notifications
            if n.agreement_id == agreement_id
        ]

    def mark_read(self, notification_id: int, user_id: int, at: datetime) -> None:
        self.get(notification_id)
        _utc(at)
        self._state.reads.add((notification_id, user_id))

    def mark_all_read(self, agreement_id: int, user_id: int, at: datetime) -> int:
        _utc(at)
        mine = {(n.id, user_id) for n in self._state.notifications if n.agreement_id == agreement_id}
        unread = mine - self._state.reads
        self._state.reads |= unread
        return len(unread)

    def get(self, notification_id: int) -> Notification:
        for notification in self._state.notifications:
            if notification.id == notification_id:
                return notification
        raise NotFoundError(f"notification {notification_id} does not exist")
