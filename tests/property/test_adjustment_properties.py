"""Properties of prior-period adjustments for any shares and measures: the distribution's differences add up to the
change in the share to the penny and post as balanced transactions; applied on top of what was posted they give the
split of the share now; a ledger difference is balanced and brings each account to its amount now."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from gainshare.domain.agreement import Reinvestment
from gainshare.domain.distribution import Basis, DistributionPolicy, LossHandling, PracticeMeasures
from gainshare.domain.money import Money
from gainshare.engines.adjustments import (
    account_totals,
    difference_transaction,
    distribution_difference,
    recipient_amounts,
)
from gainshare.engines.distribution import distribute, distribution_transactions

shares = st.integers(min_value=-(10**9), max_value=10**9).map(Money)
measures = st.lists(st.integers(min_value=1, max_value=50_000), min_size=1, max_size=6)
losses = st.sampled_from(list(LossHandling))


@settings(max_examples=300, deadline=None)
@given(shares, shares, measures, st.integers(min_value=0, max_value=30), losses)
def test_distribution_differences_add_up_and_land_on_the_split_now(
    before: Money, after: Money, lists: list[int], top: int, handling: LossHandling
) -> None:
    practices = [PracticeMeasures(f"P{index}", Decimal(size)) for index, size in enumerate(lists)]
    projects = (Reinvestment("Project", Decimal("0.15")),)
    policy = DistributionPolicy(Decimal(top) / 100, ((Basis.WEIGHTED_LIST, Decimal(1)),), projects, handling)
    posted = distribute("FED", "2025-26", before, practices, policy)
    now = distribute("FED", "2025-26", after, practices, policy)
    difference = distribution_difference(recipient_amounts(posted.lines), now)
    assert difference.total() == difference.share == after - before
    for transaction in distribution_transactions(difference):
        assert sum(posting.amount.pence for posting in transaction.postings) == 0  # Transaction checks it too
    landed = recipient_amounts(posted.lines)
    for line in difference.lines:
        key = (line.kind, line.recipient)
        landed[key] = landed.get(key, Money(0)) + line.amount
    assert {key: amount for key, amount in landed.items() if amount} == {
        key: amount for key, amount in recipient_amounts(now.lines).items() if amount
    }


accounts = st.dictionaries(st.sampled_from(["A", "B", "C", "D"]), st.integers(-(10**6), 10**6), max_size=4)


@settings(max_examples=300, deadline=None)
@given(accounts, accounts)
def test_a_ledger_difference_is_balanced_and_brings_each_account_to_now(
    posted: dict[str, int], now: dict[str, int]
) -> None:
    def balanced(amounts: dict[str, int]) -> dict[str, Money]:
        found = {account: Money(pence) for account, pence in amounts.items()}
        found["balancing"] = Money(-sum(amounts.values()))
        return found

    before, after = balanced(posted), balanced(now)
    transaction = difference_transaction("key", "difference", before, after)
    if transaction is None:
        assert {k: v for k, v in before.items() if v} == {k: v for k, v in after.items() if v}
        return
    totals = account_totals([transaction])  # a Transaction is balanced, or it cannot be made
    for account, amount in before.items():
        totals[account] = totals.get(account, Money(0)) + amount
    assert {k: v for k, v in totals.items() if v} == {k: v for k, v in after.items() if v}
