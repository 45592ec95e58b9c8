"""The monitoring repositories' contract on memory, SQLite and PostgreSQL, and what the database itself refuses."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from gainshare.domain.errors import ConflictError, NotFoundError
from gainshare.domain.money import Money
from gainshare.domain.referrals import ReferralItem
from gainshare.engines.referrals import monthly_statements
from gainshare.services.ports import ActualsEntry, DistributionLineRecord, InstalmentRecord
from tests.persistence.conftest import Backend
from tests.persistence.test_concurrency import THREADS, _race
from tests.persistence.test_database_guards import _refused, _run, on_sql
from tests.persistence.test_repository_contract import NOW, seed


def entry(practice: str = "Z00001", month: str = "2025-04", hospital: int = 40, **changes: int) -> ActualsEntry:
    return ActualsEntry(
        scheme="anticoag",
        practice=practice,
        month=month,
        baseline_activity=changes.get("baseline", 60),
        hospital_activity=hospital,
        hub_activity=changes.get("hub", 20),
        baseline_cost=Money(changes.get("baseline_cost", 204_000)),
        hospital_cost=Money(hospital * 3400),
        hub_cost=Money(changes.get("hub", 20) * 2150),
    )


def test_a_revision_supersedes_the_current_row_and_keeps_the_old_one(backend: Backend) -> None:
    ids = seed(backend)
    with backend.units() as uow:
        first = uow.actuals.record(ids.agreement, entry(), None, ids.user, NOW)
        other = uow.actuals.record(ids.agreement, entry(practice="Z00002"), None, ids.user, NOW)
        uow.commit()
    with backend.units() as uow:
        revised = uow.actuals.record(ids.agreement, entry(hospital=35), None, ids.user, NOW)
        uow.commit()
    assert (first.revision, first.supersedes_id) == (1, None)
    assert (revised.revision, revised.supersedes_id) == (2, first.id)
    with backend.units() as uow:
        current = uow.actuals.current(ids.agreement)
        history = uow.actuals.history(ids.agreement)
    assert [(a.entry.practice, a.entry.hospital_activity) for a in current] == [("Z00001", 35), ("Z00002", 40)]
    assert [a.id for a in history] == [first.id, other.id, revised.id]
    assert history[0].entry == entry()
    assert history[2].entry.hospital_cost == Money(35 * 3400)


def test_uncommitted_actuals_are_rolled_back_and_unknown_agreements_refused(backend: Backend) -> None:
    ids = seed(backend)
    with backend.units() as uow:
        uow.actuals.record(ids.agreement, entry(), None, ids.user, NOW)
    with backend.units() as uow:
        assert uow.actuals.current(ids.agreement) == []
        with pytest.raises(NotFoundError):
            uow.actuals.record(9999, entry(), None, ids.user, NOW)


def test_concurrent_revisions_of_one_cell_keep_exactly_one(backend: Backend) -> None:
    ids = seed(backend)
    with backend.units() as uow:
        uow.actuals.record(ids.agreement, entry(), None, ids.user, NOW)
        uow.commit()

    def revise() -> None:
        with backend.units() as uow:
            uow.actuals.record(ids.agreement, entry(hospital=30), None, ids.user, NOW)
            uow.commit()

    wins, failures = _race(revise)
    assert wins + len(failures) == THREADS
    assert all(isinstance(error, ConflictError) for error in failures), failures
    with backend.units() as uow:
        history = uow.actuals.history(ids.agreement)
    revisions = [a.revision for a in history]
    assert revisions == list(range(1, wins + 2))  # a chain: each row superseded at most once
    assert len({a.supersedes_id for a in history}) == len(history)


def test_payment_schedules_are_numbered_and_payments_made_once(backend: Backend) -> None:
    ids = seed(backend)
    instalments = (
        InstalmentRecord(date(2026, 1, 31), Decimal("0.50"), Money(1_000), False),
        InstalmentRecord(date(2025, 10, 31), Decimal("0.25"), Money(1_000), True),
    )
    with backend.units() as uow:
        assert uow.schedules.latest(ids.agreement, "2025-26") is None
        first = uow.schedules.add(
            ids.agreement, "2025-26", Money(4_000), date(2025, 9, 1), "first", instalments, 1, NOW
        )
        second = uow.schedules.add(ids.agreement, "2025-26", Money(5_000), date(2025, 11, 1), "late data", (), 1, NOW)
        uow.schedules.record_payment(ids.agreement, "2025-26", date(2025, 10, 31), Money(1_000), "k/1", ids.user, NOW)
        with pytest.raises(ConflictError):
            uow.schedules.record_payment(
                ids.agreement, "2025-26", date(2025, 10, 31), Money(1_000), "k/2", ids.user, NOW
            )
        uow.commit()
    assert (first.number, second.number) == (1, 2)
    with backend.units() as uow:
        latest = uow.schedules.latest(ids.agreement, "2025-26")
        first_again = uow.schedules.add(ids.agreement, "2026-27", Money(1), date(2026, 4, 1), "x", instalments, 1, NOW)
        payments = uow.schedules.payments(ids.agreement)
    assert latest is not None and latest.number == 2 and latest.forecast_share == Money(5_000)
    assert [item.due for item in first_again.instalments] == [date(2025, 10, 31), date(2026, 1, 31)]
    assert first_again.instalments[0].cumulative_percent == Decimal("0.25")
    assert [(p.due, p.amount, p.transaction_key) for p in payments] == [(date(2025, 10, 31), Money(1_000), "k/1")]


def test_a_period_is_distributed_once(backend: Backend) -> None:
    ids = seed(backend)
    lines = (
        DistributionLineRecord("FED", "management", Money(100), Decimal("0.1"), "top-slice"),
        DistributionLineRecord("Z00001", "practice", Money(900), Decimal("0.9"), "weighted list"),
    )
    with backend.units() as uow:
        record = uow.distributions.add(ids.agreement, "2025-26", None, "FED", Money(1_000), "10%", lines, 1, NOW)
        with pytest.raises(ConflictError):
            uow.distributions.add(ids.agreement, "2025-26", None, "FED", Money(1_000), "10%", lines, 1, NOW)
        uow.commit()
    with backend.units() as uow:
        assert uow.distributions.for_agreement(ids.agreement) == [record]
    assert record.lines == lines


def test_referral_items_and_statements_issued_once(backend: Backend) -> None:
    ids = seed(backend)
    items = [
        ReferralItem("Z00002", "Z00001", "2025-05", 12, Money(3500), 2),
        ReferralItem("Z00001", "Z00002", "2025-05", 3, Money(2250), 3),
        ReferralItem("Z00003", "Z00001", "2025-06", 4, Money(3500), 4),
    ]
    with backend.units() as uow:
        assert uow.referrals.add_items(ids.agreement, items, None, ids.user, NOW) == 3
        uow.commit()
    with backend.units() as uow:
        may = uow.referrals.items(ids.agreement, "2025-05")
        netting = monthly_statements(may)[0]
        records = uow.referrals.add_statements(ids.agreement, netting, "key/may", ids.user, NOW)
        with pytest.raises(ConflictError):
            uow.referrals.add_statements(ids.agreement, netting, "key/may", ids.user, NOW)
        uow.commit()
    assert may == items[:2]
    assert [(r.practice, r.net) for r in records] == [("Z00001", Money(35_250)), ("Z00002", Money(-35_250))]
    with backend.units() as uow:
        assert uow.referrals.statements(ids.agreement) == records
        assert uow.referrals.statements(ids.agreement, "2025-06") == []


def test_a_signal_is_notified_once_and_read_per_user(backend: Backend) -> None:
    ids = seed(backend)
    with backend.units() as uow:
        other_user = uow.users.add("bob@example.nhs.uk", "Bob", "hash")
        first = uow.notifications.add(ids.agreement, "anticoag", "", "shift", "2025-06", "improvement", "2025-12", NOW)
        again = uow.notifications.add(ids.agreement, "anticoag", "", "shift", "2025-06", "improvement", "2026-01", NOW)
        uow.commit()
    assert first is not None and again is None
    with backend.units() as uow:
        uow.notifications.mark_read(first.id, ids.user, NOW)
        uow.notifications.mark_read(first.id, ids.user, NOW)
        with pytest.raises(NotFoundError):
            uow.notifications.mark_read(9999, ids.user, NOW)
        uow.commit()
    with backend.units() as uow:
        assert [n.read for n in uow.notifications.for_agreement(ids.agreement, ids.user)] == [True]
        assert [n.read for n in uow.notifications.for_agreement(ids.agreement, other_user.id)] == [False]
        assert uow.notifications.get(first.id).detected_in == "2025-12"


def test_mark_all_read_marks_one_agreement_for_one_user(backend: Backend) -> None:
    ids = seed(backend)
    with backend.units() as uow:
        other_user = uow.users.add("bob@example.nhs.uk", "Bob", "hash")
        other = uow.agreements.add("Another", ids.commissioner, ids.provider, ids.user, NOW)
        made = [
            uow.notifications.add(agreement, "anticoag", practice, "shift", "2025-06", "concern", "2025-12", NOW)
            for agreement in (ids.agreement, other.id)
            for practice in ("", "Z00001", "Z00002")
        ]
        uow.commit()
    first = made[0]
    assert first is not None
    with backend.units() as uow:
        uow.notifications.mark_read(first.id, ids.user, NOW)
        assert uow.notifications.mark_all_read(ids.agreement, ids.user, NOW) == 2
        assert uow.notifications.mark_all_read(ids.agreement, ids.user, NOW) == 0
        uow.commit()
    with backend.units() as uow:
        assert [n.read for n in uow.notifications.for_agreement(ids.agreement, ids.user)] == [True] * 3
        assert [n.read for n in uow.notifications.for_agreement(ids.agreement, other_user.id)] == [False] * 3
        assert [n.read for n in uow.notifications.for_agreement(other.id, ids.user)] == [False] * 3
        assert uow.notifications.mark_all_read(9999, ids.user, NOW) == 0


def test_concurrent_mark_all_read_marks_each_notification_once(backend: Backend) -> None:
    ids = seed(backend)
    with backend.units() as uow:
        for practice in ("", "Z00001", "Z00002"):
            uow.notifications.add(ids.agreement, "anticoag", practice, "trend", "2025-07", "concern", "x", NOW)
        uow.commit()
    marked: list[int] = []

    def attempt() -> None:
        with backend.units() as uow:
            marked.append(uow.notifications.mark_all_read(ids.agreement, ids.user, NOW))
            uow.commit()

    wins, failures = _race(attempt)
    assert (wins, failures) == (THREADS, [])
    assert sum(marked) == 3
    with backend.units() as uow:
        assert all(n.read for n in uow.notifications.for_agreement(ids.agreement, ids.user))


def test_concurrent_notifications_of_one_signal_keep_one(backend: Backend) -> None:
    ids = seed(backend)

    def notify() -> bool:
        with backend.units() as uow:
            made = uow.notifications.add(ids.agreement, "anticoag", "Z00001", "trend", "2025-07", "concern", "x", NOW)
            uow.commit()
        return made is not None

    created: list[bool] = []

    def attempt() -> None:
        created.append(notify())

    wins, failures = _race(attempt)
    assert (wins, failures) == (THREADS, [])
    assert created.count(True) == 1
    with backend.units() as uow:
        assert len(uow.notifications.for_agreement(ids.agreement, ids.user)) == 1


@on_sql
def test_monitoring_tables_are_append_only_in_the_database(backend: Backend) -> None:
    ids = seed(backend)
    with backend.units() as uow:
        uow.actuals.record(ids.agreement, entry(), None, ids.user, NOW)
        uow.commit()
    _refused(backend, "UPDATE monthly_actuals SET hospital_activity = 1")
    _refused(backend, "DELETE FROM monthly_actuals")
    _refused(
        backend,
        "INSERT INTO monthly_actuals (agreement_id, scheme, practice, month, baseline_activity, hospital_activity, "
        "hub_activity, baseline_cost_pence, hospital_cost_pence, hub_cost_pence, revision, recorded_by, recorded_at) "
        "VALUES (:agreement, 'anticoag', 'Z00001', '2025-04', 1, -1, 1, 1, 1, 1, 1, :user, :at)",
        agreement=ids.agreement,
        user=ids.user,
        at=NOW,
    )
    assert _run(backend, "SELECT hospital_activity, revision FROM monthly_actuals") == [(40, 1)]
