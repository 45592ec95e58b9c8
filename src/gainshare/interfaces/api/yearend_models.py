"""Bodies of the year-end API: prior-period adjustments. Money is integer pence (fields ending _pence); never
floats."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Path as PathParam
from pydantic import Field

from gainshare.domain.ledger import Transaction
from gainshare.interfaces.api.models import Out
from gainshare.services.adjustments import Adjustment, AdjustmentPosting
from gainshare.services.ports import AdjustmentLine, AdjustmentRecord

Period = Annotated[
    str, PathParam(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9._-]+$", description="Settlement period id.")
]


class AdjustmentLineOut(Out):
    """One amount of an adjustment: as posted before it, as it is now, and the difference."""

    section: str = Field(description="party (a party's share), line (a statement line) or recipient (distribution).")
    kind: str = Field(description="share; the statement line's kind; or management, project, practice, central.")
    name: str = Field(description="The party id, the statement line's code, or the recipient.")
    scheme: str | None = Field(description="The scheme of a statement line, if any.")
    party: str | None = Field(description="The party of a statement line or share, if any.")
    posted_pence: int | None = Field(description="As posted (with earlier adjustments), pence; null: a new line.")
    now_pence: int | None = Field(description="From the actuals now, pence; null: the line is gone.")
    difference_pence: int = Field(description="Now less posted, pence: what the adjustment posts.")
    why: str = Field(description="The line's explanation.")

    @classmethod
    def of(cls, line: AdjustmentLine) -> AdjustmentLineOut:
        return cls(
            section=line.section.value,
            kind=line.kind,
            name=line.name,
            scheme=line.scheme,
            party=line.party,
            posted_pence=None if line.posted is None else line.posted.pence,
            now_pence=None if line.now is None else line.now.pence,
            difference_pence=line.difference.pence,
            why=line.why,
        )


class PostingOut(Out):
    account: str = Field(description="Ledger account.")
    amount_pence: int = Field(description="Debit positive, credit negative, pence.")


class TransactionOut(Out):
    """A balanced ledger transaction: its postings add up to zero."""

    key: str = Field(description="Idempotency key: posted once.")
    description: str = Field(description="What it is.")
    postings: list[PostingOut] = Field(description="Postings, adding up to zero pence.")

    @classmethod
    def of(cls, transaction: Transaction) -> TransactionOut:
        postings = [PostingOut(account=p.account, amount_pence=p.amount.pence) for p in transaction.postings]
        return cls(key=transaction.key, description=transaction.description, postings=postings)


class PendingAdjustmentOut(Out):
    """What an adjustment would post now (nothing is posted by reading it)."""

    number: int = Field(description="The number it would be given: 1, 2, ... within the period.")
    version: int = Field(description="The signed agreement version the period was settled under.")
    revisions: list[str] = Field(description="Each month revised since the period (or its last adjustment) was posted.")
    distributed_pence: int = Field(description="The change in the federation's share, split among its recipients.")
    lines: list[AdjustmentLineOut] = Field(description="Each party's share, statement lines moved, recipients.")
    transactions: list[TransactionOut] = Field(description="The balanced transactions it would post, once each.")

    @classmethod
    def of(cls, adjustment: Adjustment) -> PendingAdjustmentOut:
        return cls(
            number=adjustment.number,
            version=adjustment.version,
            revisions=list(adjustment.revisions),
            distributed_pence=adjustment.distributed.pence,
            lines=[AdjustmentLineOut.of(line) for line in adjustment.lines],
            transactions=[TransactionOut.of(tx) for tx in adjustment.transactions],
        )


class AdjustmentOut(Out):
    """A prior-period adjustment posted to the ledger."""

    id: int = Field(description="Adjustment id.")
    period: str = Field(description="Settlement period id.")
    number: int = Field(description="1, 2, ... within the period.")
    settlement_id: int = Field(description="The posted settlement it adjusts.")
    reason: str = Field(description="The months revised since the period (or its last adjustment) was posted.")
    distributed_pence: int = Field(description="The change in the federation's share, split among its recipients.")
    transaction_keys: list[str] = Field(description="The ledger transactions it posted.")
    lines: list[AdjustmentLineOut] = Field(description="Each party's share, statement lines moved, recipients.")
    created_by: int = Field(description="Who posted it.")
    created_at: datetime = Field(description="When.")
    already_posted: bool = Field(False, description="True when this answers an earlier attempt that posted it.")

    @classmethod
    def of(cls, record: AdjustmentRecord, already_posted: bool = False) -> AdjustmentOut:
        return cls(
            id=record.id,
            period=record.period,
            number=record.number,
            settlement_id=record.settlement_id,
            reason=record.reason,
            distributed_pence=record.distributed.pence,
            transaction_keys=list(record.transaction_keys),
            lines=[AdjustmentLineOut.of(line) for line in record.lines],
            created_by=record.created_by,
            created_at=record.created_at,
            already_posted=already_posted,
        )

    @classmethod
    def posting(cls, posting: AdjustmentPosting) -> AdjustmentOut:
        return cls.of(posting.record, posting.already_posted)


class AdjustmentStateOut(Out):
    """A period's prior-period adjustments: whether it is posted, what an adjustment would post now, and those
    posted."""

    period: str = Field(description="Settlement period id.")
    posted: bool = Field(description="Whether the period is posted at the year end (settlement and distribution).")
    pending: PendingAdjustmentOut | None = Field(description="What an adjustment would post now; null: nothing.")
    adjustments: list[AdjustmentOut] = Field(description="The adjustments posted, oldest first.")
