"""The API against a real database: SQLite in a temporary folder, and PostgreSQL when GAINSHARE_TEST_POSTGRES_URL
names a server (a fresh database per session, a fresh schema per test; skipped with a reason otherwise).

`api` gives a world of two agreements' organisations and people, each person with their own TestClient (their
own cookie jar) signed in, and an agreement between the ICB and the federation with version 1 signed by both,
version 2 a draft, an accepted upload and a posted settlement.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from gainshare.bootstrap import Workspace, build_workspace
from gainshare.config import Settings
from gainshare.interfaces.app import create_app
from gainshare.services.ports import OrganisationKind, Role
from gainshare.services.workspace import Actor
from tests.persistence.conftest import EXAMPLES, StepClock, fast_hasher, postgres_database, postgres_url

__all__ = ["postgres_database", "postgres_url"]

PASSWORD = "correct horse battery staple"
SECRET = "test-secret-" + "x" * 40
SYSTEM = Actor.system()


def settings_for(folder: Path, url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"data_folder": folder, "database_url": url, "secret_key": SECRET}
    return Settings(**(values | overrides))


def client_for(app: FastAPI) -> TestClient:
    return TestClient(app, base_url="https://testserver")


def csrf(client: TestClient) -> str:
    token: str = client.get("/api/auth/csrf").json()["csrf_token"]
    client.headers["X-CSRF-Token"] = token
    return token


def login(app: FastAPI, email: str, password: str = PASSWORD) -> TestClient:
    client = client_for(app)
    csrf(client)
    answer = client.post("/api/auth/login", json={"email": email, "password": password})
    assert answer.status_code == 200, answer.text
    client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
    return client


@dataclass
class World:
    app: FastAPI
    workspace: Workspace
    folder: Path
    icb: int
    fed: int
    practice: int
    other_icb: int
    other_fed: int
    agreement: int = 0
    upload: int = 0
    settlement: int = 0
    emails: dict[str, str] = field(default_factory=dict)
    clients: dict[str, TestClient] = field(default_factory=dict)

    def client(self, who: str) -> TestClient:
        if who not in self.clients:
            self.clients[who] = login(self.app, self.emails[who])
        return self.clients[who]


INSIDERS = {
    "finance": ("finance@icb.nhs.uk", "icb", Role.COMMISSIONER_FINANCE),
    "manager": ("manager@fed.nhs.uk", "fed", Role.FEDERATION_MANAGER),
    "viewer": ("viewer@practice.nhs.uk", "practice", Role.PRACTICE_VIEWER),
}
OUTSIDERS = {
    "other_finance": ("finance@south.nhs.uk", "other_icb", Role.COMMISSIONER_FINANCE),
    "other_icb_admin": ("admin@south.nhs.uk", "other_icb", Role.ADMINISTRATOR),
    "other_manager": ("manager@eastfed.nhs.uk", "other_fed", Role.FEDERATION_MANAGER),
    "other_fed_admin": ("admin@eastfed.nhs.uk", "other_fed", Role.ADMINISTRATOR),
    "other_viewer": ("viewer@east.nhs.uk", "other_practice", Role.PRACTICE_VIEWER),
}


def _organisations(workspace: Workspace) -> dict[str, int]:
    service = workspace.service
    icb = service.create_organisation(SYSTEM, "QZZ", "NHS Northvale ICB", OrganisationKind.COMMISSIONER)
    fed = service.create_organisation(SYSTEM, "Y99001", "Northvale GP Federation", OrganisationKind.FEDERATION)
    practice = service.create_organisation(SYSTEM, "Z00001", "Riverside", OrganisationKind.PRACTICE, fed.id)
    other_icb = service.create_organisation(SYSTEM, "QXX", "NHS Southvale ICB", OrganisationKind.COMMISSIONER)
    other_fed = service.create_organisation(SYSTEM, "Y99002", "Eastvale GP Federation", OrganisationKind.FEDERATION)
    other_practice = service.create_organisation(SYSTEM, "Z00009", "Eastside", OrganisationKind.PRACTICE, other_fed.id)
    ids = (icb, fed, practice, other_icb, other_fed, other_practice)
    names = ("icb", "fed", "practice", "other_icb", "other_fed", "other_practice")
    return {name: organisation.id for name, organisation in zip(names, ids, strict=True)}


def _people(workspace: Workspace, organisations: dict[str, int]) -> dict[str, str]:
    emails: dict[str, str] = {}
    for who, (email, organisation, role) in (INSIDERS | OUTSIDERS).items():
        user = workspace.service.create_user(SYSTEM, email, who.replace("_", " ").title(), PASSWORD)
        workspace.service.add_membership(SYSTEM, user.id, organisations[organisation], role)
        emails[who] = email
    return emails


def _agreement(world: World) -> None:
    """Version 1 signed by both, an accepted upload, 2025-26 posted, and version 2 a draft."""
    manager, finance = world.client("manager"), world.client("finance")
    text = (EXAMPLES / "agreement.yaml").read_text(encoding="utf-8")
    created = manager.post(
        "/api/agreements",
        json={"title": "Northvale gain share", "commissioner_id": world.icb, "provider_id": world.fed, "content": text},
    )
    assert created.status_code == 201, created.text
    world.agreement = created.json()["agreement_id"]
    base = f"/api/agreements/{world.agreement}"
    proposed = manager.post(f"{base}/versions/1/propose", json={"lock_version": created.json()["lock_version"]})
    sha = proposed.json()["content_sha256"]
    assert manager.post(
        f"{base}/versions/1/sign", json={"organisation_id": world.fed, "content_sha256": sha}
    ).is_success
    assert finance.post(
        f"{base}/versions/1/sign", json={"organisation_id": world.icb, "content_sha256": sha}
    ).is_success
    figures = (EXAMPLES / "figures.yaml").read_bytes()
    upload = manager.post(f"{base}/uploads", files={"file": ("figures.yaml", figures, "application/yaml")})
    assert upload.status_code == 201, upload.text
    world.upload = upload.json()["id"]
    settled = finance.post(f"{base}/versions/1/settlements", json={"period": "2025-26", "upload_id": world.upload})
    assert settled.status_code == 200, settled.text
    world.settlement = settled.json()["id"]
    signed = manager.get(f"{base}/versions/1").json()
    edited = text.replace("Northvale out-of-hospital services gain share", "Northvale gain share, year two terms")
    draft = {"based_on": 1, "lock_version": signed["lock_version"], "content": edited}
    assert manager.post(f"{base}/draft", json=draft).status_code == 200


def make_world(folder: Path, url: str, **overrides: Any) -> Iterator[World]:
    workspace = build_workspace(url, folder, passwords=fast_hasher(), clock=StepClock())
    try:
        app = create_app(settings_for(folder, url, **overrides), workspace)
        organisations = _organisations(workspace)
        world = World(
            app,
            workspace,
            folder,
            organisations["icb"],
            organisations["fed"],
            organisations["practice"],
            organisations["other_icb"],
            organisations["other_fed"],
        )
        world.emails = _people(workspace, organisations)
        _agreement(world)
        yield world
        for client in world.clients.values():
            client.close()
    finally:
        workspace.close()


@pytest.fixture(params=[pytest.param("sqlite", id="sqlite"), pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'api.sqlite3'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def world(database_url: str, tmp_path: Path) -> Iterator[World]:
    yield from make_world(tmp_path / "data", database_url)


@pytest.fixture
def sqlite_world(tmp_path: Path) -> Iterator[World]:
    yield from make_world(tmp_path / "data", f"sqlite:///{tmp_path / 'api.sqlite3'}")
