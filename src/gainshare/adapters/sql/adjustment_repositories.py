"""SQL repository of prior-period adjustments and distribution terms (tables in adjustment_tables.py).

Like repositories.py: rows never leave this module, and inserts that can lose a race run in a SAVEPOINT so that a
ConflictError (a unique key someone else took first) leaves the unit of work usable.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from gainshare.adapters.sql.adjustment_tables import (
    DistributionTermsRow,
    SettlementAdjustmentLineRow,
    SettlementAdjustmentRow,
)
from gainshare.adapters.sql.repositories import _guarded
from gainshare.domain.distribution import Basis, LossHandling, PracticeMeasures
from gainshare.domain.money import Money
from gainshare.services.ports import AdjustmentLine, AdjustmentRecord, AdjustmentSection, DistributionTermsRecord


class SqlAdjustments:
    def __init__(self, session: Session) -> None:
        self._session = session

    def record_terms(self, distribution_id: int, terms: DistributionTermsRecord, at: datetime) -> None:
        row = DistributionTermsRow(
            distribution_id=distribution_id,
            top_slice=str(terms.top_slice),
            mix=[[basis.value, str(weight)] for basis, weight in terms.mix],
            losses=terms.losses.value,
            practices=[_measures_json(measures) for measures in terms.practices],
            created_at=at,
        )
        with _guarded(self._session, f"the terms of distribution {distribution_id} are recorded already"):
            self._session.add(row)

    def terms(self, distribution_id: int) -> DistributionTermsRecord | None:
        row = self._session.get(DistributionTermsRow, distribution_id)
        if row is None:
            return None
        return DistributionTermsRecord(
            top_slice=Decimal(row.top_slice),
            mix=tuple((Basis(basis), Decimal(weight)) for basis, weight in row.mix),
            losses=LossHandling(row.losses),
            practices=tuple(_measures(item) for item in row.practices),
        )

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
        row = SettlementAdjustmentRow(
            agreement_id=agreement_id,
            period=period,
            number=number,
            settlement_id=settlement_id,
            distribution_id=distribution_id,
            statement=statement,
            reason=reason,
            transaction_keys=list(transaction_keys),
            created_by=created_by,
            created_at=created_at,
            lines=[_line_row(number, line) for number, line in enumerate(lines, start=1)],
        )
        with _guarded(self._session, f"period {period} of agreement {agreement_id} has adjustment {number} already"):
            self._session.add(row)
        return _record(row)

    def for_agreement(self, agreement_id: int, period: str | None = None) -> list[AdjustmentRecord]:
        query = (
            select(SettlementAdjustmentRow)
            .where(SettlementAdjustmentRow.agreement_id == agreement_id)
            .options(selectinload(SettlementAdjustmentRow.lines))
            .order_by(SettlementAdjustmentRow.period, SettlementAdjustmentRow.number)
        )
        if period is not None:
            query = query.where(SettlementAdjustmentRow.period == period)
        return [_record(row) for row in self._session.scalars(query)]


def _measures_json(measures: PracticeMeasures) -> dict[str, str]:
    return {
        "practice": measures.practice,
        "weighted_list": str(measures.weighted_list),
        "activity": str(measures.activity),
        "score": str(measures.score),
    }


def _measures(item: dict[str, str]) -> PracticeMeasures:
    return PracticeMeasures(
        item["practice"], Decimal(item["weighted_list"]), Decimal(item["activity"]), Decimal(item["score"])
    )


def _line_row(line_no: int, line: AdjustmentLine) -> SettlementAdjustmentLineRow:
    return SettlementAdjustmentLineRow(
        line_no=line_no,
        section=line.section.value,
        kind=line.kind,
        name=line.name,
        scheme=line.scheme,
        party=line.party,
        posted_pence=None if line.posted is None else line.posted.pence,
        now_pence=None if line.now is None else line.now.pence,
        why=line.why,
    )


def _line(row: SettlementAdjustmentLineRow) -> AdjustmentLine:
    return AdjustmentLine(
        section=AdjustmentSection(row.section),
        kind=row.kind,
        name=row.name,
        scheme=row.scheme,
        party=row.party,
        posted=None if row.posted_pence is None else Money(row.posted_pence),
        now=None if row.now_pence is None else Money(row.now_pence),
        why=row.why,
    )


def _record(row: SettlementAdjustmentRow) -> AdjustmentRecord:
    return AdjustmentRecord(
        id=row.id,
        agreement_id=row.agreement_id,
        period=row.period,
        number=row.number,
        settlement_id=row.settlement_id,
        distribution_id=row.distribution_id,
        statement=row.statement,
        reason=row.reason,
        transaction_keys=tuple(row.transaction_keys),
        lines=tuple(_line(line) for line in sorted(row.lines, key=lambda line: line.line_no)),
        created_by=row.created_by,
        created_at=row.created_at,
    )
