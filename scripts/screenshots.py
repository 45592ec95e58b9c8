"""Screenshots of every page into docs/screenshots/ (`make screenshots`).

Seeds the demo workspace (as `gainshare demo run` does) in a temporary folder, serves the app on 127.0.0.1 and
visits each page in Debian's Chromium as the demo's federation manager. Also runs axe-core on each page and
prints what it finds (serious and critical WCAG 2.2 AA violations), so a look at the pictures comes with a check.
"""

from __future__ import annotations

import csv
import io
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY))

from tests.web.harness import axe_violations, describe, launch, serving  # noqa: E402
from tests.web.year import seed_year  # noqa: E402

from gainshare.bootstrap import DEMO_PASSWORD, build_workspace  # noqa: E402
from gainshare.config import Settings  # noqa: E402
from gainshare.interfaces.app import create_app  # noqa: E402

OUT = REPOSITORY / "docs" / "screenshots"
MANAGER = "manager@northvale-fed.example"
BAD_FIGURES = (
    "period,scheme,baseline_activity,actual_activity,provision_activity\n"
    "2025-04,anticoag,820,610,200\n"
    "2025-05,anticoag,810,lots,210\n"
    "2025-05,podiatry,100,90,10\n"
)
Step = Callable[[Any, str], None]


def _sign_in(page: Any, base: str) -> None:
    page.goto(f"{base}/sign-in")
    page.fill("#email", MANAGER)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(f"{base}/")


def _edit_errors(page: Any, base: str) -> None:
    page.goto(f"{base}/agreements/1/edit")
    page.fill("#f-sharing-gains-provider-share", "150%")
    page.fill("#f-term-end", "31/03/2028")
    page.click("button:has-text('Save')")


def _yaml_errors(page: Any, base: str) -> None:
    page.goto(f"{base}/agreements/1/yaml")
    text = page.input_value("#content")
    page.fill("#content", text.replace("sharing:", "sharing:\n  colour: blue", 1))
    page.click("button:has-text('Save')")


def _bad_upload(page: Any, base: str) -> None:
    page.goto(f"{base}/agreements/1/uploads")
    page.set_input_files("#file", {"name": "april-may.csv", "mimeType": "text/csv", "buffer": BAD_FIGURES.encode()})
    page.wait_for_selector("#preview h2")
    page.click("button:has-text('Save the figures')")
    page.wait_for_selector(".nhsuk-error-summary")


def _dashboard(page: Any, base: str) -> None:
    page.goto(f"{base}/agreements/1/dashboard")
    page.wait_for_selector("[data-chart-ready]", timeout=15_000)


def _statement(page: Any, base: str) -> None:
    page.goto(f"{base}/agreements/1/settlements")
    page.click("a:has-text('Statement for')")


HUBS = "/agreements/1/hubs?run=1&service=anticoag&hubs=4&pin=Z90003&per_session=12"
SCHEME = "/incentives/northvale-federation-development"
CONFLICTED = "clinical-lead@northvale-icb.example"


def _hubs(page: Any, base: str) -> None:
    page.goto(base + HUBS)
    page.wait_for_selector("[data-chart-ready]", timeout=15_000)
    page.wait_for_selector("[data-map-ready]", timeout=15_000)


def _landscape(page: Any, base: str) -> None:
    page.goto(f"{base}/landscape")
    page.wait_for_function("() => document.querySelector('.gs-landscape-map img').naturalWidth > 0", timeout=30_000)


def _sign_off_refused(page: Any, base: str) -> None:
    """Signed in as the demo's clinical lead (a declared interest in a member practice), try a sign-off."""
    page.click("button:has-text('Sign out')")
    page.fill("#email", CONFLICTED)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(f"{base}/")
    page.goto(base + SCHEME)
    page.select_option("#stage", "year-1")
    page.select_option("#sign-off-practice", "Z90001")
    page.click("button:has-text('Sign off')")
    page.wait_for_selector("#refusal")


