"""Distribution of the federation's share: the worked example of docs/monitoring.md, losses, ledger, properties."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gainshare.domain.agreement import Reinvestment
from gainshare.domain.distribution import (
    Basis,
    DistributionPolicy,
    LossHandling,
    PracticeMeasures,
    RecipientKind,
)
from gainshare.domain.errors import InvalidInputError
from gainshare.domain.money import Money
from gainshare.engines.distribution import distribute, distribution_transactions

D = Decimal
PRACTICES = (
    PracticeMeasures("A81001", D(8000), D(300), D("0.9")),
    PracticeMeasures("A81002", D(12000), D(100), D("0.8")),
    PracticeMeasures("A81003", D(5000), D(200), D("0.7")),
)
POLICY = DistributionPolicy(
    top_slice=D("0.10"),
    mix=((Basis.WEIGHTED_LIST, D("0.5")), (Basis.ACTIVITY, D("0.3")), (Basis.PERFORMANCE, D("0.2"))),
    reinvestment=(Reinvestment("Diabetes education", D("0.15")),),
)


def test_worked_example() -> None:
    """docs/monitoring.md: £100,000.01 split 10% management, 15% project, 75% to practices by a 50/30/20 mix."""
    result = distribute("FED", "2025-26", Money.parse("100000.01"), PRACTICES, POLICY)
    assert result.amount_for("FED") == Money.parse("10000.00")
    assert result.amount_for("Diabetes education") == Money.parse("15000.00")
    assert [line.amount for line in result.lines_of(RecipientKind.PRACTICE)] == [
        Money.parse("28875.01"), Money.parse("26750.00"), Money.parse("19375.00"),
    ]  # fmt: skip
    assert result.total() == result.share
    first = result.lines_of(RecipientKind.PRACTICE)[0]
    assert first.fraction == D("0.385") * D("0.75")
    assert "38.5000% of the practice pool £75,000.01" in first.basis
    assert dict(first.inputs)["weighted-list"] == "8000 of 25000, mix 50%"


def test_single_basis_by_weighted_list() -> None:
    policy = DistributionPolicy(D(0), ((Basis.WEIGHTED_LIST, D(1)),))
    result = distribute("FED", "P", Money(100), PRACTICES, policy)
    assert [line.amount.pence for line in result.lines_of(RecipientKind.PRACTICE)] == [32, 48, 20]


@pytest.mark.parametrize(
    ("handling", "management", "project", "practices"),
    [
        (LossHandling.LIKE_GAINS, -1000, -1500, [-2888, -2675, -1937]),
        (LossHandling.PRACTICES, 0, 0, [-3850, -3567, -2583]),
    ],
)
def test_losses_passed_on(handling: LossHandling, management: int, project: int, practices: list[int]) -> None:
    policy = DistributionPolicy(POLICY.top_slice, POLICY.mix, POLICY.reinvestment, handling)
    result = distribute("FED", "P", Money(-10000), PRACTICES, policy)
    assert result.amount_for("FED") == Money(management)
    assert result.amount_for("Diabetes education") == Money(project)
    assert [line.amount.pence for line in result.lines_of(RecipientKind.PRACTICE)] == practices
    assert result.total() == Money(-10000)


def test_losses_borne_centrally() -> None:
    policy = DistributionPolicy(POLICY.top_slice, POLICY.mix, POLICY.reinvestment, LossHandling.CENTRAL)
    result = distribute("FED", "P", Money(-10000), PRACTICES, policy)
    [line] = result.lines
    assert (line.kind, line.amount) == (RecipientKind.CENTRAL, Money(-10000))
    assert distribution_transactions(result) == []


def test_ledger_moves_each_line_from_the_federation() -> None:
    result = distribute("FED", "2025-26", Money.parse("100000.01"), PRACTICES, POLICY)
    transactions = distribution_transactions(result)
    assert [t.key for t in transactions] == [
        "FED/2025-26/distribution/practice", "FED/2025-26/distribution/project", "FED/2025-26/distribution/management",
    ]  # fmt: skip
    balances: dict[str, int] = {}
    for transaction in transactions:
        for posting in transaction.postings:
            balances[posting.account] = balances.get(posting.account, 0) + posting.amount.pence
    assert balances["FED:gain-share-for-distribution"] == -10000001
    assert balances["A81001:gain-share"] == 2887501
    assert balances["FED:reinvestment:Diabetes education"] == 1500000
    assert balances["FED:management"] == 1000000


def test_bad_policies_are_refused() -> None:
    policy = DistributionPolicy(D("0.9"), ((Basis.ACTIVITY, D(1)),), (Reinvestment("X", D("0.2")),))
    measures = (PracticeMeasures("A81001"), PracticeMeasures("A81001"))
    with pytest.raises(InvalidInputError) as raised:
        distribute("FED", "P", Money(100), measures, policy)
    assert {issue.code for issue in raised.value.issues} == {
        "distribution.rates", "distribution.practices", "distribution.mix",
    }  # fmt: skip


measures = st.builds(
    lambda n, i, a, s: PracticeMeasures(f"P{n:05d}", D(i), D(a), D(s) / 10),
    st.integers(0, 99999), st.integers(1, 20000), st.integers(1, 500), st.integers(1, 10),
)  # fmt: skip
rate = st.integers(0, 300).map(lambda n: D(n) / 1000)


@given(
    st.lists(measures, min_size=1, max_size=12, unique_by=lambda m: m.practice),
    st.integers(-(10**10), 10**10),
    rate,
    st.lists(rate.map(lambda r: r * 2 / 3), max_size=3),
    st.lists(st.integers(0, 5), min_size=3, max_size=3).filter(any),
    st.sampled_from(list(LossHandling)),
)
def test_every_penny_is_allocated_and_the_ledger_balances(
    practices: list[PracticeMeasures],
    share: int,
    top: Decimal,
    projects: list[Decimal],
    mix: list[int],
    losses: LossHandling,
) -> None:
    policy = DistributionPolicy(
        top,
        tuple(zip(Basis, (D(m) for m in mix), strict=True)),
        tuple(Reinvestment(f"project {i}", r) for i, r in enumerate(projects)),
        losses,
    )
    result = distribute("FED", "P", Money(share), practices, policy)
    assert result.total() == Money(share)
    assert all((line.amount.pence >= 0) == (share >= 0) or line.amount.pence == 0 for line in result.lines)
    moved = sum(
        posting.amount.pence
        for transaction in distribution_transactions(result)
        for posting in transaction.postings
        if posting.account == "FED:gain-share-for-distribution"
    )
    central = sum(line.amount.pence for line in result.lines_of(RecipientKind.CENTRAL))
    assert moved == -(share - central)
