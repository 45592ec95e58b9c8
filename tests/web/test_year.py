"""A full demo year in the browser: upload twelve months of actuals from the demo generator, read the SPC charts
and the notifications the planted and natural signals raise, the forecast and payments on account, produce the
statement, both parties sign it, post it, see the distribution, revise a month after posting (both sign the revised
statement, the prior-period adjustment posts the difference once), and issue the referral statements. Every number
checked is computed here with the engines from the same files, not copied from the page; axe-core checks every
page (no serious or critical WCAG 2.2 AA violations)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from gainshare.adapters.monitoring_files import decode_actuals, decode_referrals, decode_weights
from gainshare.adapters.referral_export import statements_csv
from gainshare.bootstrap import Workspace, build_workspace
from gainshare.config import Settings
from gainshare.domain.agreement import Agreement
from gainshare.domain.distribution import Basis, DistributionPolicy, LossHandling
from gainshare.domain.forecast import ForecastMethod
from gainshare.domain.money import Money
from gainshare.engines.distribution import distribute
from gainshare.engines.payments import payment_schedule
from gainshare.engines.referrals import monthly_statements
from gainshare.interfaces.app import create_app
from gainshare.interfaces.web.inbox_views import SHOWN
from gainshare.services.monitoring import (
    ALL_PRACTICES,
    Signal,
    chart_signals,
    forecast_period,
    party_ids,
    price_rows,
    spc_chart,
    spc_series,
    to_figures,
)
from gainshare.services.ports import ActualsEntry
from gainshare.services.settlements import settle_all
from gainshare.services.yearend import DistributionTerms
from tests.web.harness import axe_violations, describe, serving
from tests.web.year import FINANCE, MANAGER, PASSWORD, DemoYear, seed_year, to_csv

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class YearSite:
    base: str
    workspace: Workspace
    year: DemoYear
    terms: Agreement
    entries: list[ActualsEntry]


@pytest.fixture(scope="module")
def year_site(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[YearSite]:
    folder: Path = tmp_path_factory.mktemp("year")
    settings = Settings(data_folder=folder, database_url=None, secret_key="y" * 40)  # type: ignore[call-arg]
    workspace = build_workspace(settings.resolved_database_url(), folder, clock=lambda: datetime.now(UTC))
    year = seed_year(workspace)
    terms = workspace.monitoring.terms(year.manager, year.agreement_id)
    entries = price_rows(terms, decode_actuals(year.actuals, "actuals.csv"))
    with serving(create_app(settings, workspace)) as base:
        yield YearSite(base, workspace, year, terms, entries)
    workspace.close()


class Tab:
    """A signed-in browser tab that checks every page it lands on (one h1, axe, no CSP violations)."""

    def __init__(self, browser: Any, site: YearSite, email: str) -> None:
        self.site = site
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.csp: list[str] = []
        self.page.on("console", self._console)
        self.visit("/sign-in")
        self.page.fill("#email", email)
        self.page.fill("#password", PASSWORD)
        self.submit("Sign in")

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text and "https://assets.nhs.uk/fonts/" not in message.text:
            self.csp.append(message.text)

    def agreement(self, path: str) -> str:
        return f"/agreements/{self.site.year.agreement_id}{path}"

    def check(self) -> None:
        assert self.page.locator("h1").count() == 1, self.page.url
        found = axe_violations(self.page)
        assert not found, f"{self.page.url}:\n{describe(found)}"
        assert not self.csp, self.csp

    def visit(self, path: str) -> None:
        self.page.goto(self.site.base + path)
        self.check()

    def submit(self, button: str) -> None:
        with self.page.expect_navigation():
            self.page.click(f"button:has-text({button!r})")
        self.check()

    def text(self, selector: str) -> str:
        return " ".join(self.page.locator(selector).first.inner_text().split())

    def close(self) -> None:
        self.context.close()


def expected_signals(site: YearSite) -> list[Signal]:
    """What the upload must notify: each chart's new special-cause runs in the months uploaded (the engine)."""
    months = {entry.month for entry in site.entries}
    cells = {(e.scheme, e.practice) for e in site.entries} | {(e.scheme, ALL_PRACTICES) for e in site.entries}
    found: list[Signal] = []
    for scheme, practice in sorted(cells):
        found += chart_signals(spc_chart(site.terms, site.entries, scheme, practice), scheme, practice, months)
    return found


