"""The incentive service on the in-memory workspace: evidence, gated sign-off, payments once, conflicts refused or
flagged, and the audit log."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from gainshare.adapters.incentives_file import YamlSchemeParser
from gainshare.adapters.memory.incentives import MemoryIncentiveDatabase
from gainshare.adapters.memory.workspace import MemoryDatabase
from gainshare.domain.conflicts import ConflictPolicy, Declaration, InterestNature
from gainshare.domain.errors import ConflictError, ForbiddenError, InvalidInputError
from gainshare.domain.incentives import PatientCount
from gainshare.services.incentives import ConflictOfInterestError, IncentiveService
from gainshare.services.ports import OrganisationKind, Role
from tests.incentives.test_scheme_file import GOOD

COUNTS = (
    PatientCount("C82001", date(2015, 4, 1), Decimal(1001), "03W"),
    PatientCount("C82002", date(2015, 4, 1), Decimal(2003), "03W"),
)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2016, 4, 10, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


class World(dict[str, int]):
    database: MemoryDatabase


@pytest.fixture
def world() -> World:
    database = MemoryDatabase()
    ids = World()
    ids.database = database
    with database() as uow:
        ids["ccg"] = uow.organisations.add("03W", "NHS ELR CCG", OrganisationKind.COMMISSIONER).id
        ids["fed"] = uow.organisations.add("Y02345", "ELR GP Federation", OrganisationKind.FEDERATION).id
        for key, email, org, role in (
            ("finance", "finance@nhs.net", "ccg", Role.COMMISSIONER_FINANCE),
            ("gp", "a.gp@nhs.net", "ccg", Role.COMMISSIONER_FINANCE),
            ("manager", "manager@fed.nhs.net", "fed", Role.FEDERATION_MANAGER),
        ):
            ids[key] = uow.users.add(email, key, "hash").id
            uow.users.add_membership(ids[key], ids[org], role)
        uow.commit()
    return ids


def registered(ids: World, policy: ConflictPolicy = ConflictPolicy.REFUSE) -> IncentiveService:
    incentives = IncentiveService(MemoryIncentiveDatabase(ids.database), YamlSchemeParser(), Clock(), policy)
    incentives.register_scheme(ids["finance"], GOOD, ids["ccg"], ids["fed"])
    incentives.submit_evidence(ids["manager"], "elr", "year-1", "plan", "C82001", "Plan v1, 1 March 2016")
    return incentives


def declare_gp_interest(incentives: IncentiveService, ids: World) -> None:
    incentives.declare(
        ids["gp"],
        Declaration(
            "a.gp@nhs.net", "Dr A GP", "Governing body GP member", "C82001", "The Surgery",
            InterestNature.FINANCIAL, "Partner in the practice", date(2014, 4, 1),
        ),
    )  # fmt: skip


def test_nothing_is_paid_for_a_milestone_until_its_evidence_is_signed_off(world: World) -> None:
    incentives = registered(world)
    with pytest.raises(InvalidInputError, match="no evidence yet for C82002 of condition"):
        incentives.sign_off(world["finance"], "elr", "year-1", "C82002")
    first = incentives.approve_payments(world["finance"], "elr", COUNTS, None, date(2016, 4, 30))
    assert {tx.transaction.key for tx in first.recorded} == {
        "incentive/elr/up-front/C82001",
        "incentive/elr/up-front/C82002",
    }
    incentives.sign_off(world["finance"], "elr", "year-1", "C82001")
    second = incentives.approve_payments(world["finance"], "elr", COUNTS, None, date(2016, 4, 30))
    # up-front payments are not recorded twice; the merged C82002's year one waits for its own sign-off
    assert [tx.transaction.key for tx in second.recorded] == ["incentive/elr/year-1/C82001"]
    assert second.recorded[0].transaction.postings[0].amount.pence == 100_100
    with pytest.raises(ConflictError, match="signed off for C82001 already"):
        incentives.sign_off(world["finance"], "elr", "year-1", "C82001")


def test_only_the_right_people_act(world: World) -> None:
    incentives = registered(world)
    with pytest.raises(ForbiddenError):
        incentives.sign_off(world["manager"], "elr", "year-1", "C82001")
    with pytest.raises(ForbiddenError):
        incentives.approve_payments(world["manager"], "elr", COUNTS, None, date(2016, 4, 30))


def test_a_conflicted_sign_off_is_refused_by_default_and_the_refusal_is_audited(world: World) -> None:
    incentives = registered(world)
    declare_gp_interest(incentives, world)
    with pytest.raises(ConflictOfInterestError, match="Dr A GP declared a financial interest in The Surgery"):
        incentives.sign_off(world["gp"], "elr", "year-1", "C82001")
    with world.database() as uow:
        actions = [entry.action for entry in uow.audit.entries()]
    assert actions[-1] == "conflict.refused"
    assert incentives.schedule(world["finance"], "elr", COUNTS, None, date(2016, 4, 30)).lines[1].status.value == (
        "awaiting sign-off"
    )


def test_under_the_flag_policy_the_sign_off_goes_ahead_with_the_flags_recorded(world: World) -> None:
    incentives = registered(world, ConflictPolicy.FLAG)
    declare_gp_interest(incentives, world)
    record = incentives.sign_off(world["gp"], "elr", "year-1", "C82001")
    assert record.conflict_flags and "member practice of ELR GP Federation" in record.conflict_flags[0]
    with world.database() as uow:
        actions = [entry.action for entry in uow.audit.entries()]
    assert actions[-2:] == ["conflict.flagged", "incentive.signed_off"]


def test_a_conflicted_commissioner_signature_is_screened(world: World) -> None:
    incentives = registered(world)
    incentives.screen_agreement_signature(world["gp"], world["ccg"], world["fed"])  # no interest in the federation
    incentives.declare(
        world["gp"],
        Declaration(
            "a.gp@nhs.net", "Dr A GP", "", "Y02345", "ELR GP Federation", InterestNature.INDIRECT,
            "Spouse is a director", date(2015, 1, 1),
        ),
    )  # fmt: skip
    with pytest.raises(ConflictOfInterestError, match="interest in the federation ELR GP Federation"):
        incentives.screen_agreement_signature(world["gp"], world["ccg"], world["fed"])
