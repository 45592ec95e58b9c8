"""Agreement use cases: validate, summarise, and compare versions."""

from __future__ import annotations

from dataclasses import dataclass

from gainshare.domain.agreement import Agreement
from gainshare.engines.clauses import Clause, ClauseChange, agreement_clauses, diff_clauses
from gainshare.services.ports import AgreementReader


@dataclass(frozen=True)
class AgreementService:
    reader: AgreementReader

    def validate(self, location: str) -> Agreement:
        return self.reader.load(location)

    def clauses(self, location: str) -> tuple[Agreement, list[Clause]]:
        agreement = self.reader.load(location)
        return agreement, agreement_clauses(agreement)

    def diff(self, before: str, after: str) -> tuple[Agreement, Agreement, list[ClauseChange]]:
        old = self.reader.load(before)
        new = self.reader.load(after)
        return old, new, diff_clauses(old, new)
