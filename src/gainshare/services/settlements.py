"""Settle an agreement's periods from its figures."""

from __future__ import annotations

from dataclasses import dataclass

from gainshare.domain.agreement import Agreement
from gainshare.domain.errors import InvalidInputError
from gainshare.domain.figures import Figures
from gainshare.domain.issues import Issue, Source
from gainshare.domain.ledger import Transaction
from gainshare.domain.settlement import Settlement
from gainshare.engines.postings import settlement_transactions
from gainshare.engines.settlement import settle_periods
from gainshare.services.ports import AgreementReader, FiguresReader


@dataclass(frozen=True)
class SettlementResult:
    agreement: Agreement
    settlements: list[Settlement]
    transactions: list[Transaction]


@dataclass(frozen=True)
class SettlementService:
    agreements: AgreementReader
    figures: FiguresReader

    def settle_files(
        self, agreement_location: str, figures_location: str, period: str | None = None
    ) -> SettlementResult:
        agreement = self.agreements.load(agreement_location)
        figures = self.figures.load(figures_location)
        return settle_all(agreement, figures, period)


def settle_all(agreement: Agreement, figures: Figures, period: str | None = None) -> SettlementResult:
    """Settle one named period, or every period the figures touch, in term order."""
    issues = _check_facts(agreement, figures)
    if not figures.rows:
        issues.append(Issue("figures.empty", "the figures have no rows to settle", Source(file=figures.source)))
    if issues:
        raise InvalidInputError(issues)
    settlements = settle_periods(agreement, figures, [period] if period else None)
    transactions = [tx for result in settlements for tx in settlement_transactions(agreement, result)]
    return SettlementResult(agreement, settlements, transactions)


def _check_facts(agreement: Agreement, figures: Figures) -> list[Issue]:
    period_ids = {period.id for period in agreement.periods()}
    party_ids = {party.id for party in agreement.parties}
    issues: list[Issue] = []
    for period_id, facts in figures.facts.items():
        clause = f"periods.{period_id}"
        if period_id not in period_ids:
            issues.append(
                Issue(
                    "figures.period",
                    f"{period_id!r} is not a settlement period of the agreement ({', '.join(sorted(period_ids))})",
                    Source(file=figures.source, clause=clause),
                )
            )
        for party_id, _ in facts.paid_on_account:
            if party_id not in party_ids:
                issues.append(
                    Issue(
                        "figures.party",
                        f"paid_on_account names {party_id!r}, which is not a party",
                        Source(file=figures.source, clause=f"{clause}.paid_on_account"),
                    )
                )
    return issues
