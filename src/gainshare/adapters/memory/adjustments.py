"""In-memory prior-period adjustments and distribution terms: the same contract as
adapters/sql/adjustment_repositories.py. Their state lives in the monitoring state (copied per unit of work,
published on commit), so the memory unit of work keeps its all-or-nothing transactions over them too."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from gainshare.adapters.memory.monitoring import _Repository, _utc
from gainshare.domain.errors import ConflictError, NotFoundError
from gainshare.services.ports import AdjustmentLine, AdjustmentRecord, DistributionTermsRecord


class MemoryAdjustments(_Repository):
    def record_terms(self, distribution_id: int, terms: DistributionTermsRecord, at: datetime) -> None:
        _utc(at)
        if not any(d.id == distribution_id for d in self._state.distributions):
            raise NotFoundError(f"distribution {distribution_id} does not exist")
        if distribution_id in self._state.distribution_terms:
            raise ConflictError(f"the terms of distribution {distribution_id} are recorded already")
        self._state.distribution_terms[distribution_id] = terms

    def terms(self, distribution_id: int) -> DistributionTermsRecord | None:
        return self._state.distribution_terms.get(distribution_id)

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
        self._need_agreement(agreement_id)
        if number < 1:
            raise ConflictError("adjustments are numbered from 1")
        if any((a.agreement_id, a.period, a.number) == (agreement_id, period, number) for a in self._adjustments):
            raise ConflictError(f"period {period} of agreement {agreement_id} has adjustment {number} already")
        record = AdjustmentRecord(
            id=self._state.new_id("settlement_adjustments"),
            agreement_id=agreement_id,
            period=period,
            number=number,
            settlement_id=settlement_id,
            distribution_id=distribution_id,
            statement=statement,
            reason=reason,
            transaction_keys=tuple(transaction_keys),
            lines=tuple(lines),
            created_by=created_by,
            created_at=_utc(created_at),
        )
        self._state.adjustments.append(record)
        return record

    def for_agreement(self, agreement_id: int, period: str | None = None) -> list[AdjustmentRecord]:
        found = [a for a in self._adjustments if a.agreement_id == agreement_id and period in (None, a.period)]
        return sorted(found, key=lambda adjustment: (adjustment.period, adjustment.number))

    @property
    def _adjustments(self) -> list[AdjustmentRecord]:
        return self._state.adjustments