def _pounds(amount: Money) -> str:
    return amount.format()


def _two(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))


def test_a_demo_year_from_actuals_to_distribution(browser: Any, year_site: YearSite) -> None:
    manager = Tab(browser, year_site, MANAGER)
    signals = expected_signals(year_site)
    assert signals, "the demo year raises special-cause signals (its planted outliers among them)"
    _upload_actuals(manager, year_site, len(signals))
    _notifications(manager, signals)
    _spc(manager, year_site, signals)
    _performance(manager, year_site)
    paid = _forecast_and_payments(manager, year_site)
    _reconcile_and_sign(manager, year_site, paid, "provider")
    manager.close()

    finance = Tab(browser, year_site, FINANCE)
    assert finance.page.locator("#unread-count").count() == 1  # the commissioner's users see the signals too
    _reconcile_and_sign(finance, year_site, paid, "commissioner")
    _post_and_distribute(finance, year_site, paid)
    _adjust(browser, finance, year_site, paid)
    _referrals(finance, year_site)
    finance.close()


def _upload_actuals(tab: Tab, site: YearSite, signals: int) -> None:
    tab.visit(tab.agreement("/monitoring"))
    tab.page.set_input_files("#file", {"name": "year-1.csv", "mimeType": "text/csv", "buffer": site.year.actuals})
    tab.page.wait_for_selector("#preview-summary")
    assert f"{len(site.entries)} rows, no problems found: {len(site.entries)} new" in tab.text("#preview-summary")
    assert tab.site.workspace.monitoring.actuals(site.year.manager, site.year.agreement_id) == []  # nothing saved
    tab.submit("Save the actuals")
    summary = tab.text("#saved-summary")
    assert f"{len(site.entries)} new rows, 0 revised" in summary
    assert f"{signals} new special-cause signal" in summary


def _notifications(tab: Tab, signals: list[Signal]) -> None:
    """Home lists one entry per chart (scheme-wide charts first), at most SHOWN of them; marking one signal read on
    the agreement's page, then all of them on the home page, clears the count."""
    charts = {(signal.scheme, signal.practice) for signal in signals}
    tab.visit("/")
    assert tab.text("#unread-count") == f"{len(signals)} unread signals on {len(charts)} charts"
    listed = tab.page.locator(".gs-inbox-agreement .gs-notification")
    assert listed.count() == min(len(charts), SHOWN)
    scheme_wide = sum(1 for _, practice in charts if practice == ALL_PRACTICES)
    names = listed.locator(".gs-notification__chart").all_inner_texts()
    assert [name.endswith("all practices") for name in names] == [i < scheme_wide for i in range(len(names))]
    if len(charts) > SHOWN:
        assert tab.text("#more-notifications").startswith(f"{len(charts) - SHOWN} more chart")
    tab.visit(tab.agreement("/monitoring"))
    assert tab.text("#unread-signals") == f"{len(signals)} unread signals."
    tab.submit("Mark as read")
    assert tab.text("#unread-signals") == f"{len(signals) - 1} unread signals."
    tab.visit("/")
    assert tab.text("#unread-count").startswith(f"{len(signals) - 1} unread signals on ")
    tab.submit("Mark all as read")
    assert tab.page.locator("#unread-count").count() == 0
    assert "Every signal read" in tab.text(f"#inbox-agreement-{tab.site.year.agreement_id}")


def _spc(tab: Tab, site: YearSite, signals: list[Signal]) -> None:
    scheme = next((s.scheme for s in signals if s.practice == ALL_PRACTICES), site.terms.schemes[0].id)
    chart = spc_chart(site.terms, site.entries, scheme)
    start = spc_series(site.terms, site.entries, scheme)[1]
    assert start == site.entries[0].month  # the baseline year, then the change point at the scheme start
    tab.visit(tab.agreement(f"/monitoring/spc?scheme={scheme}"))
    tab.page.wait_for_selector("[data-chart-ready]", timeout=15_000)
    last = chart.segments[-1]
    assert tab.text("#spc-upper") == _two(last.upper_process_limit)
    assert tab.text("#spc-lower") == _two(last.lower_process_limit)
    assert tab.text("#spc-mean") == _two(last.mean)
    assert tab.page.locator("#spc-table tbody tr").count() == len(chart.points) == 24
    assert "Scheme start" in tab.text(f"#spc-table tr[data-label='{start}']")
    special = sum(1 for point in chart.points if point.special_cause)
    assert tab.page.locator("#spc-table tr.gs-special-cause").count() == special
    assert tab.page.locator("#variation-icon svg[role=img]").count() == 1
    assert tab.page.locator(".gs-chart .main-svg").count() >= 1  # Plotly drew it


