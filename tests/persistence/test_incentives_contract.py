"""The incentive records' contract on memory, SQLite and PostgreSQL; races between approvals; what the database
itself refuses (append-only triggers, one payment per stage and practice, BIGINT pence)."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from gainshare.adapters.incentives_file import YamlSchemeParser
from gainshare.domain.conflicts import ConflictPolicy, Declaration, InterestNature
from gainshare.domain.errors import ConflictError, NotFoundError
from gainshare.domain.incentives import PatientCount
from gainshare.domain.ledger import Transaction, transfer
from gainshare.domain.money import Money
from gainshare.engines.incentives import payment_key
from gainshare.services.incentives import ApprovedPayments, IncentiveService
from gainshare.services.ports import OrganisationKind, Role, content_digest
from tests.incentives.test_scheme_file import GOOD
from tests.persistence.conftest import Backend, StepClock
from tests.persistence.test_concurrency import THREADS, _race
from tests.persistence.test_database_guards import _refused, _run, on_postgresql, on_sql
from tests.persistence.test_repository_contract import NOW, Seed, seed

KEY = payment_key("elr", "up-front", "C82001")
COUNTS = (
    PatientCount("C82001", date(2015, 4, 1), Decimal(1001), "03W"),
    PatientCount("C82002", date(2015, 4, 1), Decimal(2003), "03W"),
)


def payment(practice: str = "C82001", stage: str = "up-front", pence: int = 50_050) -> Transaction:
    return transfer(
        payment_key("elr", stage, practice), f"{stage} for {practice}", "03W:out", f"{practice}:in", Money(pence)
    )


def declaration(**changes: object) -> Declaration:
    base = Declaration(
        "a.gp@nhs.net", "Dr A GP", "GP member", "C82001", "The Surgery", InterestNature.FINANCIAL,
        "Partner", date(2014, 4, 1),
    )  # fmt: skip
    return replace(base, **changes)  # type: ignore[arg-type]


def with_scheme(backend: Backend) -> Seed:
    ids = seed(backend)
    with backend.units() as uow:
        uow.incentives.add_scheme("elr", ids.commissioner, ids.provider, GOOD, ids.user, NOW)
        uow.commit()
    return ids


def test_a_scheme_is_kept_with_its_text_and_registered_once(backend: Backend) -> None:
    ids = with_scheme(backend)
    with backend.units() as uow:
        record = uow.incentives.scheme("elr")
        with pytest.raises(ConflictError, match="exists already"):
            uow.incentives.add_scheme("elr", ids.commissioner, ids.provider, "other", ids.user, NOW)
        with pytest.raises(NotFoundError):
            uow.incentives.scheme("nope")
    assert (record.scheme_id, record.commissioner_id, record.federation_id) == ("elr", ids.commissioner, ids.provider)
    assert record.content == GOOD and record.created_at == NOW and record.created_by == ids.user


def test_evidence_and_sign_offs_round_trip_and_sign_off_once(backend: Backend) -> None:
    ids = with_scheme(backend)
    with backend.units() as uow:
        first = uow.incentives.add_evidence("elr", "year-1", "plan", "C82001", "Plan v1", ids.user, NOW)
        every = uow.incentives.add_evidence("elr", "year-2", "legal", None, "Articles", ids.user, NOW)
        one = uow.incentives.add_sign_off("elr", "year-1", "C82001", ids.user, NOW)
        all_ = uow.incentives.add_sign_off("elr", "year-2", None, ids.user, NOW, ("reason one", "reason two"))
        uow.commit()
    with backend.units() as uow:
        assert uow.incentives.evidence("elr") == [first, every]
        assert every.practice_code is None and first.id != every.id
        assert uow.incentives.sign_offs("elr") == [one, all_]
        assert uow.incentives.sign_offs("elr")[1].practice_code is None
        assert uow.incentives.sign_offs("elr")[1].conflict_flags == ("reason one", "reason two")
        with pytest.raises(ConflictError, match="signed off for C82001 already"):
            uow.incentives.add_sign_off("elr", "year-1", "C82001", ids.user, NOW)
        with pytest.raises(ConflictError, match="every member practice already"):
            uow.incentives.add_sign_off("elr", "year-2", None, ids.user, NOW)
        uow.incentives.add_sign_off("elr", "year-1", "C82002", ids.user, NOW)  # still usable after a conflict
        with pytest.raises(NotFoundError):
            uow.incentives.add_evidence("nope", "year-1", "plan", None, "x", ids.user, NOW)
        uow.commit()
    with backend.units() as uow:
        assert [item.practice_code for item in uow.incentives.sign_offs("elr")] == ["C82001", None, "C82002"]


def test_payments_are_recorded_once_with_their_postings_and_flags(backend: Backend) -> None:
    ids = with_scheme(backend)
    huge = 9_000_000_000_000_000  # beyond 32 bits
    with backend.units() as uow:
        first = uow.incentives.add_payment("elr", payment(), ids.user, NOW, ())
        second = uow.incentives.add_payment("elr", payment("C82002", pence=huge), ids.user, NOW, ("flagged",))
        uow.commit()
    with backend.units() as uow:
        assert uow.incentives.payments("elr") == [first, second]
        assert uow.incentives.payments("elr")[1].transaction.postings[0].amount == Money(huge)
        assert uow.incentives.payments("elr")[1].conflict_flags == ("flagged",)
        with pytest.raises(ConflictError, match="recorded already"):
            uow.incentives.add_payment("elr", payment(pence=1), ids.user, NOW, ())
        with pytest.raises(ValueError, match="not a payment key"):
            uow.incentives.add_payment("elr", transfer("elsewhere/1", "x", "A", "B", Money(1)), ids.user, NOW, ())
        with pytest.raises(NotFoundError):
            uow.incentives.add_payment("nope", transfer("incentive/nope/a/b", "x", "A", "B", Money(1)), 1, NOW, ())


def test_uncommitted_records_are_rolled_back(backend: Backend) -> None:
    ids = with_scheme(backend)
    with backend.units() as uow:
        uow.incentives.add_sign_off("elr", "year-1", "C82001", ids.user, NOW)
        uow.incentives.add_payment("elr", payment(), ids.user, NOW, ())
        uow.incentives.add_declaration(declaration())
    with backend.units() as uow:
        assert uow.incentives.sign_offs("elr") == []
        assert uow.incentives.payments("elr") == []
        assert uow.incentives.declarations() == []


def test_an_updated_declaration_supersedes_the_earlier_one_and_both_are_kept(backend: Backend) -> None:
    original = declaration()
    other = declaration(organisation_code="Y02345", organisation_name="ELR GP Federation")
    ended = declaration(valid_to=date(2016, 3, 31), action_taken="Stepped down as partner")
    with backend.units() as uow:
        uow.incentives.add_declaration(original)
        uow.incentives.add_declaration(other)
        uow.commit()
    with backend.units() as uow:
        uow.incentives.add_declaration(ended)
        uow.commit()
    with backend.units() as uow:
        assert uow.incentives.declarations() == [other, ended]
        assert uow.incentives.declaration_history() == [original, other, ended]


def test_concurrent_recordings_of_one_payment_keep_exactly_one(backend: Backend) -> None:
    ids = with_scheme(backend)

    def record() -> None:
        with backend.units() as uow:
            uow.incentives.add_payment("elr", payment(), ids.user, NOW, ())
            uow.commit()

    wins, failures = _race(record)
    assert wins == 1
    assert len(failures) == THREADS - 1
    assert all(isinstance(error, ConflictError) for error in failures), failures
    with backend.units() as uow:
        assert [item.transaction.key for item in uow.incentives.payments("elr")] == [KEY]


# --- the service over each backend: concurrent approvals post once ------------------------------------------------


def _incentive_world(backend: Backend) -> tuple[IncentiveService, int]:
    with backend.units() as uow:
        ccg = uow.organisations.add("03W", "NHS ELR CCG", OrganisationKind.COMMISSIONER)
        fed = uow.organisations.add("Y02345", "ELR GP Federation", OrganisationKind.FEDERATION)
        finance = uow.users.add("finance@nhs.net", "Finance", "hash")
        uow.users.add_membership(finance.id, ccg.id, Role.COMMISSIONER_FINANCE)
        uow.commit()
    clock = StepClock(datetime(2016, 4, 10, 9, 0, tzinfo=UTC))
    service = IncentiveService(backend.units, YamlSchemeParser(), clock, ConflictPolicy.REFUSE)
    service.register_scheme(finance.id, GOOD, ccg.id, fed.id)
    return service, finance.id


def test_concurrent_approvals_record_each_payment_once(backend: Backend) -> None:
    service, finance = _incentive_world(backend)
    results: list[ApprovedPayments] = []
    lock = threading.Lock()

    def approve() -> None:
        approved = service.approve_payments(finance, "elr", COUNTS, None, date(2016, 4, 30))
        with lock:
            results.append(approved)

    wins, failures = _race(approve)
    # One approval records the payable lines; the others find them recorded (SQLite and memory queue the units of
    # work) or lose the race on the unique key (PostgreSQL) and change nothing.
    assert all(isinstance(error, ConflictError) for error in failures), failures
    assert wins + len(failures) == THREADS
    assert [len(item.recorded) for item in results if item.recorded] == [2]
    payments = service.payments(finance, "elr")
    assert sorted(item.transaction.key for item in payments) == [KEY, payment_key("elr", "up-front", "C82002")]
    approvals = [entry for entry in _audit(backend) if entry == "incentive.payments_approved"]
    assert approvals == ["incentive.payments_approved"]


def _audit(backend: Backend) -> list[str]:
    with backend.units() as uow:
        return [entry.action for entry in uow.audit.entries()]


# --- what the database refuses, whoever writes the SQL -------------------------------------------------------------

TABLES = (
    "incentive_schemes",
    "incentive_evidence",
    "incentive_sign_offs",
    "incentive_payments",
    "incentive_payment_postings",
    "declared_interests",
    "incentive_conflict_flags",
)


def _fill(backend: Backend) -> Seed:
    ids = with_scheme(backend)
    with backend.units() as uow:
        uow.incentives.add_evidence("elr", "year-1", "plan", "C82001", "Plan v1", ids.user, NOW)
        uow.incentives.add_sign_off("elr", "year-1", "C82001", ids.user, NOW, ("flag",))
        uow.incentives.add_payment("elr", payment(), ids.user, NOW, ("flag",))
        uow.incentives.add_declaration(declaration())
        uow.commit()
    return ids


@on_sql
@pytest.mark.parametrize("table", TABLES)
def test_incentive_tables_are_append_only(backend: Backend, table: str) -> None:
    _fill(backend)
    count = _run(backend, f"SELECT COUNT(*) FROM {table}")
    assert count[0][0] > 0
    _refused(backend, f"UPDATE {table} SET id = id")
    _refused(backend, f"DELETE FROM {table}")
    assert _run(backend, f"SELECT COUNT(*) FROM {table}") == count


@on_postgresql
@pytest.mark.parametrize("table", ["incentive_payments", "declared_interests", "incentive_schemes"])
def test_postgresql_refuses_truncating_incentive_tables(backend: Backend, table: str) -> None:
    _fill(backend)
    _refused(backend, f"TRUNCATE {table} CASCADE")


@on_sql
def test_the_database_keeps_one_payment_per_stage_and_practice_in_bigint_pence(backend: Backend) -> None:
    ids = _fill(backend)
    _refused(
        backend,
        "INSERT INTO incentive_payments (idempotency_key, scheme_id, stage_id, practice_code, description, "
        "amount_pence, approved_by, approved_at) VALUES ('another key', 'elr', 'up-front', 'C82001', 'again', 1, "
        ":user, :at)",
        user=ids.user,
        at=NOW,
    )
    rows = _run(backend, "SELECT amount_pence FROM incentive_payment_postings ORDER BY line_no")
    assert rows == [(50_050,), (-50_050,)]
    assert all(type(value) is int for (value,) in rows)
    stored = _run(backend, "SELECT idempotency_key, stage_id, practice_code, amount_pence FROM incentive_payments")
    assert stored == [(KEY, "up-front", "C82001", 50_050)]
    assert _run(backend, "SELECT content_sha256 FROM incentive_schemes") == [(content_digest(GOOD),)]


@on_sql
def test_the_database_checks_declarations_and_flags(backend: Backend) -> None:
    _fill(backend)
    _refused(
        backend,
        "INSERT INTO declared_interests (person, person_name, role, organisation_code, organisation_name, nature, "
        "description, valid_from, valid_to, action_taken) VALUES ('x@nhs.net', 'X', '', 'C1', '', 'financial', '', "
        "'2016-01-01', '2015-01-01', '')",
    )
    _refused(
        backend,
        "INSERT INTO incentive_conflict_flags (sign_off_id, payment_id, position, reason) VALUES (NULL, NULL, 1, 'x')",
    )
