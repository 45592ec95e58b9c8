"""Browser proofs of the shared workspace's pages: two parties negotiate, sign, upload figures, and read the
dashboard and settlement statement. axe-core checks every page visited (no serious or critical WCAG 2.2 AA
violations), and the page's own Content Security Policy stays enforced (no violations reported)."""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal
from typing import Any

import pytest

from gainshare.adapters.agreement_file.loader import parse_agreement
from gainshare.domain.figures import SchemeFigures
from gainshare.domain.money import Money
from gainshare.domain.periods import month_period
from gainshare.engines.savings import scheme_costs
from gainshare.services.ports import VersionStatus
from tests.web.conftest import PASSWORD, Site
from tests.web.harness import axe_violations, describe

pytestmark = pytest.mark.browser

GOOD_FIGURES = (
    "period,scheme,baseline_activity,actual_activity,provision_activity\n"
    "2025-04,anticoag,820,400,410\n"
    "2025-04,joint-injections,200,150,45\n"
    "2025-05,anticoag,800,380,400\n"
    "2025-05,joint-injections,210,140,60\n"
)
BAD_FIGURES = (
    "period,scheme,baseline_activity,actual_activity,provision_activity\n"
    "2025-04,anticoag,820,400,410\n"
    "2025-04,joint-injections,200,lots,45\n"
    "2025-05,anticoag,800,380,-5\n"
)
COUNTS = [  # the good figures again, as the engine takes them: (month, scheme, baseline, actual, provision)
    (4, "anticoag", "820", "400", "410"),
    (4, "joint-injections", "200", "150", "45"),
    (5, "anticoag", "800", "380", "400"),
    (5, "joint-injections", "210", "140", "60"),
]


class Pages:
    """One signed-in browser tab that checks every page it lands on."""

    def __init__(self, browser: Any, site: Site) -> None:
        self.site = site
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.csp_violations: list[str] = []
        self.page.on("console", self._console)

    def _console(self, message: Any) -> None:
        # The compiled NHS.UK stylesheet declares its Frutiger web font on assets.nhs.uk (licensed for nhs.uk
        # only); the CSP blocks that host and pages fall back to Arial, the NHS.UK fallback. Anything else fails.
        if "Content Security Policy" in message.text and "https://assets.nhs.uk/fonts/" not in message.text:
            self.csp_violations.append(message.text)

    def url(self, path: str) -> str:
        return self.site.base + path

    def agreement(self, path: str = "") -> str:
        return self.url(f"/agreements/{self.site.agreement_id}{path}")

    def check(self) -> None:
        """Landmarks, a title and one h1, no axe violations, no CSP violations."""
        page = self.page
        assert page.title().endswith("Gain share workspace"), page.title()
        assert page.locator("h1").count() == 1
        assert page.locator("main#maincontent").count() == 1
        assert page.locator("header[role=banner]").count() == 1
        found = axe_violations(page)
        assert not found, f"{page.url}:\n{describe(found)}"
        assert not self.csp_violations, self.csp_violations

    def visit(self, path: str) -> None:
        self.page.goto(self.url(path))
        self.check()

    def submit(self, button: str) -> None:
        """Press a button that submits a form, wait for the next page, and check it."""
        with self.page.expect_navigation():
            self.page.click(f"button:has-text({button!r})")
        self.check()

    def follow(self, link: str) -> None:
        with self.page.expect_navigation():
            self.page.click(link)
        self.check()

    def sign_in(self, email: str) -> None:
        self.visit("/sign-in")
        self.page.fill("#email", email)
        self.page.fill("#password", PASSWORD)
        self.submit("Sign in")
        assert self.page.url == self.url("/")

    def close(self) -> None:
        self.context.close()


def _version(site: Site, number: int) -> Any:
    return site.workspace.service.get_version(site.manager, site.agreement_id, number)


def _expected_net_saving(site: Site) -> Money:
    """The engine's savings for the good figures under the signed version's terms, month by month."""
    terms = parse_agreement(_version(site, 1).content)
    by_month: dict[int, list[SchemeFigures]] = defaultdict(list)
    for month, scheme, baseline, actual, provision in COUNTS:
        span = month_period(2025, month)
        by_month[month].append(SchemeFigures(scheme, span, Decimal(baseline), Decimal(actual), Decimal(provision)))
    total = Money(0)
    for month, rows in by_month.items():
        for costs in scheme_costs(terms, month_period(2025, month), rows, terms.sharing.rounding):
            total = total + costs.baseline - costs.actual - costs.provision
    return total


