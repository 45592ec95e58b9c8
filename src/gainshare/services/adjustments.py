"""Prior-period adjustments of a posted year end: what moved since the period was posted, and how it is posted.

When a month is revised after its period was posted, what was posted stays as it is and the difference is posted
as an adjustment (finance practice for a prior-period adjustment): the settlement transaction(s) as they would be
posted now less what the ledger holds for the period, account by account; and the distribution of the federation's
share now (split by the same terms as the posted one, largest remainder) less what each recipient was posted.
Adjustments are numbered 1, 2, ... per period: the second is the difference from the original plus the first.

This module holds the records and the arithmetic over what the unit of work holds; YearEndService (yearend.py)
settles the period now and posts.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from gainshare.domain.distribution import Basis, Distribution, LossHandling, PracticeMeasures, RecipientKind
from gainshare.domain.ledger import Transaction
from gainshare.domain.money import Money, parse_rate
from gainshare.domain.settlement import Settlement
from gainshare.engines.adjustments import Recipient, account_totals, difference_transaction, recipient_amounts
from gainshare.engines.distribution import distribution_transactions
from gainshare.services.ports import (
    AdjustmentLine,
    AdjustmentRecord,
    AdjustmentSection,
    DistributionRecord,
    DistributionTermsRecord,
    MonthlyActual,
    SettlementRecord,
    UnitOfWork,
)

ADJUSTED = "year_end.adjusted"
_SETTLEMENT_KEY = re.compile(r"\d+|adjustment/\d+")  # after agreement/{id}/period/{period}/
LineKey = tuple[str, str, str, str, int]  # kind, code, scheme, party, occurrence
LineItem = tuple[str, str, str | None, str | None, int, str]  # kind, code, scheme, party, pence, description


@dataclass(frozen=True, slots=True)
class PostedPeriod:
    """A period posted at the year end, with its adjustments so far (oldest first)."""

    settlement: SettlementRecord
    distribution: DistributionRecord
    adjustments: tuple[AdjustmentRecord, ...]

    @property
    def statement(self) -> dict[str, Any]:
        """The settlement statement as it stands posted: the last adjustment's, or the original."""
        return self.adjustments[-1].statement if self.adjustments else self.settlement.statement

    @property
    def posted_at(self) -> datetime:
        return self.adjustments[-1].created_at if self.adjustments else self.settlement.created_at

    def recipients(self) -> dict[Recipient, Money]:
        """What each recipient of the distribution was posted: the original plus every adjustment."""
        amounts: dict[Recipient, Money] = {}
        posted = [(line.kind, line.recipient, line.amount) for line in self.distribution.lines]
        for adjustment in self.adjustments:
            posted += [(d.kind, d.name, d.difference) for d in adjustment.section(AdjustmentSection.RECIPIENT)]
        for kind, recipient, amount in posted:
            key = (RecipientKind(kind), recipient)
            amounts[key] = amounts.get(key, Money(0)) + amount
        return amounts


@dataclass(frozen=True, slots=True)
class Adjustment:
    """What a prior-period adjustment would post now: each amount as posted and now, and the transactions."""

    period: str
    number: int  # the number it would be given
    version: int  # the signed version the period was settled under
    settlement: Settlement  # the period's settlement from the actuals now
    statement: dict[str, Any]  # the same, as the statement is recorded
    lines: tuple[AdjustmentLine, ...]  # parties' shares, the statement lines that moved, distribution recipients
    transactions: tuple[Transaction, ...]
    revisions: tuple[str, ...]  # each month revised since the period (or its last adjustment) was posted

    def section(self, section: AdjustmentSection) -> tuple[AdjustmentLine, ...]:
        return tuple(line for line in self.lines if line.section is section)

    @property
    def distributed(self) -> Money:
        """The change in the federation's share, distributed: the recipients' differences add up to it."""
        return Money(sum(line.difference.pence for line in self.section(AdjustmentSection.RECIPIENT)))

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(transaction.key for transaction in self.transactions)

    @property
    def reason(self) -> str:
        return "; ".join(self.revisions) or "the actuals of the period changed since it was posted"


