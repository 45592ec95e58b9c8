"""Double-entry ledger: every transaction's postings sum to zero pence."""

from __future__ import annotations

from dataclasses import dataclass

from gainshare.domain.errors import UnbalancedLedgerError
from gainshare.domain.money import Money


@dataclass(frozen=True, slots=True)
class Posting:
    account: str
    amount: Money  # positive: debit; negative: credit


@dataclass(frozen=True, slots=True)
class Transaction:
    key: str  # idempotency key: posting the same key twice is refused by the ledger store
    description: str
    postings: tuple[Posting, ...]

    def __post_init__(self) -> None:
        balance = sum(posting.amount.pence for posting in self.postings)
        if balance != 0:
            raise UnbalancedLedgerError(f"transaction {self.key!r} is out of balance by {balance} pence")
        if len(self.postings) < 2:
            raise UnbalancedLedgerError(f"transaction {self.key!r} needs at least two postings")


def transfer(key: str, description: str, payer: str, payee: str, amount: Money) -> Transaction:
    """Money from payer's account to payee's account (a negative amount flows the other way)."""
    return Transaction(key, description, (Posting(payee, amount), Posting(payer, -amount)))
