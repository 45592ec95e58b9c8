"""Browser proofs of the pages that start agreements, administer organisations and show audit logs: a federation
manager starts an agreement (a bad field is named next to it, then fixed), the ICB sees it, an administrator adds
a user who then signs in (and is asked to choose their own password first), and another organisation's user gets
a 404 for the audit log. axe-core on every page."""

from __future__ import annotations

import re
from typing import Any

import pytest

from gainshare.services.ports import OrganisationKind, Role
from gainshare.services.workspace import Actor
from tests.web.conftest import PASSWORD, Site
from tests.web.harness import axe_violations, describe

pytestmark = pytest.mark.browser
TITLE = "Southfield frailty gain share"


class Tab:
    def __init__(self, browser: Any, site: Site) -> None:
        self.site = site
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()

    def visit(self, path: str) -> Any:
        return self.page.goto(self.site.base + path)

    def sign_in(self, email: str, password: str = PASSWORD, lands_on: str = "/") -> None:
        self.visit("/sign-in")
        self.page.fill("#email", email)
        self.page.fill("#password", password)
        self.page.click("button:has-text('Sign in')")
        self.page.wait_for_url(self.site.base + lands_on)

    def check(self) -> None:
        assert self.page.locator("h1").count() == 1
        found = axe_violations(self.page)
        assert not found, f"{self.page.url}:\n{describe(found)}"

    def close(self) -> None:
        self.context.close()


def test_a_federation_manager_starts_an_agreement_the_icb_sees(browser: Any, site: Site) -> None:
    manager = Tab(browser, site)
    manager.sign_in("manager@fed.example")
    manager.visit("/agreements")
    manager.page.click("text=Start a new agreement")
    manager.check()
    page = manager.page
    page.select_option("#f-counterparty-id", str(site.commissioner_id))
    page.fill("#f-title", TITLE)
    page.fill("#f-term-start", "2026-04-01")
    page.fill("#f-term-end", "31/03/2029")  # not an ISO date: the service names the field
    page.fill("#f-schemes-0-name", "Frailty hub")
    page.fill("#f-schemes-0-hospital-price", "310.00")
    page.fill("#f-schemes-0-provision-price", "180.00")
    page.fill("#f-sharing-gains-provider-share", "50%")
    page.click("button:has-text('Save the draft')")
    error = page.locator("#f-term-end-error")
    assert "Term ends" in error.inner_text()
    assert page.locator(".nhsuk-error-summary a[href='#f-term-end']").count() == 1
    assert page.input_value("#f-schemes-0-name") == "Frailty hub"  # what was typed is kept
    manager.check()
    page.click("button:has-text('Add another scheme')")
    assert page.locator("#f-schemes-1-name").count() == 1
    page.fill("#f-term-end", "2029-03-31")
    page.click("button:has-text('Save the draft')")
    assert re.search(r"/agreements/\d+$", page.url), page.url
    assert TITLE in page.locator("h1").inner_text()
    manager.check()
    manager.close()

    finance = Tab(browser, site)
    finance.sign_in("finance@icb.example")
    finance.visit("/agreements")
    assert finance.page.locator(f"text={TITLE}").count() == 1
    finance.close()


def test_an_administrator_adds_a_user_who_then_signs_in(browser: Any, site: Site) -> None:
    membership = ("Y99001", Role.ADMINISTRATOR)
    site.workspace.administration.create_user(
        Actor.system(), "admin@fed.example", "Ada Admin", PASSWORD, membership, password_change_required=False
    )
    admin = Tab(browser, site)
    admin.sign_in("admin@fed.example")
    admin.visit("/admin")
    admin.check()
    admin.page.click("text=Northvale GP Federation")
    admin.check()
    admin.page.click("text=Add a member")
    page = admin.page
    page.fill("#f-user-email", "not an email")
    page.click("button:has-text('Add the member')")
    assert "not an email address" in page.locator("#f-user-email-error").inner_text()
    assert page.locator("#f-membership-role-error").count() == 1  # no role chosen
    admin.check()
    page.fill("#f-user-email", "newbie@fed.example")
    page.fill("#f-user-display-name", "Nina Newbie")
    page.select_option("#f-membership-role", "federation_manager")
    page.click("button:has-text('Add the member')")
    password = page.inner_text("#initial-password").strip()
    assert len(password) >= 12
    admin.check()
    admin.visit(f"/admin/organisations/{site.federation_id}/audit")
    assert page.locator("td:has-text('membership.created')").count() >= 1
    admin.check()
    admin.close()

    newbie = Tab(browser, site)
    newbie.sign_in("newbie@fed.example", password, lands_on="/account/password?next=/")
    newbie.check()
    newbie.page.fill("#current-password", password)
    newbie.page.fill("#new-password", "nina's own passphrase")
    newbie.page.fill("#confirm-password", "nina's own passphrase")
    newbie.page.click("button:has-text('Change your password')")
    assert newbie.page.locator("h1").inner_text() == "Your password has been changed"
    newbie.visit("/agreements")
    assert newbie.page.locator(
        f"text={site.workspace.service.get_agreement(site.manager, site.agreement_id).title}"
    ).count()
    newbie.close()


def test_the_audit_log_is_for_the_parties_only(browser: Any, site: Site) -> None:
    reader = Tab(browser, site)
    reader.sign_in("finance@icb.example")
    reader.visit(f"/agreements/{site.agreement_id}/audit")
    assert reader.page.locator("td:has-text('agreement.created')").count() == 1
    reader.check()
    reader.page.select_option("#action", "version.created")
    reader.page.click("button:has-text('Filter')")
    assert "action=version.created" in reader.page.url
    assert reader.page.locator("td:has-text('agreement.created')").count() == 0
    reader.close()

    service, system = site.workspace.service, Actor.system()
    other = service.create_organisation(system, "Y99055", "Westvale GP Federation", OrganisationKind.FEDERATION)
    user = service.create_user(system, "manager@westvale.example", "Wes Manager", PASSWORD)
    service.add_membership(system, user.id, other.id, Role.FEDERATION_MANAGER)
    outsider = Tab(browser, site)
    outsider.sign_in("manager@westvale.example")
    answer = outsider.visit(f"/agreements/{site.agreement_id}/audit")
    assert answer.status == 404
    assert outsider.page.locator("h1").inner_text() == "Page not found"
    assert outsider.visit(f"/agreements/{site.agreement_id}/audit.csv").status == 404
    assert outsider.visit(f"/admin/organisations/{site.federation_id}/audit").status == 404
    outsider.check()
    outsider.close()