@dataclass(frozen=True, slots=True)
class AdjustmentPosting:
    record: AdjustmentRecord
    already_posted: bool  # True: this answers an earlier attempt that posted it


AdjustmentRequirement = Callable[[UnitOfWork, Adjustment], None]


def adjustment_key(agreement_id: int, period: str, number: int) -> str:
    return f"agreement/{agreement_id}/period/{period}/adjustment/{number}"


def posted_period(uow: UnitOfWork, agreement_id: int, period: str) -> PostedPeriod | None:
    """The period's year-end posting (settlement with distribution) and adjustments; None if it is not posted."""
    settlements = [s for s in uow.settlements.for_agreement(agreement_id) if s.period == period]
    distributions = [d for d in uow.distributions.for_agreement(agreement_id) if d.period == period]
    if not (settlements and distributions):
        return None
    adjustments = tuple(uow.adjustments.for_agreement(agreement_id, period))
    return PostedPeriod(settlements[0], distributions[0], adjustments)


def distribution_terms(uow: UnitOfWork, distribution: DistributionRecord) -> DistributionTermsRecord:
    """The terms the distribution was split by; for one posted before they were kept, read from its record: the
    top-slice, losses and mix from its basis, each practice weighted by its posted fraction of the share."""
    kept = uow.adjustments.terms(distribution.id)
    if kept is not None:
        return kept
    said = dict(part.strip().split(" ", 1) for part in distribution.basis.split(";") if " " in part.strip())
    practices = tuple(
        PracticeMeasures(line.recipient, weighted_list=line.fraction)
        for line in distribution.lines
        if line.kind == RecipientKind.PRACTICE.value
    )
    top_slice = parse_rate(said.get("top-slice", "0%"))
    losses = LossHandling(said.get("losses", LossHandling.LIKE_GAINS.value))
    return DistributionTermsRecord(top_slice, ((Basis.WEIGHTED_LIST, Decimal(1)),), losses, practices)


def settlement_difference(
    key: str, description: str, ledger: Iterable[Transaction], prefix: str, now: Sequence[Transaction]
) -> Transaction | None:
    """The settlement's transactions now less what the ledger holds for the period's settlement and its earlier
    adjustments (keys under prefix), account by account."""
    posted = [tx for tx in ledger if tx.key.startswith(prefix) and _SETTLEMENT_KEY.fullmatch(tx.key[len(prefix) :])]
    return difference_transaction(key, description, account_totals(posted), account_totals(now))


def distribution_adjustment(key: str, number: int, difference: Distribution) -> list[Transaction]:
    """The distribution's difference posted like a distribution: one transaction per kind of recipient."""
    transactions = []
    for transaction in distribution_transactions(difference):
        kind = transaction.key.rsplit("/", 1)[-1]
        text = f"Prior-period adjustment {number} of {difference.period}: {kind} distribution"
        transactions.append(replace(transaction, key=f"{key}/distribution/{kind}", description=text))
    return transactions


def party_lines(posted: Mapping[str, Any], now: Settlement) -> list[AdjustmentLine]:
    """Each party's share as posted and now (every party, moved or not)."""
    before = {party: Money(amount["pence"]) for party, amount in posted.get("shares", {}).items()}
    after = dict(now.shares)
    return [
        AdjustmentLine(
            AdjustmentSection.PARTY, "share", party, None, party, before.get(party), after.get(party),
            f"{party}'s share of the net saving",
        )
        for party in [*after, *(p for p in before if p not in after)]
    ]  # fmt: skip


