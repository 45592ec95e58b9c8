"""Prior-period adjustments: post the difference between what a period's settlement and distribution should be
now and what was posted, never rewriting what was posted.

Both sides of the difference are whole pence, so the difference is exact: for the ledger, account by account
(a difference of two balanced sets of postings is balanced); for the distribution, recipient by recipient, where
the distribution now is split by largest remainder from the share now, so the recipients' differences add up to
the difference in the share exactly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from gainshare.domain.distribution import AllocationLine, Distribution, RecipientKind
from gainshare.domain.ledger import Posting, Transaction
from gainshare.domain.money import Money

Recipient = tuple[RecipientKind, str]  # the kind of line and who receives it


def account_totals(transactions: Iterable[Transaction]) -> dict[str, Money]:
    """Each account's total over the transactions (debits positive)."""
    totals: dict[str, Money] = {}
    for transaction in transactions:
        for posting in transaction.postings:
            totals[posting.account] = totals.get(posting.account, Money(0)) + posting.amount
    return totals


def difference_transaction(
    key: str, description: str, posted: Mapping[str, Money], now: Mapping[str, Money]
) -> Transaction | None:
    """One balanced transaction moving each account from what was posted to what it is now; None if none moves.

    Accounts are in the order they first appear in `now`, then those only in `posted`.
    """
    accounts = [*now, *(account for account in posted if account not in now)]
    postings = [
        Posting(account, now.get(account, Money(0)) - posted.get(account, Money(0)))
        for account in accounts
        if now.get(account, Money(0)) != posted.get(account, Money(0))
    ]
    return Transaction(key, description, tuple(postings)) if postings else None


def recipient_amounts(lines: Iterable[AllocationLine]) -> dict[Recipient, Money]:
    """Each recipient's amount in a distribution."""
    amounts: dict[Recipient, Money] = {}
    for line in lines:
        amounts[(line.kind, line.recipient)] = amounts.get((line.kind, line.recipient), Money(0)) + line.amount
    return amounts


def distribution_difference(posted: Mapping[Recipient, Money], now: Distribution) -> Distribution:
    """What each recipient receives now less what was posted to it (a recipient no longer named gives its amount
    back), as a distribution of the difference in the share: its lines add up to it to the penny."""
    amounts = recipient_amounts(now.lines)
    described = {(line.kind, line.recipient): line for line in now.lines}
    lines: list[AllocationLine] = []
    for recipient in [*amounts, *(r for r in posted if r not in amounts)]:
        change = amounts.get(recipient, Money(0)) - posted.get(recipient, Money(0))
        if not change:
            continue
        line = described.get(recipient)
        kind, name = recipient
        basis = line.basis if line else f"{name} is no longer a recipient: its posted amount is reversed."
        lines.append(AllocationLine(name, kind, change, line.fraction if line else Decimal(0), basis))
    share = now.share - Money(sum(amount.pence for amount in posted.values()))
    return Distribution(now.federation, now.period, share, now.clause, tuple(lines))
