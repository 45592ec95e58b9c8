"""Payments on account: instalments, revision diffs and the true-up."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gainshare.domain.errors import InvalidInputError
from gainshare.domain.money import Money
from gainshare.domain.terms import Instalment, PaymentsOnAccount
from gainshare.engines.payments import payment_schedule, revise_schedule, true_up

QUARTERLY = PaymentsOnAccount(
    (
        Instalment("2025-07-15", Decimal("0.20")),
        Instalment("2025-10-15", Decimal("0.40")),
        Instalment("2026-01-15", Decimal("0.60")),
        Instalment("2026-04-15", Decimal("0.80")),
    )
)


def amounts(schedule_items: tuple) -> list[Money]:  # type: ignore[type-arg]
    return [item.amount for item in schedule_items]


def test_each_instalment_is_the_cumulative_share_less_what_was_paid() -> None:
    schedule = payment_schedule(QUARTERLY, Money.parse("100000.01"))
    assert [item.cumulative_due for item in schedule.instalments] == [
        Money.parse("20000.00"), Money.parse("40000.00"), Money.parse("60000.01"), Money.parse("80000.01"),
    ]  # fmt: skip
    assert amounts(schedule.instalments) == [
        Money.parse("20000.00"), Money.parse("20000.00"), Money.parse("20000.01"), Money.parse("20000.00"),
    ]  # fmt: skip
    assert schedule.total() == Money.parse("80000.01")
    assert schedule.paid_by(date(2025, 12, 31)) == Money.parse("40000.00")


def test_a_forecast_loss_means_nothing_on_account() -> None:
    schedule = payment_schedule(QUARTERLY, Money.parse("-5000"))
    assert schedule.total() == Money(0)


def test_revision_keeps_paid_instalments_and_explains_what_moved() -> None:
    first = payment_schedule(QUARTERLY, Money.from_pounds(100_000))
    revision = revise_schedule(first, QUARTERLY, Money.from_pounds(70_000), date(2025, 11, 1), "late SUS data")
    assert amounts(revision.schedule.instalments) == [
        Money.from_pounds(20_000), Money.from_pounds(20_000), Money.from_pounds(2_000), Money.from_pounds(14_000),
    ]  # fmt: skip
    assert [item.fixed for item in revision.schedule.instalments] == [True, True, False, False]
    assert [change.due for change in revision.changes] == [date(2026, 1, 15), date(2026, 4, 15)]
    assert [change.change for change in revision.changes] == [Money.from_pounds(-18_000), Money.from_pounds(-6_000)]
    assert revision.total_change() == Money.from_pounds(-24_000)
    why = revision.changes[0].why
    assert "£100,000.00 to £70,000.00 (late SUS data)" in why and "60% of the forecast share" in why


def test_a_fall_below_what_was_paid_is_left_to_the_true_up() -> None:
    first = payment_schedule(QUARTERLY, Money.from_pounds(100_000))
    revision = revise_schedule(first, QUARTERLY, Money.from_pounds(30_000), date(2025, 11, 1), "revised baseline")
    assert amounts(revision.schedule.instalments)[2:] == [Money(0), Money(0)]
    assert "paid ahead is settled at the true-up" in revision.changes[0].why
    settled = true_up(Money.from_pounds(25_000), revision.schedule)
    assert settled.paid_on_account == Money.from_pounds(40_000)
    assert settled.amount == Money.from_pounds(-15_000)
    assert "recovered from the provider" in settled.explanation


def test_an_unchanged_forecast_moves_nothing() -> None:
    first = payment_schedule(QUARTERLY, Money.from_pounds(1_000))
    assert revise_schedule(first, QUARTERLY, Money.from_pounds(1_000), date(2025, 8, 1), "none").changes == ()


def test_bad_instalments_are_refused() -> None:
    terms = PaymentsOnAccount(
        (Instalment("2025-13-01", Decimal("0.5")), Instalment("2025-07-01", Decimal("0.6")),
         Instalment("2025-08-01", Decimal("0.4")), Instalment("2025-09-01", Decimal("1.5")))
    )  # fmt: skip
    with pytest.raises(InvalidInputError) as raised:
        payment_schedule(terms, Money(100))
    messages = [issue.message for issue in raised.value.issues]
    assert any("not a date" in m for m in messages)
    assert any("falls from 60% to 40%" in m for m in messages)
    assert any("not between 0% and 100%" in m for m in messages)


percents = st.lists(st.integers(min_value=0, max_value=100), min_size=1, max_size=6).map(sorted)


@given(percents, st.integers(min_value=-(10**9), max_value=10**9), st.integers(min_value=-(10**9), max_value=10**9))
def test_schedules_never_ask_for_negative_amounts_and_true_up_closes(
    steps: list[int], forecast: int, revised: int
) -> None:
    terms = PaymentsOnAccount(
        tuple(Instalment(f"2025-{month + 1:02d}-01", Decimal(p) / 100) for month, p in enumerate(steps))
    )
    schedule = payment_schedule(terms, Money(forecast))
    assert all(item.amount >= Money(0) for item in schedule.instalments)
    assert schedule.total() == max(Money(0), schedule.instalments[-1].cumulative_due)
    revision = revise_schedule(schedule, terms, Money(revised), date(2025, 3, 15), "test")
    assert all(item.amount >= Money(0) for item in revision.schedule.instalments)
    assert revision.schedule.total() - schedule.total() == revision.total_change()
    final = Money(revised)
    assert true_up(final, revision.schedule).amount + revision.schedule.total() == final