def _negotiate_results(page: Any, base: str) -> None:
    page.goto(f"{base}/agreements/1/negotiate")
    page.fill("#f-alt1-name", "Federation-friendly")
    page.fill("#f-alt1-share", "70%")
    page.click("#run")
    page.wait_for_selector("#results")
    page.wait_for_function("() => document.querySelectorAll('[data-chart-ready]').length === 6", timeout=30_000)


def _negotiate_errors(page: Any, base: str) -> None:
    page.goto(f"{base}/agreements/1/negotiate")
    page.fill("#f-anticoag-shift-share-likely", "150%")
    page.fill("#f-scenarios", "50")
    page.click("#run")
    page.wait_for_selector(".nhsuk-error-summary")


DISCOVER = "/discover/Y99901"


def _discover_funnel(page: Any, base: str) -> None:
    page.goto(f"{base}{DISCOVER}/services/ecg")
    page.wait_for_selector("[data-chart-ready]", timeout=15_000)


def _discover_trend(page: Any, base: str) -> None:
    """The funnel page after selecting the planted ECG outlier's code: its trend in the panel (htmx)."""
    _discover_funnel(page, base)
    page.click("#practice-Z90010 a")
    page.wait_for_selector("#trend-chart[data-chart-ready]", timeout=15_000)


YEAR: list[Any] = []  # the demo year (tests/web/year.py) and its workspace, set by main()
YEAR_PAGES = "/agreements/2"  # the demo year's agreement: the second one seeded


def _actuals_preview(page: Any, base: str) -> None:
    page.goto(f"{base}{YEAR_PAGES}/monitoring")
    page.set_input_files("#file", {"name": "year-1.csv", "mimeType": "text/csv", "buffer": YEAR[0].actuals})
    page.wait_for_selector("#preview-summary")


def _actuals_saved(page: Any, base: str) -> None:
    page.click("button:has-text('Save the actuals')")
    page.wait_for_selector("#saved-summary")


def _spc(page: Any, base: str) -> None:
    year, workspace = YEAR
    found = workspace.monitoring.notifications(year.manager, year.agreement_id)
    scheme = next((n.scheme for n in found if not n.practice), "anticoag")
    page.goto(f"{base}{YEAR_PAGES}/monitoring/spc?scheme={scheme}")
    page.wait_for_selector("[data-chart-ready]", timeout=15_000)


def _year_end(page: Any, base: str) -> None:
    page.goto(f"{base}{YEAR_PAGES}/year-end")
    page.click("button:has-text('Draw the schedule')")
    page.wait_for_selector("#instalments")
    page.click("#instalments button >> nth=0")
    page.wait_for_selector("#instalments .nhsuk-tag--green")


def _statement_signed(page: Any, base: str) -> None:
    """Signed for the federation in the page, for the ICB through the service (its finance lead), then read."""
    year, workspace = YEAR
    page.click("button:has-text('Sign the statement for the provider')")
    page.wait_for_selector("#signatures")
    draft = workspace.signoff.draft(year.finance, year.agreement_id, year.period)
    workspace.signoff.sign(year.finance, year.agreement_id, year.period, "commissioner", draft.sha256)
    page.goto(f"{base}{YEAR_PAGES}/year-end#statement")


def _distribution(page: Any, base: str) -> None:
    page.set_input_files("#weights", {"name": "weights.csv", "mimeType": "text/csv", "buffer": YEAR[0].weights})
    page.click("button:has-text('Post to the ledger')")
    page.wait_for_selector("#distribution-lines")


def _referrals(page: Any, base: str) -> None:
    page.goto(f"{base}{YEAR_PAGES}/referrals")
    page.set_input_files(
        "#referrals-file", {"name": "referrals.csv", "mimeType": "text/csv", "buffer": YEAR[0].referrals}
    )
    page.click("button:has-text('Save the referrals')")
    page.wait_for_selector("#referral-statements")


