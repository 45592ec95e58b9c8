"""The web pages in Debian's Chromium: a seeded SQLite workspace served by uvicorn, Playwright driving the browser.

Skips (with the reason) when /usr/bin/chromium, the Playwright package or node_modules is missing; with
GAINSHARE_REQUIRE_BROWSER=1 (set by .ci/run) a missing piece fails instead.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from gainshare.bootstrap import Workspace, build_workspace
from gainshare.config import Settings
from gainshare.interfaces.app import create_app
from gainshare.services.ports import OrganisationKind, Role
from gainshare.services.workspace import Actor
from tests.web.harness import AXE, CHROMIUM, REPOSITORY, launch, serving

PASSWORD = "correct horse battery staple"
AGREEMENT = (REPOSITORY / "examples" / "agreement.yaml").read_text(encoding="utf-8")
FRONTEND = REPOSITORY / "node_modules" / "nhsuk-frontend" / "dist" / "nhsuk" / "nhsuk-frontend.min.css"


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install -y chromium)"
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is missing (pip install -e '.[dev]')"
    if not (AXE.exists() and FRONTEND.exists()):
        return "node_modules is missing (npm ci --no-audit --no-fund)"
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    reason = _missing()
    if reason is not None:
        if os.environ.get("GAINSHARE_REQUIRE_BROWSER") == "1":
            pytest.fail(f"GAINSHARE_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright  # noqa: PLC0415  (only when the browser is there)

    with sync_playwright() as playwright:
        found = launch(playwright)
        yield found
        found.close()


@dataclass(frozen=True)
class Site:
    base: str
    workspace: Workspace
    agreement_id: int
    commissioner_id: int
    federation_id: int
    finance: Actor  # commissioner finance at the ICB
    manager: Actor  # federation manager at the federation


def _seed(workspace: Workspace) -> tuple[int, int, int, Actor, Actor]:
    service, system = workspace.service, Actor.system()
    icb = service.create_organisation(
        system, "QZZ", "NHS Northvale Integrated Care Board", OrganisationKind.COMMISSIONER
    )
    fed = service.create_organisation(system, "Y99001", "Northvale GP Federation", OrganisationKind.FEDERATION)
    finance = service.create_user(system, "finance@icb.example", "Fiona Finance", PASSWORD)
    manager = service.create_user(system, "manager@fed.example", "Manny Manager", PASSWORD)
    service.add_membership(system, finance.id, icb.id, Role.COMMISSIONER_FINANCE)
    service.add_membership(system, manager.id, fed.id, Role.FEDERATION_MANAGER)
    version = service.create_agreement(Actor.user(finance.id), "Northvale MSK gain share", icb.id, fed.id, AGREEMENT)
    return version.agreement_id, icb.id, fed.id, Actor.user(finance.id), Actor.user(manager.id)


@pytest.fixture(scope="module")
def site(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder: Path = tmp_path_factory.mktemp("web")
    settings = Settings(data_folder=folder, database_url=None, secret_key="s" * 40)  # type: ignore[call-arg]
    workspace = build_workspace(settings.resolved_database_url(), folder, clock=lambda: datetime.now(UTC))
    agreement_id, icb, fed, finance, manager = _seed(workspace)
    with serving(create_app(settings, workspace)) as base:
        yield Site(base, workspace, agreement_id, icb, fed, finance, manager)
    workspace.close()
