"""Shared builders for the incentive tests: a scheme like East Leicestershire and Rutland's, and its practices."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from gainshare.domain.incentives import (
    Condition,
    Eligibility,
    IncentiveScheme,
    PatientCount,
    Stage,
)
from gainshare.domain.practices import Practice, PracticeList, PracticeStatus

SNAPSHOT = date(2015, 4, 1)
PLAN = Condition("plan", "A plan showing the geography, leadership, vision, objectives and governance")
LEGAL = Condition("legal", "Formal legal set-up")
DELIVERY = Condition("delivery", "Delivery of the plan")
MEMBERS = frozenset({"C82001", "C82002", "C82003", "C82004"})


def elr_scheme(**changes: object) -> IncentiveScheme:
    scheme = IncentiveScheme(
        id="elr",
        name="ELR federation development",
        commissioner_code="03W",
        rate_per_patient=Decimal("2.50"),
        snapshot_date=SNAPSHOT,
        stages=(
            Stage("up-front", "Up-front payment", Decimal("0.2"), date(2015, 7, 1)),
            Stage("year-1", "Year one", Decimal("0.4"), date(2016, 3, 31), (PLAN,)),
            Stage("year-2", "Year two", Decimal("0.4"), date(2017, 3, 31), (LEGAL, DELIVERY)),
        ),
        federation_code="Y02345",
        federation_name="ELR GP Federation",
        eligibility=Eligibility(commissioner_codes=frozenset({"03W"})),
        members=MEMBERS,
    )
    return scheme if not changes else _replace(scheme, changes)


def _replace(scheme: IncentiveScheme, changes: dict[str, object]) -> IncentiveScheme:
    return replace(scheme, **changes)  # type: ignore[arg-type]


def practice(
    code: str, opened: date = date(1990, 4, 1), closed: date | None = None, commissioner: str = "03W"
) -> Practice:
    status = PracticeStatus.CLOSED if closed else PracticeStatus.ACTIVE
    return Practice(code, f"Practice {code}", "LE1 1AA", status, commissioner, open_date=opened, close_date=closed)


@pytest.fixture
def practices() -> PracticeList:
    return PracticeList(
        (
            practice("C82001"),
            practice("C82002"),
            practice("C82003"),
            practice("C82004", opened=date(2015, 6, 1)),
            practice("C82099"),  # not a member
        )
    )


@pytest.fixture
def counts() -> tuple[PatientCount, ...]:
    return (
        PatientCount("C82001", SNAPSHOT, Decimal(1001)),
        PatientCount("C82002", SNAPSHOT, Decimal(2003)),
        PatientCount("C82003", SNAPSHOT, Decimal(3000)),
        PatientCount("C82004", date(2015, 7, 1), Decimal(500)),
        PatientCount("C82099", SNAPSHOT, Decimal(4000)),
    )
