"""SQL repositories for monitoring, payments on account, distributions, referrals and notifications.

Like repositories.py: rows never leave this module, and inserts that can lose a race run in a SAVEPOINT so that a
ConflictError (a unique key someone else took first) leaves the unit of work usable.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import CursorResult, and_, func, insert, literal, select
from sqlalchemy.orm import Session, aliased, selectinload

from gainshare.adapters.sql.monitoring_tables import (
    AccountPaymentRow,
    DistributionLineRow,
    DistributionRow,
    MonthlyActualRow,
    NotificationReadRow,
    NotificationRow,
    PaymentInstalmentRow,
    PaymentScheduleRow,
    ReferralItemRow,
    ReferralStatementRow,
)
from gainshare.adapters.sql.repositories import _guarded
from gainshare.adapters.sql.tables import UtcDateTime
from gainshare.domain.errors import ConflictError, NotFoundError
from gainshare.domain.money import Money
from gainshare.domain.referrals import MonthlyNetting, ReferralItem
from gainshare.services.ports import (
    AccountPayment,
    ActualsEntry,
    DistributionLineRecord,
    DistributionRecord,
    InstalmentRecord,
    MonthlyActual,
    Notification,
    PaymentScheduleRecord,
    ReferralStatementRecord,
)


class SqlMonthlyActuals:
    def __init__(self, session: Session) -> None:
        self._session = session

    def record(
        self, agreement_id: int, entry: ActualsEntry, upload_id: int | None, recorded_by: int, recorded_at: datetime
    ) -> MonthlyActual:
        scheme, practice, month = entry.cell
        newest = self._session.scalars(
            select(MonthlyActualRow)
            .where(
                MonthlyActualRow.agreement_id == agreement_id,
                MonthlyActualRow.scheme == scheme,
                MonthlyActualRow.practice == practice,
                MonthlyActualRow.month == month,
            )
            .order_by(MonthlyActualRow.revision.desc())
        ).first()
        row = MonthlyActualRow(
            agreement_id=agreement_id,
            scheme=scheme,
            practice=practice,
            month=month,
            baseline_activity=entry.baseline_activity,
            hospital_activity=entry.hospital_activity,
            hub_activity=entry.hub_activity,
            baseline_cost_pence=entry.baseline_cost.pence,
            hospital_cost_pence=entry.hospital_cost.pence,
            hub_cost_pence=entry.hub_cost.pence,
            revision=1 if newest is None else newest.revision + 1,
            supersedes_id=None if newest is None else newest.id,
            upload_id=upload_id,
            recorded_by=recorded_by,
            recorded_at=recorded_at,
        )
        with _guarded(self._session, f"{scheme} {practice} {month} was revised by someone else at the same time"):
            self._session.add(row)
        return _actual(row)

    def current(self, agreement_id: int) -> list[MonthlyActual]:
        later = aliased(MonthlyActualRow)
        superseded = select(later.id).where(later.supersedes_id == MonthlyActualRow.id).exists()
        query = (
            select(MonthlyActualRow)
            .where(MonthlyActualRow.agreement_id == agreement_id, ~superseded)
            .order_by(MonthlyActualRow.scheme, MonthlyActualRow.practice, MonthlyActualRow.month)
        )
        return [_actual(row) for row in self._session.scalars(query)]

    def history(self, agreement_id: int) -> list[MonthlyActual]:
        query = select(MonthlyActualRow).where(MonthlyActualRow.agreement_id == agreement_id)
        return [_actual(row) for row in self._session.scalars(query.order_by(MonthlyActualRow.id))]


class SqlPaymentSchedules:
    def __init__(self, session: Session) -> None:
        self._session = session

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
        latest = self._session.scalar(
            select(func.max(PaymentScheduleRow.number)).where(
                PaymentScheduleRow.agreement_id == agreement_id, PaymentScheduleRow.period == period
            )
        )
        row = PaymentScheduleRow(
            agreement_id=agreement_id,
            period=period,
            number=(latest or 0) + 1,
            forecast_share_pence=forecast_share.pence,
            as_of=as_of,
            reason=reason,
            created_by=created_by,
            created_at=created_at,
            instalments=[
                PaymentInstalmentRow(
                    due=item.due,
                    cumulative_percent=str(item.cumulative_percent),
                    amount_pence=item.amount.pence,
                    fixed=item.fixed,
                )
                for item in instalments
            ],
        )
        with _guarded(self._session, f"the payment schedule of {period} was redrawn by someone else at the same time"):
            self._session.add(row)
        return _schedule(row)

    def latest(self, agreement_id: int, period: str) -> PaymentScheduleRecord | None:
        query = (
            select(PaymentScheduleRow)
            .where(PaymentScheduleRow.agreement_id == agreement_id, PaymentScheduleRow.period == period)
            .options(selectinload(PaymentScheduleRow.instalments))
            .order_by(PaymentScheduleRow.number.desc())
        )
        row = self._session.scalars(query).first()
        return None if row is None else _schedule(row)

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
        row = AccountPaymentRow(
            agreement_id=agreement_id,
            period=period,
            due=due,
            amount_pence=amount.pence,
            transaction_key=transaction_key,
            paid_by=paid_by,
            paid_at=paid_at,
        )
        with _guarded(self._session, f"the instalment of {period} due on {due} was paid already"):
            self._session.add(row)
        return _payment(row)

    def payments(self, agreement_id: int, period: str | None = None) -> list[AccountPayment]:
        query = select(AccountPaymentRow).where(AccountPaymentRow.agreement_id == agreement_id)
        if period is not None:
            query = query.where(AccountPaymentRow.period == period)
        return [_payment(row) for row in self._session.scalars(query.order_by(AccountPaymentRow.due))]


class SqlDistributions:
    def __init__(self, session: Session) -> None:
        self._session = session

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
        row = DistributionRow(
            agreement_id=agreement_id,
            period=period,
            settlement_id=settlement_id,
            federation=federation,
            share_pence=share.pence,
            basis=basis,
            created_by=created_by,
            created_at=created_at,
            lines=[
                DistributionLineRow(
                    line_no=number,
                    recipient=line.recipient,
                    kind=line.kind,
                    amount_pence=line.amount.pence,
                    fraction=str(line.fraction),
                    basis=line.basis,
                )
                for number, line in enumerate(lines, start=1)
            ],
        )
        with _guarded(self._session, f"period {period} of agreement {agreement_id} is distributed already"):
            self._session.add(row)
        return _distribution(row)

    def for_agreement(self, agreement_id: int) -> list[DistributionRecord]:
        query = (
            select(DistributionRow)
            .where(DistributionRow.agreement_id == agreement_id)
            .options(selectinload(DistributionRow.lines))
            .order_by(DistributionRow.id)
        )
        return [_distribution(row) for row in self._session.scalars(query)]


class SqlReferrals:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add_items(
        self, agreement_id: int, items: Collection[ReferralItem], upload_id: int | None, by: int, at: datetime
    ) -> int:
        rows = [
            ReferralItemRow(
                agreement_id=agreement_id,
                referring=item.referring,
                providing=item.providing,
                month=item.month,
                items=item.items,
                price_pence=item.price.pence,
                source_row=item.source_row,
                upload_id=upload_id,
                recorded_by=by,
                recorded_at=at,
            )
            for item in items
        ]
        with _guarded(self._session, "the referral items could not be recorded"):
            self._session.add_all(rows)
        return len(rows)

    def items(self, agreement_id: int, month: str | None = None) -> list[ReferralItem]:
        query = select(ReferralItemRow).where(ReferralItemRow.agreement_id == agreement_id)
        if month is not None:
            query = query.where(ReferralItemRow.month == month)
        return [
            ReferralItem(row.referring, row.providing, row.month, row.items, Money(row.price_pence), row.source_row)
            for row in self._session.scalars(query.order_by(ReferralItemRow.id))
        ]

    def add_statements(
        self, agreement_id: int, netting: MonthlyNetting, transaction_key: str | None, by: int, at: datetime
    ) -> list[ReferralStatementRecord]:
        rows = [
            ReferralStatementRow(
                agreement_id=agreement_id,
                month=netting.month,
                practice=statement.practice,
                items_out=statement.items_out,
                amount_out_pence=statement.amount_out.pence,
                items_in=statement.items_in,
                amount_in_pence=statement.amount_in.pence,
                net_pence=statement.net.pence,
                transaction_key=transaction_key,
                created_by=by,
                created_at=at,
            )
            for statement in netting.statements
        ]
        if self.statements(agreement_id, netting.month):
            raise ConflictError(f"the referral statements of {netting.month} were issued already")
        with _guarded(self._session, f"the referral statements of {netting.month} were issued already"):
            self._session.add_all(rows)
        return [_statement(row) for row in rows]

    def statements(self, agreement_id: int, month: str | None = None) -> list[ReferralStatementRecord]:
        query = select(ReferralStatementRow).where(ReferralStatementRow.agreement_id == agreement_id)
        if month is not None:
            query = query.where(ReferralStatementRow.month == month)
        order = (ReferralStatementRow.month, ReferralStatementRow.practice)
        return [_statement(row) for row in self._session.scalars(query.order_by(*order))]


class SqlNotifications:
    def __init__(self, session: Session) -> None:
        self._session = session

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
        row = NotificationRow(
            agreement_id=agreement_id,
            scheme=scheme,
            practice=practice,
            rule=rule,
            month=month,
            point_type=point_type,
            detected_in=detected_in,
            created_at=created_at,
        )
        try:
            with _guarded(self._session, "notified already"):
                self._session.add(row)
        except ConflictError:
            return None
        return _notification(row, read=False)

    def for_agreement(self, agreement_id: int, user_id: int) -> list[Notification]:
        read = and_(NotificationReadRow.notification_id == NotificationRow.id, NotificationReadRow.user_id == user_id)
        query = (
            select(NotificationRow, NotificationReadRow.read_at)
            .outerjoin(NotificationReadRow, read)
            .where(NotificationRow.agreement_id == agreement_id)
            .order_by(NotificationRow.id)
        )
        return [_notification(row, read=read_at is not None) for row, read_at in self._session.execute(query)]

    def mark_read(self, notification_id: int, user_id: int, at: datetime) -> None:
        self.get(notification_id)
        if self._session.get(NotificationReadRow, (notification_id, user_id)) is not None:
            return
        try:
            with _guarded(self._session, "read already"):
                self._session.add(NotificationReadRow(notification_id=notification_id, user_id=user_id, read_at=at))
        except ConflictError:
            return  # read at the same moment in another session: read either way

    def mark_all_read(self, agreement_id: int, user_id: int, at: datetime) -> int:
        """One INSERT ... SELECT of the agreement's notifications the user has not read; run again once if a
        concurrent session marked some of them first (its rows are committed, so the second run skips them)."""
        try:
            return self._insert_reads(agreement_id, user_id, at)
        except ConflictError:
            return self._insert_reads(agreement_id, user_id, at)

    def _insert_reads(self, agreement_id: int, user_id: int, at: datetime) -> int:
        already = select(NotificationReadRow.notification_id).where(
            NotificationReadRow.notification_id == NotificationRow.id, NotificationReadRow.user_id == user_id
        )
        unread = select(NotificationRow.id, literal(user_id), literal(at, UtcDateTime())).where(
            NotificationRow.agreement_id == agreement_id, ~already.exists()
        )
        statement = insert(NotificationReadRow).from_select(["notification_id", "user_id", "read_at"], unread)
        with _guarded(self._session, "read already"):
            result = self._session.execute(statement, execution_options={"preserve_rowcount": True})
        return cast("CursorResult[Any]", result).rowcount  # kept before the cursor closes (psycopg)

    def get(self, notification_id: int) -> Notification:
        row = self._session.get(NotificationRow, notification_id)
        if row is None:
            raise NotFoundError(f"notification {notification_id} does not exist")
        return _notification(row, read=False)


def _actual(row: MonthlyActualRow) -> MonthlyActual:
    entry = ActualsEntry(
        scheme=row.scheme,
        practice=row.practice,
        month=row.month,
        baseline_activity=row.baseline_activity,
        hospital_activity=row.hospital_activity,
        hub_activity=row.hub_activity,
        baseline_cost=Money(row.baseline_cost_pence),
        hospital_cost=Money(row.hospital_cost_pence),
        hub_cost=Money(row.hub_cost_pence),
    )
    return MonthlyActual(
        row.id,
        row.agreement_id,
        entry,
        row.revision,
        row.supersedes_id,
        row.upload_id,
        row.recorded_by,
        row.recorded_at,
    )


def _schedule(row: PaymentScheduleRow) -> PaymentScheduleRecord:
    instalments = tuple(
        InstalmentRecord(item.due, Decimal(item.cumulative_percent), Money(item.amount_pence), item.fixed)
        for item in sorted(row.instalments, key=lambda item: item.due)
    )
    return PaymentScheduleRecord(
        id=row.id,
        agreement_id=row.agreement_id,
        period=row.period,
        number=row.number,
        forecast_share=Money(row.forecast_share_pence),
        as_of=row.as_of,
        reason=row.reason,
        instalments=instalments,
        created_by=row.created_by,
        created_at=row.created_at,
    )


def _payment(row: AccountPaymentRow) -> AccountPayment:
    return AccountPayment(
        row.id,
        row.agreement_id,
        row.period,
        row.due,
        Money(row.amount_pence),
        row.transaction_key,
        row.paid_by,
        row.paid_at,
    )


def _distribution(row: DistributionRow) -> DistributionRecord:
    lines = tuple(
        DistributionLineRecord(line.recipient, line.kind, Money(line.amount_pence), Decimal(line.fraction), line.basis)
        for line in sorted(row.lines, key=lambda line: line.line_no)
    )
    return DistributionRecord(
        id=row.id,
        agreement_id=row.agreement_id,
        period=row.period,
        settlement_id=row.settlement_id,
        federation=row.federation,
        share=Money(row.share_pence),
        basis=row.basis,
        lines=lines,
        created_by=row.created_by,
        created_at=row.created_at,
    )


def _statement(row: ReferralStatementRow) -> ReferralStatementRecord:
    return ReferralStatementRecord(
        agreement_id=row.agreement_id,
        month=row.month,
        practice=row.practice,
        items_out=row.items_out,
        amount_out=Money(row.amount_out_pence),
        items_in=row.items_in,
        amount_in=Money(row.amount_in_pence),
        net=Money(row.net_pence),
        transaction_key=row.transaction_key,
    )


def _notification(row: NotificationRow, *, read: bool) -> Notification:
    return Notification(
        id=row.id,
        agreement_id=row.agreement_id,
        scheme=row.scheme,
        practice=row.practice,
        rule=row.rule,
        month=row.month,
        point_type=row.point_type,
        detected_in=row.detected_in,
        created_at=row.created_at,
        read=read,
    )
