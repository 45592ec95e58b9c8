"""Inter-practice referral statements, netting, ledger and the CSV export for the payment system."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gainshare.adapters.referral_export import COLUMNS, statements_csv
from gainshare.domain.errors import InvalidInputError
from gainshare.domain.money import Money
from gainshare.domain.referrals import ReferralItem
from gainshare.engines.referrals import monthly_statements, referral_transactions

ITEMS = [
    ReferralItem("A81002", "A81001", "2025-05", 10, Money.parse("35.00")),  # A81002 pays A81001 £350
    ReferralItem("A81003", "A81001", "2025-05", 4, Money.parse("35.00")),  # A81003 pays A81001 £140
    ReferralItem("A81001", "A81002", "2025-05", 3, Money.parse("22.50")),  # A81001 pays A81002 £67.50
    ReferralItem("A81001", "A81003", "2025-06", 1, Money.parse("22.50")),
    ReferralItem("A81002", "A81001", "2025-05", 2, Money.parse("35.00")),  # same pair again: £70 more
]


def test_statements_and_nets() -> None:
    may, june = monthly_statements(ITEMS)
    assert (may.month, june.month) == ("2025-05", "2025-06")
    hub = may.statement_of("A81001")
    assert (hub.items_in, hub.amount_in, hub.items_out, hub.amount_out) == (
        16, Money.parse("560.00"), 3, Money.parse("67.50"),
    )  # fmt: skip
    assert hub.net == Money.parse("492.50")
    assert may.statement_of("A81002").net == Money.parse("-352.50")
    assert may.statement_of("A81003").net == Money.parse("-140.00")
    assert may.total_net() == Money(0)
    [line] = [line for line in hub.lines if line.counterparty == "A81002"]
    assert (line.items_in, line.amount_in, line.items_out, line.amount_out) == (
        12, Money.parse("420.00"), 3, Money.parse("67.50"),
    )  # fmt: skip


def test_ledger_runs_through_the_federation_clearing_account() -> None:
    may = monthly_statements(ITEMS)[0]
    [transaction] = referral_transactions(may, "FED")
    postings = {(p.account, p.amount) for p in transaction.postings}
    assert ("A81001:inter-practice-referrals", Money.parse("492.50")) in postings
    assert ("A81002:inter-practice-referrals", Money.parse("-352.50")) in postings
    assert ("FED:referral-clearing", Money.parse("492.50")) in postings
    assert ("FED:referral-clearing", Money.parse("-492.50")) in postings
    assert transaction.key == "FED/2025-05/inter-practice-referrals"


def test_csv_export_has_one_row_per_practice_per_month() -> None:
    text = statements_csv(monthly_statements(ITEMS))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0]) == COLUMNS
    assert len(rows) == 5
    assert rows[0] == {
        "month": "2025-05", "practice": "A81001", "items_referred_out": "3", "amount_referred_out": "67.50",
        "items_received": "16", "amount_received": "560.00", "net_amount": "492.50", "action": "receive",
    }  # fmt: skip
    assert rows[1]["action"] == "pay" and rows[1]["net_amount"] == "-352.50"


def test_bad_items_are_refused_naming_row_and_column() -> None:
    bad = [
        ReferralItem("A81001", "A81001", "2025-13", -1, Money(-5), source_row=7),
    ]
    with pytest.raises(InvalidInputError) as raised:
        monthly_statements(bad, "referrals.csv")
    assert {issue.code for issue in raised.value.issues} == {
        "referral.self", "referral.month", "referral.items", "referral.price",
    }  # fmt: skip
    assert raised.value.issues[0].render().startswith("referrals.csv, row 7, column 'month'")


practices = st.sampled_from(["A81001", "A81002", "A81003", "A81004", "Y01234"])
items = st.builds(
    ReferralItem,
    practices,
    practices,
    st.sampled_from(["2025-04", "2025-05", "2026-03"]),
    st.integers(0, 500),
    st.integers(0, 10_000).map(Money),
).filter(lambda item: item.referring != item.providing)


@given(st.lists(items, max_size=40))
def test_nets_sum_to_zero_and_every_month_balances(referrals: list[ReferralItem]) -> None:
    nettings = monthly_statements(referrals)
    for netting in nettings:
        assert netting.total_net() == Money(0)
        in_total = sum(s.amount_in.pence for s in netting.statements)
        out_total = sum(s.amount_out.pence for s in netting.statements)
        assert in_total == out_total == sum(i.amount.pence for i in referrals if i.month == netting.month)
        for transaction in referral_transactions(netting, "FED"):
            assert sum(p.amount.pence for p in transaction.postings) == 0
            clearing = [p.amount.pence for p in transaction.postings if p.account == "FED:referral-clearing"]
            assert sum(clearing) == 0