def _performance(tab: Tab, site: YearSite) -> None:
    tab.visit(tab.agreement("/monitoring/performance"))
    assert "planned saving for the settlement period" in tab.text("#plan-basis")
    for scheme in site.terms.schemes[:3]:
        mine = [e for e in site.entries if e.scheme == scheme.id]
        net = Money(sum((e.baseline_cost - e.hospital_cost - e.hub_cost).pence for e in mine))
        row = f"#schemes tr[data-key='{scheme.id}']"
        assert tab.text(f"{row} [data-net]") == _pounds(net)
        plan = dict(scheme.planned_savings)[site.year.period]  # twelve months spread evenly add up to the year
        assert tab.text(f"{row} [data-plan]") == _pounds(plan)


def _forecast_and_payments(tab: Tab, site: YearSite) -> Money:
    period = site.year.period
    forecast = forecast_period(site.terms, site.entries, period, ForecastMethod.LINEAR_TREND)
    tab.visit(tab.agreement(f"/year-end?period={period}"))
    assert tab.text("#forecast-outturn") == _pounds(forecast.net_saving.outturn)
    assert tab.text("#forecast-share") == _pounds(forecast.provider_share)
    interval = f"{_pounds(forecast.net_saving.lower)} to {_pounds(forecast.net_saving.upper)}"
    assert tab.text("#forecast-interval") == interval
    assert site.terms.payments_on_account is not None
    schedule = payment_schedule(site.terms.payments_on_account, forecast.provider_share, site.terms.sharing.rounding)
    tab.page.fill("#as_of", site.terms.period(period).start.isoformat())
    tab.submit("Draw the schedule")
    for item in schedule.instalments:
        assert tab.text(f"#instalments tr[data-due='{item.due}'] [data-amount]") == _pounds(item.amount)
        tab.submit(f"Pay {_pounds(item.amount)}")
        assert "Paid" in tab.text(f"#instalments tr[data-due='{item.due}']")
    return schedule.total()


def _reconcile_and_sign(tab: Tab, site: YearSite, paid: Money, party: str) -> None:
    period = site.year.period
    provider = party_ids(site.terms)[1]
    settlement = settle_all(site.terms, to_figures(site.entries, period, ((provider, paid),)), period).settlements[0]
    share = dict(settlement.shares)[provider]
    tab.visit(tab.agreement(f"/year-end?period={period}"))
    assert tab.text("#net-saving") == _pounds(settlement.net_saving)
    assert tab.text("#provider-share") == _pounds(share)
    assert tab.text("#paid-on-account") == _pounds(paid)
    assert tab.text("#true-up") == _pounds(share - paid)
    pdf = tab.page.request.get(tab.site.base + tab.agreement(f"/year-end/{period}/statement.pdf"))
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    tab.submit(f"Sign the statement for the {party}")
    assert "Signed" in tab.text(f"#signatures li[data-party='{party}']")


def _post_and_distribute(tab: Tab, site: YearSite, paid: Money) -> None:
    period = site.year.period
    tab.page.set_input_files("#weights", {"name": "weights.csv", "mimeType": "text/csv", "buffer": site.year.weights})
    tab.page.fill("#top_slice", "5%")
    tab.submit("Post to the ledger")
    assert tab.page.locator("#posted").count() == 1
    assert tab.page.locator("button:has-text('Post to the ledger')").count() == 0  # posted once
    provider = party_ids(site.terms)[1]
    settlement = settle_all(site.terms, to_figures(site.entries, period, ((provider, paid),)), period).settlements[0]
    policy = DistributionPolicy(
        Decimal("0.05"), ((Basis.WEIGHTED_LIST, Decimal(1)),), site.terms.reinvestment, LossHandling.LIKE_GAINS
    )
    measures = decode_weights(site.year.weights, "weights.csv")
    expected = distribute(provider, period, dict(settlement.shares)[provider], measures, policy)
    for line in expected.lines:
        assert tab.text(f"#distribution-lines tr[data-recipient='{line.recipient}'] [data-amount]") == _pounds(
            line.amount
        )
    again = site.workspace.signoff.post(
        site.year.finance, site.year.agreement_id, period, measures, DistributionTerms(Decimal("0.05"))
    )
    assert again.already_posted


