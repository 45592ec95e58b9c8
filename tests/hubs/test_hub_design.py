"""Hub design on the demo workspace: the agreement's services and members, the demo's locations and hub activity,
the optimiser's answer, what a pin costs, and scoping to the agreement's organisations."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from gainshare.adapters.demo_practice_data import DemoPracticeData
from gainshare.bootstrap import Workspace, build_workspace, seed_demo
from gainshare.domain.errors import ForbiddenError, InvalidInputError, NotFoundError
from gainshare.engines.demo.agreement import FEDERATION_ODS
from gainshare.services.hub_design import HubDesignRequest
from gainshare.services.hubs import HubInputs, HubRequest, HubService
from gainshare.services.ports import OrganisationKind, Role
from gainshare.services.workspace import Actor


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, int]]:
    folder: Path = tmp_path_factory.mktemp("hub-design")
    workspace = build_workspace(f"sqlite:///{folder / 'workspace.db'}", folder)
    seeded = seed_demo(workspace, password="a demo password for tests")
    yield workspace, seeded.agreement_id
    workspace.close()


def _user(workspace: Workspace, email: str) -> Actor:
    found = workspace.service.find_user(Actor.system(), email)
    assert found is not None
    return Actor.user(found[0].id)


def test_options_are_the_agreements_services_and_the_demos_practices(demo: tuple[Workspace, int]) -> None:
    workspace, agreement_id = demo
    options = workspace.hub_design.options(_user(workspace, "manager@northvale-fed.example"), agreement_id)
    assert options.available and options.version_signed and options.version_number == 1
    assert len(options.practices) == 30 and all(site.point is not None for site in options.practices)
    anticoag = next(choice for choice in options.services if choice.id == "anticoag")
    demand = DemoPracticeData().demand(FEDERATION_ODS, "anticoag")
    assert demand is not None and anticoag.items == demand.total > 0
    assert len(demand.months) == 12


def test_the_design_is_the_optimisers_layout_priced_at_the_agreed_price(demo: tuple[Workspace, int]) -> None:
    workspace, agreement_id = demo
    manager = _user(workspace, "manager@northvale-fed.example")
    design = workspace.hub_design.design(manager, agreement_id, HubDesignRequest("anticoag", 3, per_session=12))
    plan, flows = design.report.plan, design.report.flows
    assert plan is not None and flows is not None
    direct = HubService().plan(
        HubInputs(design.options.practices, design.demand, price=design.scheme.provision_price), HubRequest(hubs=3)
    )
    assert direct.plan is not None and set(direct.plan.hubs) == set(plan.hubs)
    assert plan.objective == pytest.approx(direct.plan.objective)
    assert flows.price == design.scheme.provision_price and flows.total_items == design.demand.total
    assert [point.hubs for point in design.report.curve] == list(range(1, 9))
    assert all(load.sessions_needed is not None for load in plan.loads)
    assert design.pin_cost is None


def test_a_pin_costs_the_difference_between_the_layouts(demo: tuple[Workspace, int]) -> None:
    workspace, agreement_id = demo
    manager = _user(workspace, "manager@northvale-fed.example")
    free = workspace.hub_design.design(manager, agreement_id, HubDesignRequest("anticoag", 2))
    assert free.report.plan is not None
    far = max(free.report.plan.assignments, key=lambda a: a.travel).practice  # a poor hub site
    pinned = workspace.hub_design.design(manager, agreement_id, HubDesignRequest("anticoag", 2, (far,)))
    cost = pinned.pin_cost
    assert cost is not None and cost.without_pins is not None and cost.extra is not None
    assert far in (pinned.report.plan.hubs if pinned.report.plan else ())
    assert cost.without_pins == pytest.approx(free.report.plan.objective)
    assert cost.extra == pytest.approx(cost.with_pins - cost.without_pins) and cost.extra > 0


def test_bad_requests_name_the_field(demo: tuple[Workspace, int]) -> None:
    workspace, agreement_id = demo
    manager = _user(workspace, "manager@northvale-fed.example")
    with pytest.raises(InvalidInputError) as unknown:
        workspace.hub_design.design(manager, agreement_id, HubDesignRequest("acupuncture", 2))
    assert unknown.value.issues[0].source.clause == "service"
    with pytest.raises(InvalidInputError) as pinned:
        workspace.hub_design.design(manager, agreement_id, HubDesignRequest("anticoag", 2, ("Z99999",)))
    assert pinned.value.issues[0].source.clause == "--pin"
    with pytest.raises(InvalidInputError) as sessions:
        workspace.hub_design.design(manager, agreement_id, HubDesignRequest("anticoag", 2, sessions_per_month=4))
    assert sessions.value.issues[0].source.clause == "per_session"


def test_someone_outside_the_agreement_cannot_design_its_hubs(demo: tuple[Workspace, int]) -> None:
    workspace, agreement_id = demo
    service, system = workspace.service, Actor.system()
    other = service.create_organisation(system, "Y88888", "Another Federation", OrganisationKind.FEDERATION)
    user = service.create_user(system, "someone@another.example", "Someone Else", "another long password")
    service.add_membership(system, user.id, other.id, Role.FEDERATION_MANAGER)
    with pytest.raises((ForbiddenError, NotFoundError)):
        workspace.hub_design.options(Actor.user(user.id), agreement_id)


def test_the_demo_data_answers_only_for_the_demo_federation_and_its_months() -> None:
    data = DemoPracticeData()
    assert data.sites("Y00000") == () and data.demand("Y00000", "anticoag") is None
    assert data.demand(FEDERATION_ODS, "no-such-line") is None
    assert data.patient_counts(FEDERATION_ODS, date(2019, 4, 1)) == ()
    counts = data.patient_counts(FEDERATION_ODS, date(2023, 4, 1))
    assert len(counts) == 30 and all(count.patients > 0 for count in counts)
