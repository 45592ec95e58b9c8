"""Payment schedule arithmetic, worked by hand: entitlements, stages, milestones, mergers, closures, openings."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from gainshare.domain.incentives import (
    ClosedPracticeRule,
    Closure,
    LineStatus,
    Merger,
    OpenedPracticeRule,
    PatientBasis,
    PatientCount,
    PaymentSchedule,
    PayTo,
    SignOff,
    Stage,
)
from gainshare.domain.ledger import Transaction
from gainshare.domain.money import Money
from gainshare.domain.practices import PracticeList
from gainshare.engines.incentives import payment_schedule, payment_transactions
from tests.incentives.conftest import SNAPSHOT, elr_scheme, practice


def line(schedule: PaymentSchedule, stage: str, practice: str):  # type: ignore[no-untyped-def]
    return next(item for item in schedule.lines if item.stage_id == stage and item.practice_code == practice)


def test_entitlements_are_rate_times_snapshot_list_and_stages_add_up(counts, practices) -> None:  # type: ignore[no-untyped-def]
    schedule = payment_schedule(elr_scheme(), counts, practices, [], as_of=date(2015, 7, 1))
    # 1001 + 2003 + 3000 patients at GBP 2.50 = GBP 15,010.00; C82004 opened after the snapshot, C82099 is no member.
    assert schedule.total_patients == 6004
    assert schedule.total_entitlement == Money(1_501_000)
    assert {item.practice_code: item.amount.pence for item in schedule.entitlements} == {
        "C82001": 250_250,
        "C82002": 500_750,
        "C82003": 750_000,
    }
    assert [line(schedule, stage, "C82001").entitlement.pence for stage in ("up-front", "year-1", "year-2")] == [
        50_050,
        100_100,
        100_100,
    ]
    assert sum(item.entitlement.pence for item in schedule.lines) == 1_501_000
    reasons = {item.practice_code: item.reason for item in schedule.exclusions}
    assert reasons["C82004"] == "opened on 2015-06-01, after the list snapshot of 2015-04-01"
    assert reasons["C82099"] == "not a member practice of the federation"


def test_up_front_is_payable_on_its_due_date_and_milestones_wait_for_sign_off(counts, practices) -> None:  # type: ignore[no-untyped-def]
    schedule = payment_schedule(elr_scheme(), counts, practices, [], as_of=date(2016, 6, 30))
    up_front = line(schedule, "up-front", "C82002")
    assert (up_front.status, up_front.pay_date, up_front.amount) == (
        LineStatus.PAYABLE,
        date(2015, 7, 1),
        Money(100_150),
    )
    year_one = line(schedule, "year-1", "C82002")
    assert year_one.status is LineStatus.AWAITING_SIGN_OFF
    assert year_one.pay_date is None
    assert "geography, leadership, vision, objectives and governance" in year_one.reason
    assert schedule.total_payable == Money(300_200)  # the three up-front payments only


def test_a_signed_off_milestone_is_paid_on_the_later_of_due_date_and_sign_off(counts, practices) -> None:  # type: ignore[no-untyped-def]
    sign_offs = [SignOff("year-1", "C82001", date(2016, 4, 15)), SignOff("year-1", "C82003", date(2016, 2, 1))]
    schedule = payment_schedule(elr_scheme(), counts, practices, sign_offs, as_of=date(2016, 4, 1))
    early = line(schedule, "year-1", "C82003")
    assert (early.status, early.pay_date) == (LineStatus.PAYABLE, date(2016, 3, 31))
    late = line(schedule, "year-1", "C82001")
    assert (late.status, late.pay_date) == (LineStatus.SCHEDULED, date(2016, 4, 15))
    assert line(schedule, "year-1", "C82002").status is LineStatus.AWAITING_SIGN_OFF


def test_a_federation_wide_sign_off_releases_every_practice(counts, practices) -> None:  # type: ignore[no-untyped-def]
    schedule = payment_schedule(
        elr_scheme(), counts, practices, [SignOff("year-1", None, date(2016, 3, 1))], date(2016, 4, 1)
    )
    assert {item.status for item in schedule.lines if item.stage_id == "year-1"} == {LineStatus.PAYABLE}


def test_a_merged_practice_is_paid_through_its_successor_after_the_merger(counts, practices) -> None:  # type: ignore[no-untyped-def]
    scheme = elr_scheme(mergers=(Merger(("C82002",), "C82001", date(2016, 1, 1)),))
    schedule = payment_schedule(
        scheme, counts, practices, [SignOff("year-1", None, date(2016, 3, 1))], date(2016, 4, 1)
    )
    assert line(schedule, "up-front", "C82002").payee_code == "C82002"  # paid before the merger
    merged = line(schedule, "year-1", "C82002")
    assert (merged.payee_code, merged.amount) == ("C82001", Money(200_300))
    assert "merged into C82001 on 2016-01-01" in merged.reason
    assert schedule.by_payee()["C82001"] == Money(250_250 + 200_300 + 200_300)


def test_a_closed_practice_gets_nothing_after_closure_by_default(counts, practices) -> None:  # type: ignore[no-untyped-def]
    scheme = elr_scheme(closures=(Closure("C82003", date(2016, 9, 30)),))
    schedule = payment_schedule(
        scheme, counts, practices, [SignOff("year-2", None, date(2017, 3, 1))], date(2017, 4, 1)
    )
    closed = line(schedule, "year-2", "C82003")
    assert (closed.status, closed.amount, closed.withheld) == (LineStatus.WITHHELD, Money(0), Money(300_000))
    assert "closed on 2016-09-30" in closed.reason


def test_pro_rata_pays_the_share_of_the_stage_period_the_practice_was_open(counts, practices) -> None:  # type: ignore[no-untyped-def]
    scheme = elr_scheme(closures=(Closure("C82003", date(2016, 9, 30)),), closed_rule=ClosedPracticeRule.PRO_RATA)
    schedule = payment_schedule(
        scheme, counts, practices, [SignOff("year-2", None, date(2017, 3, 1))], date(2017, 4, 1)
    )
    closed = line(schedule, "year-2", "C82003")
    # year two runs 2016-04-01 to 2017-03-31 (365 days); open 183 of them: 300,000p x 183 / 365 = 150,410.96p.
    assert (closed.status, closed.amount) == (LineStatus.PRO_RATA, Money(150_411))
    assert closed.withheld == Money(149_589)


def test_closure_from_the_ods_list_counts_too(counts) -> None:  # type: ignore[no-untyped-def]
    listed = PracticeList((practice("C82001"), practice("C82002"), practice("C82003", closed=date(2015, 6, 30))))
    schedule = payment_schedule(elr_scheme(), counts, listed, [], as_of=date(2015, 7, 1))
    assert line(schedule, "up-front", "C82003").status is LineStatus.WITHHELD
    assert line(schedule, "up-front", "C82001").status is LineStatus.PAYABLE


def test_a_practice_opened_after_the_snapshot_counts_on_its_first_list_when_the_rule_says_so(counts, practices) -> None:  # type: ignore[no-untyped-def]
    scheme = elr_scheme(opened_rule=OpenedPracticeRule.FIRST_LIST_AFTER_OPENING)
    schedule = payment_schedule(scheme, counts, practices, [], as_of=date(2015, 7, 1))
    opened = next(item for item in schedule.entitlements if item.practice_code == "C82004")
    assert (opened.patients, opened.counted_on, opened.amount) == (Decimal(500), date(2015, 7, 1), Money(125_000))


def test_pennies_from_a_fractional_rate_are_shared_by_largest_remainder() -> None:
    scheme = elr_scheme(
        rate_per_patient=Decimal("0.333"),
        members=frozenset({"A", "B", "C"}),
        eligibility=elr_scheme().eligibility.__class__(),
        stages=(
            Stage("one", "One", Decimal("0.5"), date(2015, 5, 1)),
            Stage("two", "Two", Decimal("0.5"), date(2015, 6, 1)),
        ),
    )
    counts = [PatientCount(code, SNAPSHOT, Decimal(n)) for code, n in (("A", 1000), ("B", 1000), ("C", 1001))]
    schedule = payment_schedule(scheme, counts, None, [], as_of=date(2015, 6, 1))
    # 3001 x 0.333 = GBP 999.333 -> 99,933p; quotas 33,299.73 / 33,299.73 / 33,333.03: the two pennies left go to A, B.
    assert schedule.total_entitlement == Money(99_933)
    assert [item.amount.pence for item in schedule.entitlements] == [33_300, 33_300, 33_333]
    assert [line(schedule, stage, "C").entitlement.pence for stage in ("one", "two")] == [16_667, 16_666]
    assert sum(item.amount.pence for item in schedule.lines) == 99_933


def test_weighted_patients_may_be_fractional() -> None:
    scheme = elr_scheme(
        basis=PatientBasis.WEIGHTED, members=frozenset({"A", "B"}), eligibility=elr_scheme().eligibility.__class__()
    )
    counts = [PatientCount("A", SNAPSHOT, Decimal("1000.5")), PatientCount("B", SNAPSHOT, Decimal("999.25"))]
    schedule = payment_schedule(scheme, counts, None, [], as_of=date(2015, 4, 1))
    # 1999.75 weighted patients x GBP 2.50 = GBP 4,999.375 -> 499,938p (half-up): A 250,125.0..., B 249,812.5...
    assert schedule.total_entitlement == Money(499_938)
    assert [item.amount.pence for item in schedule.entitlements] == [250_125, 249_813]


def test_transactions_balance_and_move_exactly_the_payable_amounts(counts, practices) -> None:  # type: ignore[no-untyped-def]
    scheme = elr_scheme(closures=(Closure("C82003", date(2016, 9, 30)),), closed_rule=ClosedPracticeRule.PRO_RATA)
    sign_offs = [SignOff("year-1", None, date(2016, 3, 1)), SignOff("year-2", None, date(2017, 3, 1))]
    schedule = payment_schedule(scheme, counts, practices, sign_offs, as_of=date(2017, 4, 1))
    transactions = payment_transactions(scheme, schedule)
    assert all(isinstance(tx, Transaction) for tx in transactions)
    balances: dict[str, int] = {}
    for tx in transactions:
        assert sum(posting.amount.pence for posting in tx.postings) == 0
        for posting in tx.postings:
            balances[posting.account] = balances.get(posting.account, 0) + posting.amount.pence
    assert balances["03W:incentive-payments"] == -schedule.total_payable.pence
    assert schedule.total_payable + schedule.total_withheld == schedule.total_entitlement
    assert balances["C82003:incentive-received"] == 150_000 + 300_000 + 150_411
    assert len({tx.key for tx in transactions}) == len(transactions)


def test_paying_the_federation_credits_its_account(counts, practices) -> None:  # type: ignore[no-untyped-def]
    scheme = elr_scheme(pay_to=PayTo.FEDERATION)
    schedule = payment_schedule(scheme, counts, practices, [], as_of=date(2015, 7, 1))
    accounts = {posting.account for tx in payment_transactions(scheme, schedule) for posting in tx.postings}
    assert accounts == {"03W:incentive-payments", "Y02345:incentive-received"}