def test_sign_in_is_required_and_wrong_passwords_are_refused(browser: Any, site: Site) -> None:
    pages = Pages(browser, site)
    pages.page.goto(pages.agreement())
    assert "/sign-in" in pages.page.url
    pages.check()
    pages.submit("Sign in")
    assert pages.page.locator(".nhsuk-error-summary a[href='#email']").inner_text() == "Enter your email address"
    assert pages.page.title().startswith("Error: ")
    pages.check()
    pages.page.fill("#email", "manager@fed.example")
    pages.page.fill("#password", "not the password")
    pages.submit("Sign in")
    assert "not right" in pages.page.locator("#email-error").inner_text()
    pages.check()
    pages.close()


def test_negotiate_sign_upload_and_read_the_dashboard(browser: Any, site: Site) -> None:
    manager, finance = Pages(browser, site), Pages(browser, site)
    _federation_edits_and_proposes(manager)
    _commissioner_counter_proposes(finance)
    _both_sign(manager, finance)
    _signed_version_is_frozen(manager)
    _bad_upload_is_refused(manager)
    _good_upload_and_dashboard(manager)
    _settle_and_read_the_statement(finance)
    manager.close()
    finance.close()


def _federation_edits_and_proposes(pages: Pages) -> None:
    pages.sign_in("manager@fed.example")
    assert "Northvale MSK gain share" in pages.page.locator("main").inner_text()
    pages.visit("/agreements")
    pages.follow("main a:has-text('Northvale MSK gain share')")
    pages.follow(".gs-subnav a:has-text('Edit')")
    share = "#f-sharing-gains-provider-share"
    assert pages.page.input_value(share) == "50%"
    pages.page.fill(share, "lots")
    pages.submit("Save draft")
    summary = pages.page.locator(".nhsuk-error-summary a")
    assert summary.first.get_attribute("href") == "#f-sharing-gains-provider-share"
    inline = pages.page.locator("#f-sharing-gains-provider-share-error").inner_text()
    assert "Provider's share of savings" in inline
    assert pages.page.input_value(share) == "lots"  # what the user typed is kept
    assert "lots" not in _version(pages.site, 1).content  # nothing saved
    pages.page.fill(share, "60%")
    pages.submit("Save draft")
    assert "saved as version 1" in pages.page.locator(".gs-notice").inner_text()
    pages.submit("Propose version 1")
    assert pages.page.locator(".nhsuk-tag", has_text="Proposed").count() == 1, pages.page.locator("main").inner_text()


def _commissioner_counter_proposes(pages: Pages) -> None:
    pages.sign_in("finance@icb.example")
    alert = pages.page.locator(".gs-alert")
    assert "waiting for NHS Northvale Integrated Care Board to sign it" in alert.inner_text()
    pages.visit(f"/agreements/{pages.site.agreement_id}/yaml")
    text = pages.page.input_value("#content")
    assert "provider_share: 60%" in text
    pages.page.fill("#content", text.replace("provider_share: 60%", "provider_share: 55%\n    colour: blue"))
    pages.submit("Save draft")
    assert "sharing.gains.colour" in pages.page.locator(".nhsuk-error-summary").inner_text()
    pages.page.fill("#content", text.replace("provider_share: 60%", "provider_share: 55%"))
    pages.submit("Save draft")
    pages.submit("Propose version 1")
    assert "55%" in _version(pages.site, 1).content
    assert _version(pages.site, 1).status is VersionStatus.PROPOSED


def _both_sign(manager: Pages, finance: Pages) -> None:
    version = _version(finance.site, 1)
    finance.visit(f"/agreements/{finance.site.agreement_id}/versions/1")
    assert version.content_sha256 in finance.page.locator("main").inner_text()
    finance.submit("Sign version 1 for NHS Northvale Integrated Care Board")
    assert "Fiona Finance" in finance.page.locator("table", has_text="Signed by").inner_text()
    manager.visit(f"/agreements/{manager.site.agreement_id}/versions/1")
    manager.submit("Sign version 1 for Northvale GP Federation")
    signatures = manager.page.locator("table", has_text="Signed by").inner_text()
    assert "Fiona Finance" in signatures
    assert "Manny Manager" in signatures
    assert manager.page.locator(".nhsuk-tag", has_text="Signed").count() >= 1
    assert "frozen" in manager.page.locator("main").inner_text()
    assert manager.page.locator("button:has-text('Sign version')").count() == 0
    assert _version(manager.site, 1).status is VersionStatus.SIGNED


