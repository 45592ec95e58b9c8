"""Monthly inter-practice referral statements, netted so that each practice pays or receives one amount.

Settlement runs through the federation as clearing account: each practice that owes pays its net to the
federation, and the federation pays each practice that is owed its net. Every practice then makes or receives
one payment a month, never one per counterparty, and the clearing account returns to zero because the nets add
up to zero.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence

from gainshare.domain.errors import InvalidInputError
from gainshare.domain.issues import Issue, Source
from gainshare.domain.ledger import Posting, Transaction
from gainshare.domain.money import Money
from gainshare.domain.referrals import CounterpartyLine, MonthlyNetting, PracticeStatement, ReferralItem

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
# (items out, pence out, items in, pence in) per (practice, counterparty)
_Flows = dict[tuple[str, str], list[int]]


def monthly_statements(items: Sequence[ReferralItem], source: str | None = None) -> list[MonthlyNetting]:
    """One netting per month, in month order, with a statement for every practice named that month."""
    issues = check_items(items, source)
    if issues:
        raise InvalidInputError(issues)
    by_month: dict[str, _Flows] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0, 0]))
    for item in items:
        flows = by_month[item.month]
        out = flows[(item.referring, item.providing)]
        out[0] += item.items
        out[1] += item.amount.pence
        received = flows[(item.providing, item.referring)]
        received[2] += item.items
        received[3] += item.amount.pence
    return [_netting(month, by_month[month]) for month in sorted(by_month)]


def _netting(month: str, flows: _Flows) -> MonthlyNetting:
    lines: dict[str, list[CounterpartyLine]] = defaultdict(list)
    for (practice, counterparty), (items_out, out, items_in, received) in sorted(flows.items()):
        lines[practice].append(CounterpartyLine(counterparty, items_out, Money(out), items_in, Money(received)))
    statements = tuple(PracticeStatement(practice, month, tuple(lines[practice])) for practice in sorted(lines))
    return MonthlyNetting(month, statements)


def check_items(items: Sequence[ReferralItem], source: str | None = None) -> list[Issue]:
    """Every problem with the items, each naming its row and column."""
    issues: list[Issue] = []
    for index, item in enumerate(items):
        row = item.source_row if item.source_row is not None else index + 1
        for code, column, text in _problems(item):
            issues.append(Issue(f"referral.{code}", text, Source(file=source, row=row, column=column)))
    return issues


def _problems(item: ReferralItem) -> list[tuple[str, str, str]]:
    problems: list[tuple[str, str, str]] = []
    if not _MONTH.match(item.month):
        problems.append(("month", "month", f"{item.month!r} is not a month (YYYY-MM)"))
    if item.referring == item.providing:
        problems.append(("self", "providing", f"{item.referring} refers to itself"))
    if item.items < 0:
        problems.append(("items", "items", f"{item.items} items is negative"))
    if item.price.pence < 0:
        problems.append(("price", "price", f"price {item.price} is negative"))
    return problems


def referral_transactions(netting: MonthlyNetting, federation: str) -> list[Transaction]:
    """One balanced transaction for the month through the federation's clearing account."""
    clearing = f"{federation}:referral-clearing"
    postings = [
        Posting(f"{statement.practice}:inter-practice-referrals", statement.net)
        for statement in netting.statements
        if statement.net
    ]
    if not postings:
        return []
    collected = Money(sum(-p.amount.pence for p in postings if p.amount.pence < 0))
    paid_out = Money(sum(p.amount.pence for p in postings if p.amount.pence > 0))
    clearing_postings = (Posting(clearing, collected), Posting(clearing, -paid_out))
    key = f"{federation}/{netting.month}/inter-practice-referrals"
    description = f"Inter-practice referrals {netting.month}: nets paid to and from the federation"
    return [Transaction(key, description, (*postings, *clearing_postings))]