def statement_lines(posted: Mapping[str, Any], now: Settlement) -> list[AdjustmentLine]:
    """The statement lines whose amounts moved, each with its amount as posted and now and its description."""
    old = _keyed(
        (item["kind"], item["code"], item.get("scheme"), item.get("party"), item["amount_pence"], item["description"])
        for item in posted.get("lines", [])
    )
    new = _keyed(
        (line.kind.value, line.code, line.scheme, line.party, line.amount.pence, line.description) for line in now.lines
    )
    lines: list[AdjustmentLine] = []
    for key in [*new, *(k for k in old if k not in new)]:
        was, is_now = old.get(key), new.get(key)
        if was is not None and is_now is not None and was[4] == is_now[4]:
            continue
        item = is_now or was
        assert item is not None  # the key is in one of them
        kind, code, scheme, party, _, why = item
        amounts = (Money(was[4]) if was else None, Money(is_now[4]) if is_now else None)
        lines.append(AdjustmentLine(AdjustmentSection.LINE, kind, code, scheme, party, *amounts, why))
    return lines


def recipient_lines(posted: Mapping[Recipient, Money], now: Distribution) -> list[AdjustmentLine]:
    """Each recipient of the distribution: posted (original plus adjustments), now, and the basis now."""
    described = {(line.kind, line.recipient): line for line in now.lines}
    amounts = recipient_amounts(now.lines)
    lines = []
    for recipient in [*amounts, *(r for r in posted if r not in amounts)]:
        kind, name = recipient
        found = described.get(recipient)
        why = found.basis if found else f"{name} is no longer a recipient: its posted amount is reversed."
        amounts_of = (posted.get(recipient), amounts.get(recipient))
        lines.append(AdjustmentLine(AdjustmentSection.RECIPIENT, kind.value, name, None, None, *amounts_of, why))
    return lines


def revisions_since(history: Sequence[MonthlyActual], since: datetime, in_period: Callable[[str], bool]) -> list[str]:
    """Each month of the period revised (or first reported) after `since`: what it was then and is now."""
    later = [row for row in history if row.recorded_at > since and in_period(row.entry.month)]
    texts = []
    for cell in dict.fromkeys(row.entry.cell for row in later):
        then = [row for row in history if row.entry.cell == cell and row.recorded_at <= since]
        now = [row for row in later if row.entry.cell == cell][-1].entry
        before = then[-1].entry if then else None
        scheme, practice, month = cell
        if before is None:
            texts.append(f"{scheme} {practice} {month}: first reported after posting")
            continue
        moved = [
            f"{name} activity {getattr(before, f'{name}_activity')} -> {getattr(now, f'{name}_activity')}"
            for name in ("hospital", "hub", "baseline")
            if getattr(before, f"{name}_activity") != getattr(now, f"{name}_activity")
        ]
        if moved:
            texts.append(f"{scheme} {practice} {month}: {', '.join(moved)}")
    return texts


def audit_details(adjustment: Adjustment, posted_statement: Mapping[str, Any]) -> dict[str, Any]:
    """The amounts of an adjustment for its audit entry: pence, posted and now, and the differences."""
    details: dict[str, Any] = {"period": adjustment.period, "number": adjustment.number, "version": adjustment.version}
    details["net_saving_pence"] = {
        "posted": posted_statement.get("net_saving", {}).get("pence"),
        "now": adjustment.settlement.net_saving.pence,
    }
    for name, section in (("parties", AdjustmentSection.PARTY), ("recipients", AdjustmentSection.RECIPIENT)):
        details[name] = {line.name: line.difference.pence for line in adjustment.section(section)}
    details |= {"keys": list(adjustment.keys), "revisions": list(adjustment.revisions)}
    return details


def _keyed(items: Iterable[LineItem]) -> dict[LineKey, LineItem]:
    seen: Counter[tuple[str, str, str, str]] = Counter()
    keyed: dict[LineKey, LineItem] = {}
    for item in items:
        base = (item[0], item[1], item[2] or "", item[3] or "")
        keyed[(*base, seen[base])] = item
        seen[base] += 1
    return keyed
