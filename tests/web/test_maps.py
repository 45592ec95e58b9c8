"""Browser proofs of the hub design, incentive scheme, register of interests and landscape pages, on the demo
workspace (`gainshare demo run`'s seeding): the pages show what the services and engines compute, a conflicted
sign-off is refused with its reason, and axe-core finds no serious or critical violations on any of them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from gainshare.adapters.demo_practice_data import DemoPracticeData
from gainshare.adapters.landscape import load_landscape
from gainshare.bootstrap import DEMO_PASSWORD, Workspace, build_workspace, seed_demo
from gainshare.config import Settings
from gainshare.domain.incentives import SignOff, SurveyStatus
from gainshare.domain.money import Money
from gainshare.engines.demo.agreement import FEDERATION_ODS
from gainshare.engines.demo.incentive_scheme import SCHEME_ID
from gainshare.engines.incentives import payment_schedule
from gainshare.interfaces.app import create_app
from gainshare.services.hub_design import HubDesignRequest
from gainshare.services.workspace import Actor
from tests.web.harness import serving
from tests.web.test_pages import Pages

pytestmark = pytest.mark.browser

TODAY = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # the workspace's clock: schedules are as of this day
MANAGER = "manager@northvale-fed.example"
FINANCE = "finance@northvale-icb.example"
CONFLICTED = "clinical-lead@northvale-icb.example"


@dataclass(frozen=True)
class DemoSite:
    base: str
    workspace: Workspace
    agreement_id: int


@pytest.fixture(scope="module")
def demo(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoSite]:
    folder: Path = tmp_path_factory.mktemp("demo-web")
    settings = Settings(data_folder=folder, database_url=None, secret_key="s" * 40)  # type: ignore[call-arg]
    workspace = build_workspace(settings.resolved_database_url(), folder, clock=lambda: TODAY)
    seeded = seed_demo(workspace)
    with serving(create_app(settings, workspace)) as base:
        yield DemoSite(base, workspace, seeded.agreement_id)
    workspace.close()


def _signed_in(browser: Any, demo: DemoSite, email: str) -> Pages:
    pages = Pages(browser, demo)  # type: ignore[arg-type]  (Pages needs only .base)
    pages.visit("/sign-in")
    pages.page.fill("#email", email)
    pages.page.fill("#password", DEMO_PASSWORD)
    pages.submit("Sign in")
    assert pages.page.url == pages.url("/")
    return pages


def _actor(demo: DemoSite, email: str) -> Actor:
    found = demo.workspace.service.find_user(Actor.system(), email)
    assert found is not None
    return Actor.user(found[0].id)


def _pounds(value: Money) -> str:
    return value.format()


def test_hub_design_runs_on_the_demo_and_shows_the_services_hubs(browser: Any, demo: DemoSite) -> None:
    manager = _actor(demo, MANAGER)
    expected = demo.workspace.hub_design.design(
        manager, demo.agreement_id, HubDesignRequest("anticoag", 4, per_session=12)
    )
    plan = expected.report.plan
    assert plan is not None and expected.report.flows is not None
    pages = _signed_in(browser, demo, MANAGER)
    page = pages.page
    pages.visit(f"/agreements/{demo.agreement_id}/hubs")
    page.select_option("#service", "anticoag")
    page.fill("#hubs", "4")
    page.fill("#per_session", "12")
    pages.submit("Choose the hubs")
    page.wait_for_selector("[data-chart-ready]", timeout=15_000)
    page.wait_for_selector("[data-map-ready]", timeout=15_000)
    assert page.locator("#hub-codes").inner_text() == ", ".join(plan.hubs)
    assert page.locator("#hub-table tbody tr").evaluate_all("rows => rows.map(r => r.dataset.hub)") == list(plan.hubs)
    assert page.locator("#hub-map circle.practice").count() == len(expected.report.practices) == 30
    assert page.locator("#hub-map g.hub").count() == 4
    assert page.locator("#inter-practice-amount").inner_text() == _pounds(expected.report.flows.inter_practice_amount)
    assert page.locator("#flow-table tbody tr").count() == len(plan.assignments)
    sessions = [str(load.sessions_needed) for load in plan.loads]
    assert page.locator("#hub-table tbody tr td:nth-child(4)").all_inner_texts() == sessions
    pages.check()
    pages.close()


def test_pinning_a_site_shows_what_it_costs(browser: Any, demo: DemoSite) -> None:
    manager = _actor(demo, MANAGER)
    free = demo.workspace.hub_design.design(manager, demo.agreement_id, HubDesignRequest("anticoag", 3))
    assert free.report.plan is not None
    pin = next(site.code for site in free.options.practices if site.code not in free.report.plan.hubs)
    pinned = demo.workspace.hub_design.design(manager, demo.agreement_id, HubDesignRequest("anticoag", 3, (pin,)))
    assert pinned.pin_cost is not None and pinned.pin_cost.extra is not None
    assert pinned.pin_cost.without_pins == pytest.approx(free.report.plan.objective)
    pages = _signed_in(browser, demo, MANAGER)
    pages.visit(f"/agreements/{demo.agreement_id}/hubs?run=1&service=anticoag&hubs=3&pin={pin}")
    extra = pages.page.locator("#pin-extra").inner_text()
    assert extra.startswith(f"{pinned.pin_cost.extra:+,.0f} item-km"), extra
    assert pinned.pin_cost.extra >= 0  # a pin can only add travel to an optimal layout
    pages.visit(f"/agreements/{demo.agreement_id}/hubs?run=1&service=anticoag&hubs=lots")
    assert pages.page.locator(".nhsuk-error-summary a[href='#hubs']").count() == 1
    pages.close()


def _expected_schedule(demo: DemoSite) -> Any:
    """The engine's schedule as of the workspace's day, from the scheme, list sizes and recorded sign-offs."""
    service = demo.workspace.incentives
    finance = _actor(demo, FINANCE).user_id
    assert finance is not None
    scheme = service.scheme(finance, SCHEME_ID)
    counts = DemoPracticeData().patient_counts(FEDERATION_ODS, scheme.snapshot_date)
    sign_offs = [
        SignOff(s.stage_id, s.practice_code, s.signed_at.date()) for s in service.sign_offs(finance, SCHEME_ID)
    ]
    return payment_schedule(scheme, counts, None, sign_offs, TODAY.date())


def test_incentive_schedule_totals_are_the_engines(browser: Any, demo: DemoSite) -> None:
    expected = _expected_schedule(demo)
    assert expected.total_entitlement == Money(int(expected.total_patients * 250))  # GBP 2.50 a patient
    pages = _signed_in(browser, demo, FINANCE)
    page = pages.page
    pages.visit("/incentives")
    pages.follow(f"a[href='/incentives/{SCHEME_ID}']")
    assert page.locator("#total-entitlement").inner_text() == _pounds(expected.total_entitlement)
    assert page.locator("#schedule-total").inner_text() == _pounds(expected.total_entitlement)
    assert page.locator("#total-payable").inner_text() == _pounds(expected.total_payable)
    cells = page.locator("#schedule-table td[data-entitlement]").all_inner_texts()
    assert len(cells) == len(expected.entitlements) == 30
    assert sum(Money.parse(text.replace("£", "").replace(",", "")).pence for text in cells) == (
        expected.total_entitlement.pence
    )
    assert page.locator("#total-paid").inner_text() == _pounds(expected.total_payable)  # the demo approved them
    pages.close()


def test_a_conflicted_sign_off_is_refused_with_the_reason(browser: Any, demo: DemoSite) -> None:
    service = demo.workspace.incentives
    before = len(service.sign_offs(_actor(demo, FINANCE).user_id or 0, SCHEME_ID))
    pages = _signed_in(browser, demo, CONFLICTED)
    page = pages.page
    pages.visit(f"/incentives/{SCHEME_ID}")
    page.select_option("#stage", "year-1")
    page.select_option("#sign-off-practice", "Z90001")
    with page.expect_navigation() as navigation:
        page.click("button:has-text('Sign off')")
    assert navigation.value.status == 403
    reason = page.locator("#refusal-reason").inner_text()
    assert "Dr Cara Lead" in reason and "declared a financial interest" in reason, reason
    assert "a member practice of Northvale GP Federation" in reason and "milestone sign-off" in reason
    pages.check()
    assert len(service.sign_offs(_actor(demo, FINANCE).user_id or 0, SCHEME_ID)) == before
    pages.close()


def test_the_register_lists_declarations_and_takes_a_new_one(browser: Any, demo: DemoSite) -> None:
    pages = _signed_in(browser, demo, MANAGER)
    page = pages.page
    pages.visit("/conflicts")
    assert "Dr Cara Lead" in page.locator("#register").inner_text()
    page.fill("#organisation_code", "Z90004")
    page.fill("#organisation_name", "Victoria Surgery")
    page.select_option("#nature", "non-financial personal")
    page.fill("#description", "Spouse is the practice manager")
    page.fill("#valid_from", "2026-01-01")
    pages.submit("Declare the interest")
    assert "Spouse is the practice manager" in page.locator("#register").inner_text()
    page.fill("#valid_from", "first of January")
    pages.submit("Declare the interest")
    assert page.locator(".nhsuk-error-summary a[href='#valid_from']").count() == 1
    printable = page.request.get(pages.url("/conflicts/print"))
    assert printable.status == 200 and "Spouse is the practice manager" in printable.text()
    pages.close()


def test_the_landscape_shows_the_survey_counts_and_filters(browser: Any, demo: DemoSite) -> None:
    entries = load_landscape()
    counts = {status: sum(1 for e in entries if e.status is status) for status in SurveyStatus}
    assert (counts[SurveyStatus.PLANNING], counts[SurveyStatus.NOT_PLANNING], counts[SurveyStatus.FEDERATED]) == (
        22,
        23,
        15,
    )
    pages = _signed_in(browser, demo, MANAGER)
    page = pages.page
    pages.visit("/landscape")
    page.wait_for_function("() => document.querySelector('.gs-landscape-map img').naturalWidth > 0", timeout=30_000)
    assert page.locator("#count-planning").inner_text() == "22"
    assert page.locator("#count-not-planning").inner_text() == "23"
    assert page.locator("#count-federated").inner_text() == "15"
    assert page.locator("#landscape-table tbody tr").count() == 60
    assert "Schematic, not to scale" in page.locator(".gs-landscape-map figcaption").inner_text()
    pages.check()
    page.select_option("#status", "federated")
    pages.submit("Filter")
    statuses = page.locator("#landscape-table tbody tr").evaluate_all("rows => rows.map(r => r.dataset.status)")
    assert statuses == ["federated"] * 15
    pages.close()