def _adjust(browser: Any, tab: Tab, site: YearSite, paid: Money) -> None:
    """A month revised after posting: the year-end page shows what moved; both parties sign the revised statement;
    the adjustment posts the difference once and is listed with its keys."""
    period, provider = site.year.period, party_ids(site.terms)[1]
    first = next(csv.DictReader(io.StringIO(site.year.actuals.decode("utf-8"))))
    revised = first | {"hospital_activity": str(int(first["hospital_activity"]) + 25)}
    content = to_csv([revised])
    tab.visit(tab.agreement("/monitoring"))
    tab.page.set_input_files("#file", {"name": "revised.csv", "mimeType": "text/csv", "buffer": content})
    tab.page.wait_for_selector("#preview-summary")
    tab.submit("Save the actuals")
    changed = price_rows(site.terms, decode_actuals(content, "revised.csv"))[0]
    entries = [changed if entry.cell == changed.cell else entry for entry in site.entries]
    before, after = (_share(site, rows, paid) for rows in (site.entries, entries))
    tab.visit(tab.agreement(f"/year-end?period={period}"))
    assert "The actuals have changed since this period was posted" in tab.text("#adjustment-heading")
    assert f"{first['practice']} {first['month']}: hospital activity" in tab.text("#adjustment-revisions")
    party = f"#adjustment-lines tr[data-section='party'][data-name='{provider}']"
    assert tab.text(f"{party} [data-difference]") == _pounds(after - before)
    policy = DistributionPolicy(Decimal("0.05"), ((Basis.WEIGHTED_LIST, Decimal(1)),), site.terms.reinvestment)
    measures = decode_weights(site.year.weights, "weights.csv")
    old, new = (distribute(provider, period, share, measures, policy) for share in (before, after))
    for line in new.lines[:4]:
        row = f"#adjustment-lines tr[data-section='recipient'][data-name='{line.recipient}']"
        assert tab.text(f"{row} [data-difference]") == _pounds(line.amount - old.amount_for(line.recipient))
    tab.submit("Sign the revised statement for the commissioner")
    manager = Tab(browser, site, MANAGER)
    manager.visit(manager.agreement(f"/year-end?period={period}"))
    manager.submit("Sign the revised statement for the provider")
    manager.submit("Post the adjustment")
    assert manager.page.locator("#adjustment").count() == 0
    key = f"agreement/{site.year.agreement_id}/period/{period}/adjustment/1"
    assert key in manager.text("#adjustment-list tr[data-number='1']")
    balances = site.workspace.service.ledger_balances(site.year.finance, site.year.agreement_id)
    assert balances[f"{provider}:gain-share-due"] == after
    manager.close()


def _share(site: YearSite, entries: list[ActualsEntry], paid: Money) -> Money:
    provider = party_ids(site.terms)[1]
    figures = to_figures(entries, site.year.period, ((provider, paid),))
    return dict(settle_all(site.terms, figures, site.year.period).settlements[0].shares)[provider]


def _referrals(tab: Tab, site: YearSite) -> None:
    items = decode_referrals(site.year.referrals, "referrals.csv")
    first = min(item.month for item in items)
    netting = next(n for n in monthly_statements(items) if n.month == first)
    tab.visit(tab.agreement("/referrals"))
    tab.page.set_input_files(
        "#referrals-file", {"name": "referrals.csv", "mimeType": "text/csv", "buffer": site.year.referrals}
    )
    tab.submit("Save the referrals")
    assert tab.page.locator("#referral-months tbody tr").count() == 12
    tab.visit(tab.agreement(f"/referrals?month={first}"))
    for statement in netting.statements:
        assert tab.text(f"#referral-statements tr[data-practice='{statement.practice}'] [data-net]") == _pounds(
            statement.net
        )
    tab.submit("Issue the statements and post the nets")
    assert "Issued and posted" in tab.text(f"#referral-months tr:has(a:text-is('{first}'))")
    exported = tab.page.request.get(tab.site.base + tab.agreement(f"/referrals/{first}/statements.csv"))
    assert exported.status == 200
    assert exported.text() == statements_csv([netting])
    assert re.match(r"^month,practice,", exported.text())
