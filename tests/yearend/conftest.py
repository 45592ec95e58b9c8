"""A signed agreement in a workspace on each backend, with the monitoring and year-end services over it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from gainshare.adapters.monitoring_files import ActualsCsvDecoder, ReferralCsvDecoder
from gainshare.reports.serialize import settlement_dict
from gainshare.services.monitoring import MonitoringService
from gainshare.services.ports import OrganisationKind, Role, UnitOfWork
from gainshare.services.workspace import Actor, WorkspaceService
from gainshare.services.yearend import YearEndService
from tests.persistence.conftest import (  # noqa: F401  (fixtures)
    Backend,
    StepClock,
    TextParser,
    backend,
    fast_hasher,
    postgres_database,
    postgres_url,
    sqlite_url,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PASSWORD = "correct horse battery"
MONTHS = [f"2025-{m:02d}" for m in range(4, 13)] + [f"2026-{m:02d}" for m in range(1, 4)]


@dataclass(frozen=True)
class World:
    workspace: WorkspaceService
    monitoring: MonitoringService
    yearend: YearEndService
    agreement: int
    finance: Actor  # commissioner finance at the ICB
    manager: Actor  # federation manager
    viewer: Actor  # practice viewer at Z00001
    outsider: Actor  # commissioner finance at another ICB


def services(units: Callable[[], UnitOfWork]) -> tuple[WorkspaceService, MonitoringService, YearEndService]:
    clock = StepClock()
    parser = TextParser()
    workspace = WorkspaceService(units, fast_hasher(), parser, settlement_dict, clock)
    monitoring = MonitoringService(units, parser, ActualsCsvDecoder(), clock)
    yearend = YearEndService(units, parser, settlement_dict, monitoring, ReferralCsvDecoder(), clock)
    return workspace, monitoring, yearend


def build_world(units: Callable[[], UnitOfWork]) -> World:
    workspace, monitoring, yearend = services(units)
    system = Actor.system()
    icb = workspace.create_organisation(system, "QZZ", "Northvale ICB", OrganisationKind.COMMISSIONER)
    fed = workspace.create_organisation(system, "Y99001", "Northvale Federation", OrganisationKind.FEDERATION)
    practice = workspace.create_organisation(system, "Z00001", "Riverside", OrganisationKind.PRACTICE, fed.id)
    workspace.create_organisation(system, "Z00002", "Hilltop", OrganisationKind.PRACTICE, fed.id)
    other = workspace.create_organisation(system, "QXX", "Southvale ICB", OrganisationKind.COMMISSIONER)
    actors: dict[str, Actor] = {}
    for name, organisation, role in (
        ("finance", icb.id, Role.COMMISSIONER_FINANCE),
        ("manager", fed.id, Role.FEDERATION_MANAGER),
        ("viewer", practice.id, Role.PRACTICE_VIEWER),
        ("outsider", other.id, Role.COMMISSIONER_FINANCE),
    ):
        user = workspace.create_user(system, f"{name}@example.nhs.uk", name.title(), PASSWORD)
        workspace.add_membership(system, user.id, organisation, role)
        actors[name] = Actor.user(user.id)
    text = (EXAMPLES / "agreement.yaml").read_text(encoding="utf-8")
    version = workspace.create_agreement(actors["finance"], "Northvale", icb.id, fed.id, text)
    agreement = version.agreement_id
    proposed = workspace.propose(actors["manager"], agreement, 1, version.lock_version)
    workspace.sign(actors["manager"], agreement, 1, fed.id, proposed.content_sha256)
    workspace.sign(actors["finance"], agreement, 1, icb.id, proposed.content_sha256)
    return World(workspace, monitoring, yearend, agreement, **actors)


@pytest.fixture
def world(backend: Backend) -> World:  # noqa: F811  (the fixture imported above)
    return build_world(backend.units)


def actuals_csv(rows: list[tuple[str, str, str, int, int, int]]) -> bytes:
    lines = ["month,scheme,practice,baseline_activity,hospital_activity,hub_activity"]
    lines += [",".join(str(value) for value in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


HOSPITAL = [40, 42, 39, 41, 40, 38, 41, 40, 39, 42, 40, 41]


def year_of_actuals(months: list[str] = MONTHS, hospital: list[int] = HOSPITAL) -> bytes:
    """Both schemes at both practices: baseline 70 a month, hospital activity about 40, hub activity 30."""
    rows = [
        (month, scheme, practice, 70, value, 30)
        for month, value in zip(months, hospital, strict=False)
        for scheme in ("anticoag", "joint-injections")
        for practice in ("Z00001", "Z00002")
    ]
    return actuals_csv(rows)
