"""Browser proof of the Negotiate page on the demo agreement: the defaults from its monthly figures, a seeded
simulation whose expected value matches the service's for the same seed, the term sets side by side, the frontier,
the pack downloads, and no serious or critical axe violations."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from gainshare.bootstrap import DEMO_PASSWORD, build_workspace, seed_demo
from gainshare.config import Settings
from gainshare.domain.money import Money
from gainshare.interfaces.app import create_app
from gainshare.services.negotiation_workspace import analyse, form_values, read_inputs
from gainshare.services.workspace import Actor
from tests.web.harness import axe_violations, describe, serving

pytestmark = pytest.mark.browser
MANAGER = "manager@northvale-fed.example"
SEED = 20261125


@pytest.fixture(scope="module")
def demo(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any, int, Actor]]:
    folder: Path = tmp_path_factory.mktemp("negotiate")
    settings = Settings(data_folder=folder, database_url=None, secret_key="n" * 40)
    workspace = build_workspace(settings.resolved_database_url(), folder, clock=lambda: datetime.now(UTC))
    seeded = seed_demo(workspace)
    found = workspace.service.find_user(Actor.system(), MANAGER)
    assert found is not None
    with serving(create_app(settings, workspace)) as base:
        yield base, workspace, seeded.agreement_id, Actor.user(found[0].id)
    workspace.close()


@pytest.fixture
def page(browser: Any, demo: tuple[str, Any, int, Actor]) -> Iterator[Any]:
    base = demo[0]
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    tab = context.new_page()
    tab.goto(f"{base}/sign-in")
    tab.fill("#email", MANAGER)
    tab.fill("#password", DEMO_PASSWORD)
    tab.click("button:has-text('Sign in')")
    tab.wait_for_url(f"{base}/")
    yield tab
    context.close()


def _no_violations(tab: Any) -> None:
    found = axe_violations(tab)
    assert not found, f"{tab.url}:\n{describe(found)}"


def test_negotiate_runs_a_seeded_simulation_matching_the_service(page: Any, demo: tuple[str, Any, int, Actor]) -> None:
    base, workspace, agreement_id, actor = demo
    page.goto(f"{base}/agreements/{agreement_id}/negotiate")
    assert page.locator("h1").inner_text() == "Negotiate"
    # defaults come from the demo's monthly figures, and say so
    form = page.locator("#negotiate-form").inner_text()
    assert "months of history in demo-figures.yaml" in form
    # the federation's running costs from the service catalogue, stated as an assumption
    assert "annual running costs of every scheme's service line (10), £35,500.00" in form
    assert "an ASSUMPTION: the catalogue cites no source for it" in form
    _no_violations(page)

    page.fill("#f-seed", str(SEED))
    page.fill("#f-scenarios", "5000")
    page.fill("#f-alt1-name", "Federation-friendly")
    page.fill("#f-alt1-share", "70%")
    page.click("#run")
    page.wait_for_selector("#results")
    page.wait_for_selector("[data-chart-ready]", timeout=15_000)

    service = workspace.negotiation  # as the page has it: with the service catalogue
    setup = service.setup(actor, agreement_id)
    fields = {**form_values(setup.defaults), "seed": str(SEED), "scenarios": "5000"}
    fields.update({"alt1.name": "Federation-friendly", "alt1.share": "70%"})
    expected = analyse(setup, read_inputs(setup, fields))
    summary = expected.simulation.summary
    assert page.locator("#seed-used").inner_text() == str(SEED)
    assert page.locator("#provider-expected-net").inner_text() == Money(summary.provider_net.mean).format()
    assert page.locator("#commissioner-expected").inner_text() == Money(summary.commissioner_retained.mean).format()

    comparison = page.locator("#comparison").inner_text()
    names = [name for name, _ in expected.comparison.rows]
    assert names == ["Version 1 (signed)", "Version 2 (draft)", "Alternative A", "Federation-friendly"]
    for name, terms in expected.comparison.rows:
        assert name in comparison
        assert Money(terms.provider_share.mean).format() in comparison
    recommended = expected.frontier.frontier.recommended
    assert recommended is not None
    assert expected.frontier.frontier.reason in page.locator("#recommended").inner_text()
    assert page.locator(".js-plotly-plot").count() == 6
    _no_violations(page)


def test_bad_inputs_are_shown_next_to_their_fields(page: Any, demo: tuple[str, Any, int, Actor]) -> None:
    base, _, agreement_id, _ = demo
    page.goto(f"{base}/agreements/{agreement_id}/negotiate")
    page.fill("#f-anticoag-shift-share-likely", "150%")
    page.fill("#f-seed", "lots")
    page.click("#run")
    page.wait_for_selector(".nhsuk-error-summary")
    assert (
        "from 0% to 100%"
        in page.locator(".nhsuk-form-group--error", has=page.locator("#f-anticoag-shift-share-likely")).inner_text()
    )
    assert "whole number" in page.locator("#f-seed-error").inner_text()
    assert page.locator("#results").count() == 0
    _no_violations(page)


def test_the_pack_downloads_as_pdf_and_excel(page: Any, demo: tuple[str, Any, int, Actor]) -> None:
    base, _, agreement_id, _ = demo
    page.goto(f"{base}/agreements/{agreement_id}/negotiate")
    page.fill("#f-scenarios", "2000")
    for button, magic in (("#pack-pdf", b"%PDF"), ("#pack-xlsx", b"PK")):
        with page.expect_download() as download:
            page.click(button)
        path = download.value.path()
        assert Path(path).read_bytes()[:4].startswith(magic)


def test_a_shared_link_shows_the_other_side_the_same_scenarios(
    page: Any, browser: Any, demo: tuple[str, Any, int, Actor]
) -> None:
    base, _, agreement_id, _ = demo
    page.goto(f"{base}/agreements/{agreement_id}/negotiate")
    page.fill("#f-seed", "77")
    page.fill("#f-scenarios", "2000")
    page.fill("#f-alt1-name", "Shared terms")
    page.fill("#f-alt1-share", "65%")
    page.click("#run")
    page.wait_for_selector("#results")
    link = page.locator("#share-link").input_value()
    assert link.startswith(f"{base}/agreements/{agreement_id}/negotiate?scenarios=")
    expected_net = page.locator("#provider-expected-net").inner_text()

    other = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = other.new_page()
    tab.goto(f"{base}/sign-in")
    tab.fill("#email", "finance@northvale-icb.example")  # the commissioner's side of the table
    tab.fill("#password", DEMO_PASSWORD)
    tab.click("button:has-text('Sign in')")
    tab.wait_for_url(f"{base}/")
    tab.goto(link)
    assert tab.locator("#seed-used").inner_text() == "77"
    assert tab.locator("#provider-expected-net").inner_text() == expected_net
    assert "Shared terms" in tab.locator("#comparison").inner_text()
    assert tab.locator("#f-alt1-share").input_value() == "65%"
    _no_violations(tab)

    tab.goto(link[:-12])  # cut short when copied
    assert "could not be opened" in tab.locator("#link-problem").inner_text()
    assert tab.locator("#results").count() == 0
    other.close()