def _adjustment(page: Any, base: str) -> None:
    """A month revised after the period was posted: the year-end page shows what the adjustment would post."""
    year = YEAR[0]
    first = next(csv.DictReader(io.StringIO(year.actuals.decode("utf-8"))))
    revised = first | {"hospital_activity": str(int(first["hospital_activity"]) + 25)}
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(revised))
    writer.writeheader()
    writer.writerow(revised)
    page.goto(f"{base}{YEAR_PAGES}/monitoring")
    page.set_input_files("#file", {"name": "revised.csv", "mimeType": "text/csv", "buffer": buffer.getvalue().encode()})
    page.wait_for_selector("#preview-summary")
    page.click("button:has-text('Save the actuals')")
    page.wait_for_selector("#saved-summary")
    page.goto(f"{base}{YEAR_PAGES}/year-end?period={year.period}#adjustment")
    page.wait_for_selector("#adjustment-lines")


ROOT = "root@gainshare.example"  # a system administrator, as `gainshare admin create-user --no-password-change` makes


def _new_agreement_errors(page: Any, base: str) -> None:
    page.goto(f"{base}/agreements/new")
    page.select_option("#f-counterparty-id", index=1)
    page.fill("#f-title", "Northvale frailty gain share")
    page.fill("#f-term-start", "2026-04-01")
    page.fill("#f-term-end", "31/03/2029")
    page.fill("#f-schemes-0-name", "Frailty hub")
    page.fill("#f-schemes-0-hospital-price", "three hundred")
    page.fill("#f-schemes-0-provision-price", "180.00")
    page.fill("#f-sharing-gains-provider-share", "50%")
    page.click("button:has-text('Save the draft')")


def _as_root(path: str) -> Step:
    def step(page: Any, base: str) -> None:
        from gainshare.services.ports import Role  # noqa: PLC0415
        from gainshare.services.workspace import Actor  # noqa: PLC0415

        workspace = YEAR[1]
        if workspace.service.authenticate(ROOT, DEMO_PASSWORD) is None:
            admin = workspace.administration
            admin.create_user(
                Actor.system(), ROOT, "Sam Sysadmin", DEMO_PASSWORD, None, True, password_change_required=False
            )
            page.click("button:has-text('Sign out')")
            page.fill("#email", ROOT)
            page.fill("#password", DEMO_PASSWORD)
            page.click("button:has-text('Sign in')")
            page.wait_for_url(f"{base}/")
            fed = workspace.service.find_organisation(Actor.system(), "Y99901")
            admin.add_member(Actor.system(), fed.id, "admin@northvale-fed.example", "Ada Admin", Role.ADMINISTRATOR)
        page.goto(base + path)

    return step


def _member_added(page: Any, base: str) -> None:
    page.goto(f"{base}/admin/organisations/{_federation_id()}/members/new")
    page.fill("#f-user-email", "newbie@northvale-fed.example")
    page.fill("#f-user-display-name", "Nina Newbie")
    page.select_option("#f-membership-role", "federation_manager")
    page.click("button:has-text('Add the member')")


def _organisation_errors(page: Any, base: str) -> None:
    page.goto(f"{base}/admin/organisations/new")
    page.fill("#f-organisation-ods-code", "QZ-1")
    page.fill("#f-organisation-parent", "Y99901")
    page.click("button:has-text('Create the organisation')")


def _organisation_page(suffix: str) -> Step:
    def step(page: Any, base: str) -> None:
        _as_root(f"/admin/organisations/{_federation_id()}{suffix}")(page, base)

    return step


def _federation_id() -> int:
    from gainshare.services.workspace import Actor  # noqa: PLC0415

    found = YEAR[1].service.find_organisation(Actor.system(), "Y99901")
    return int(found.id)


def _goto(path: str) -> Step:
    def step(page: Any, base: str) -> None:
        page.goto(base + path)

    return step


