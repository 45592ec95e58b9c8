"""Browser proofs of the Discover pages on the seeded demo workspace: reachable from the home page, the ranking
with its assumptions, each planted outlier flagged in its funnel's table, a click on a practice's point showing its
trend (htmx), the plain-link trend page, the workbook download; axe-core finds no serious or critical WCAG 2.2 AA
violations on any of them and the page's Content Security Policy reports nothing."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from gainshare.bootstrap import DEMO_PASSWORD, Workspace, build_workspace, seed_demo
from gainshare.config import Settings
from gainshare.engines.demo.activity import PlantedOutlier
from gainshare.engines.demo.federation import DemoParameters, generate_federation
from gainshare.interfaces.app import create_app
from tests.web.harness import axe_violations, describe, serving

pytestmark = pytest.mark.browser

MANAGER = "manager@northvale-fed.example"
FEDERATION = "Y99901"
OUTLIERS: tuple[PlantedOutlier, ...] = generate_federation(DemoParameters()).activity.outliers


@dataclass(frozen=True)
class DemoSite:
    base: str
    workspace: Workspace


@pytest.fixture(scope="module")
def demo_site(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoSite]:
    folder: Path = tmp_path_factory.mktemp("discover-web")
    settings = Settings(data_folder=folder, database_url=None, secret_key="d" * 40)  # type: ignore[call-arg]
    workspace = build_workspace(settings.resolved_database_url(), folder)
    seed_demo(workspace)
    with serving(create_app(settings, workspace)) as base:
        yield DemoSite(base, workspace)
    workspace.close()


@pytest.fixture
def page(browser: Any, demo_site: DemoSite) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    violations: list[str] = []
    tab.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if "Content Security Policy" in message.text and "https://assets.nhs.uk/fonts/" not in message.text
            else None
        ),
    )
    tab.goto(f"{demo_site.base}/sign-in")
    tab.fill("#email", MANAGER)
    tab.fill("#password", DEMO_PASSWORD)
    tab.click("button:has-text('Sign in')")
    tab.wait_for_url(f"{demo_site.base}/")
    tab.csp_violations = violations
    yield tab
    context.close()


def check(page: Any) -> None:
    assert page.title().endswith("Gain share workspace"), page.title()
    assert page.locator("h1").count() == 1
    found = axe_violations(page)
    assert not found, f"{page.url}:\n{describe(found)}"
    assert not page.csp_violations, page.csp_violations


def test_discover_is_reachable_from_home_and_ranks_services(page: Any, demo_site: DemoSite) -> None:
    page.click("nav[aria-label=Menu] a:has-text('Discover')")
    page.wait_for_url(f"{demo_site.base}/discover")
    check(page)
    page.click("a:has-text('Northvale GP Federation')")
    page.wait_for_url(f"{demo_site.base}/discover/{FEDERATION}")
    rows = page.locator("#ranking tbody tr")
    assert rows.count() == 10
    assert rows.nth(0).locator("td").nth(0).inner_text() == "1"
    assert page.locator("#assumption-table").inner_text().count("assumption") >= 5
    assert "discount_rate" in page.locator("#assumption-table").inner_text()
    check(page)
    download = page.request.get(demo_site.base + page.get_attribute("#pack-xlsx", "href"))
    assert download.status == 200
    assert download.body()[:2] == b"PK"  # a zip: the xlsx container


@pytest.mark.parametrize("outlier", OUTLIERS, ids=lambda o: f"{o.service_line}-{o.practice_code}")
def test_planted_outlier_is_flagged_in_the_table(page: Any, demo_site: DemoSite, outlier: PlantedOutlier) -> None:
    page.goto(f"{demo_site.base}/discover/{FEDERATION}/services/{outlier.service_line}")
    page.wait_for_selector("#funnel-chart[data-chart-ready]", timeout=15_000)
    row = page.locator(f"#practice-{outlier.practice_code}")
    wanted = "above 99.8%" if outlier.direction == "high" else "below 99.8%"
    assert row.get_attribute("data-status") == wanted
    assert wanted in row.locator("strong.nhsuk-tag").inner_text()
    check(page)


def _point_position(page: Any, practice_code: str) -> dict[str, float]:
    """Where the practice's point is drawn on the page, from Plotly's own axes."""
    found: dict[str, float] | None = page.evaluate(
        """(code) => {
          const chart = document.getElementById('funnel-chart')
          const layout = chart._fullLayout
          const box = chart.getBoundingClientRect()
          for (const trace of chart._fullData) {
            const index = (trace.text || []).indexOf(code)
            if (index >= 0 && Array.isArray(trace.customdata)) {
              return {
                x: box.left + layout._size.l + layout.xaxis.d2p(Number(trace.x[index])),
                y: box.top + layout._size.t + layout.yaxis.d2p(Number(trace.y[index])),
              }
            }
          }
          return null
        }""",
        practice_code,
    )
    assert found is not None, practice_code
    return found


def test_clicking_a_practice_point_shows_its_trend(page: Any, demo_site: DemoSite) -> None:
    outlier = OUTLIERS[0]
    page.goto(f"{demo_site.base}/discover/{FEDERATION}/services/{outlier.service_line}")
    page.wait_for_selector("#funnel-chart[data-chart-ready]", timeout=15_000)
    page.locator("#funnel-chart").scroll_into_view_if_needed()
    point = _point_position(page, outlier.practice_code)
    page.mouse.move(point["x"], point["y"])
    page.mouse.click(point["x"], point["y"])
    page.wait_for_selector("#trend-chart[data-chart-ready]", timeout=15_000)
    assert outlier.practice_code in page.locator("#trend h2").inner_text()
    assert page.locator("#trend-table tbody tr").count() == 12
    assert page.evaluate("() => document.activeElement && document.activeElement.id") == "trend-heading"
    check(page)


def test_practice_link_loads_the_trend_and_works_without_script(page: Any, demo_site: DemoSite) -> None:
    outlier = OUTLIERS[-1]
    page.goto(f"{demo_site.base}/discover/{FEDERATION}/services/{outlier.service_line}")
    page.click(f"#practice-{outlier.practice_code} a")
    page.wait_for_selector("#trend-table")
    assert page.url.endswith(f"/services/{outlier.service_line}")  # htmx swapped the panel in place
    assert outlier.practice_code in page.locator("#trend h2").inner_text()
    page.goto(
        f"{demo_site.base}/discover/{FEDERATION}/services/{outlier.service_line}/practices/{outlier.practice_code}"
    )
    assert page.locator("#trend-table tbody tr").count() == 12
    page.wait_for_selector("#trend-chart[data-chart-ready]", timeout=15_000)
    check(page)