def _signed_version_is_frozen(pages: Pages) -> None:
    signed = _version(pages.site, 1)
    pages.visit(f"/agreements/{pages.site.agreement_id}/edit")
    assert "Version 1 is signed and frozen" in pages.page.locator("main").inner_text()
    pages.page.fill("#f-sharing-gains-cap-percent-of-baseline", "12%")
    pages.submit("Save a new version")
    assert pages.page.url.endswith(f"/agreements/{pages.site.agreement_id}/versions/2?done=saved")
    again = _version(pages.site, 1)
    assert (again.content, again.content_sha256, again.status) == (signed.content, signed.content_sha256, signed.status)
    pages.visit(f"/agreements/{pages.site.agreement_id}/versions")
    diff = pages.page.locator("#diff table").inner_text()
    assert re.search(r"sharing\.gains\.cap\.percent_of_baseline.*15%.*12%", diff, re.S), diff
    pages.page.select_option("#after", "1")  # htmx swaps the comparison in place
    pages.page.wait_for_selector("#diff:has-text('Choose two different versions')")
    pages.check()


def _bad_upload_is_refused(pages: Pages) -> None:
    pages.visit(f"/agreements/{pages.site.agreement_id}/uploads")
    bad = {"name": "april-may.csv", "mimeType": "text/csv", "buffer": BAD_FIGURES.encode()}
    pages.page.set_input_files("#file", bad)
    pages.page.wait_for_selector("#preview:has-text('2 problems in april-may.csv')")  # htmx preview, nothing saved
    pages.check()
    pages.submit("Save the figures")
    summary = pages.page.locator(".nhsuk-error-summary").inner_text()
    assert "Row 3, column actual_activity: 'lots' is not a number" in summary
    assert "Row 4, column provision_activity" in summary
    assert "No figures have been saved" in pages.page.locator("main").inner_text()
    assert pages.site.workspace.service.list_uploads(pages.site.manager, pages.site.agreement_id) == []


def _good_upload_and_dashboard(pages: Pages) -> None:
    good = {"name": "april-may.csv", "mimeType": "text/csv", "buffer": GOOD_FIGURES.encode()}
    pages.page.set_input_files("#file", good)
    pages.page.wait_for_selector("#preview:has-text('4 rows, no problems found')")
    pages.check()
    pages.submit("Save the figures")
    assert "The figures are saved" in pages.page.locator(".gs-notice").inner_text()
    pages.visit(f"/agreements/{pages.site.agreement_id}/dashboard")
    pages.page.wait_for_selector("[data-chart-ready]")
    pages.check()
    expected = _expected_net_saving(pages.site)
    assert expected.pence > 0
    assert pages.page.locator("#net-saving-to-date").inner_text() == expected.format()
    assert pages.page.locator(".gs-chart .main-svg").count() >= 1  # plotly drew the chart


def _settle_and_read_the_statement(pages: Pages) -> None:
    pages.visit(f"/agreements/{pages.site.agreement_id}/settlements")
    pages.page.fill("#period", "2025-26")
    pages.submit("Settle and post to the ledger")
    record = pages.site.workspace.service.list_settlements(pages.site.finance, pages.site.agreement_id)[0]
    main = pages.page.locator("main").inner_text()
    assert record.net_saving.format() in main
    assert "Ledger postings" in main
    transactions = pages.site.workspace.service.ledger_transactions(pages.site.finance, pages.site.agreement_id)
    assert transactions
    for transaction in transactions:
        assert transaction.key in main


def test_other_pages_and_not_found(browser: Any, site: Site) -> None:
    pages = Pages(browser, site)
    pages.sign_in("manager@fed.example")
    for path in ("", "/versions", "/dashboard", "/settlements", "/uploads", "/yaml"):
        pages.visit(f"/agreements/{site.agreement_id}{path}")
    response = pages.page.goto(pages.url("/agreements/999"))
    assert response is not None and response.status == 404
    assert pages.page.locator("h1").inner_text() == "Page not found"
    pages.check()
    pages.close()
