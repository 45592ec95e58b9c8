"""Browser proof of "Change your password": a member an administrator added signs in with the initial password, is
sent to the password page from every page until they change it, sees problems next to the fields and in the
error summary, changes it (the session cookie is replaced), browses on, and the initial password no longer signs
in. axe-core and the Content Security Policy are checked on every page visited."""

from __future__ import annotations

from typing import Any

import pytest

from gainshare.services.ports import Role
from gainshare.services.workspace import Actor
from tests.web.conftest import Site
from tests.web.test_pages import Pages

pytestmark = pytest.mark.browser
EMAIL = "nina@fed.example"
MINE = "river otter lantern mist"


def _session_cookie(pages: Pages) -> str:
    found = [c["value"] for c in pages.context.cookies() if c["name"] == "gainshare_session"]
    assert len(found) == 1
    value: str = found[0]
    return value


def _sign_in(pages: Pages, password: str) -> None:
    pages.visit("/sign-in")
    pages.page.fill("#email", EMAIL)
    pages.page.fill("#password", password)
    pages.submit("Sign in")


def _change(pages: Pages, current: str, new: str, confirm: str | None = None) -> None:
    pages.page.fill("#current-password", current)
    pages.page.fill("#new-password", new)
    pages.page.fill("#confirm-password", new if confirm is None else confirm)
    pages.submit("Change your password")


def _forced_to_change(pages: Pages, initial: str) -> None:
    """Signed in with the administrator's password: every page leads to the password page, which says why."""
    _sign_in(pages, initial)
    assert pages.page.url == pages.url("/account/password?next=/")
    assert "Your administrator chose the password" in pages.page.locator(".nhsuk-card--warning").inner_text()
    header = pages.page.locator("header[role=banner]")
    assert header.locator("a:has-text('Change password')").count() == 1
    assert header.locator("a:has-text('Agreements'), a:has-text('Administration')").count() == 0
    for path in ("/admin", f"/agreements/{pages.site.agreement_id}", "/agreements"):
        pages.visit(path)
        assert pages.page.url == pages.url(f"/account/password?next={path}"), path


def _problems_are_shown(pages: Pages, initial: str) -> None:
    pages.submit("Change your password")
    summary = pages.page.locator(".nhsuk-error-summary")
    assert summary.locator("a[href='#current-password']").inner_text() == "Enter your current password"
    assert summary.locator("a").count() == 3
    assert pages.page.title().startswith("Error: ")
    _change(pages, "not my password", MINE, "something else entirely")
    assert "Enter the same new password twice" in pages.page.locator("#confirm-password-error").inner_text()
    _change(pages, "not my password", MINE)
    assert "current password is not right" in pages.page.locator("#current-password-error").inner_text()
    _change(pages, initial, EMAIL)
    assert "cannot be the account's email address" in pages.page.locator("#new-password-error").inner_text()
    assert summary.locator("a[href='#new-password']").count() == 1


def test_an_added_member_changes_the_initial_password_before_anything_else(browser: Any, site: Site) -> None:
    added = site.workspace.administration.add_member(
        Actor.system(), site.federation_id, EMAIL, "Nina Newcomer", Role.FEDERATION_MANAGER
    )
    initial = added.initial_password
    assert initial is not None
    pages = Pages(browser, site)
    _forced_to_change(pages, initial)
    _problems_are_shown(pages, initial)
    before = _session_cookie(pages)
    _change(pages, initial, MINE)
    assert pages.page.locator("h1").inner_text() == "Your password has been changed"
    assert "Use your new password" in pages.page.locator("[role=status]").inner_text()
    assert _session_cookie(pages) != before
    pages.follow("a:has-text('Continue')")
    assert pages.page.url == pages.url("/agreements")
    assert pages.page.locator("text=Northvale MSK gain share").count() == 1
    pages.follow("header a:has-text('Change password')")
    assert pages.page.locator("h1").inner_text() == "Change your password"
    assert pages.page.locator(".nhsuk-card--warning").count() == 0
    pages.submit("Sign out")

    _sign_in(pages, initial)
    assert "not right" in pages.page.locator("#email-error").inner_text()
    _sign_in(pages, MINE)
    assert pages.page.url == pages.url("/")
    pages.close()