PAGES: list[tuple[str, Step]] = [
    ("01-sign-in", lambda page, base: page.goto(f"{base}/sign-in")),
    ("02-home", _goto("/")),
    ("03-agreements", _goto("/agreements")),
    ("04-agreement-overview", _goto("/agreements/1")),
    ("05-version-signed", _goto("/agreements/1/versions/1")),
    ("06-version-draft", _goto("/agreements/1/versions/2")),
    ("07-versions-and-diff", _goto("/agreements/1/versions")),
    ("08-editor-form", _goto("/agreements/1/edit")),
    ("09-editor-form-errors", _edit_errors),
    ("10-editor-yaml", _goto("/agreements/1/yaml")),
    ("11-editor-yaml-errors", _yaml_errors),
    ("12-uploads", _goto("/agreements/1/uploads")),
    ("13-upload-refused", _bad_upload),
    ("14-dashboard", _dashboard),
    ("15-settlements", _goto("/agreements/1/settlements")),
    ("16-statement", _statement),
    ("17-not-found", _goto("/agreements/99")),
    ("20-discover", _goto("/discover")),
    ("21-discover-ranking", _goto(DISCOVER)),
    ("22-discover-funnel", _discover_funnel),
    ("23-discover-trend", _discover_trend),
    ("30-hub-design", _hubs),
    ("31-incentive-scheme", _goto(SCHEME)),
    ("32-conflicts-register", _goto("/conflicts")),
    ("33-landscape", _landscape),
    ("40-negotiate", _goto("/agreements/1/negotiate")),
    ("41-negotiate-results", _negotiate_results),
    ("42-negotiate-errors", _negotiate_errors),
    ("50-actuals-preview", _actuals_preview),
    ("51-actuals-saved", _actuals_saved),
    ("52-home-notifications", _goto("/")),
    ("53-against-plan", _goto(f"{YEAR_PAGES}/monitoring/performance")),
    ("54-spc-chart", _spc),
    ("55-year-end-payments", _year_end),
    ("56-statement-signed", _statement_signed),
    ("57-distribution", _distribution),
    ("58-referral-statements", _referrals),
    ("59-prior-period-adjustment", _adjustment),
    ("60-new-agreement", _goto("/agreements/new")),
    ("61-new-agreement-errors", _new_agreement_errors),
    ("62-agreement-audit-log", _goto("/agreements/1/audit")),
    ("63-admin", _as_root("/admin")),  # signs in as a system administrator: the 6x pages after this are theirs
    ("64-organisation-members", _organisation_page("")),
    ("65-member-added", _member_added),
    ("66-organisation-audit-log", _organisation_page("/audit")),
    ("67-create-organisation-errors", _organisation_errors),
    ("68-change-password", _goto("/account/password")),
    ("34-sign-off-refused", _sign_off_refused),  # signs in as another user: keep it last
]


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    failures = 0
    with tempfile.TemporaryDirectory(prefix="gainshare-screens-") as folder:
        settings = Settings(data_folder=Path(folder), database_url=None)  # type: ignore[call-arg]
        workspace = build_workspace(settings.resolved_database_url(), settings.data_folder)
        YEAR[:] = [seed_year(workspace), workspace]  # the demo (seed_demo), and the demo year's agreement
        app = create_app(settings, workspace)
        with serving(app) as base, sync_playwright() as playwright:
            browser = launch(playwright)
            page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            only = sys.argv[1:]  # names (or prefixes) of the screenshots to take; none: all
            for name, step in PAGES:
                if name == "02-home":
                    _sign_in(page, base)
                if only and not any(name.startswith(prefix) for prefix in only):
                    continue
                step(page, base)
                page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)
                found = axe_violations(page)
                failures += bool(found)
                print(f"{name}: {'ok' if not found else describe(found)}")
            browser.close()
        workspace.close()
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
