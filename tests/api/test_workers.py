"""Several worker processes serve one data folder: each builds the app from GAINSHARE_* settings, and a session
signed by one worker is accepted by the others (development: one secret per data folder; production: the key)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from gainshare.bootstrap import build_workspace
from gainshare.config import SECRET_FILE, ConfigurationError, Mode, Settings
from gainshare.interfaces.app import app_from_environment
from gainshare.services.ports import OrganisationKind, Role
from gainshare.services.workspace import Actor
from tests.api.conftest import PASSWORD, SECRET
from tests.persistence.conftest import fast_hasher

EMAIL = "manager@fed.nhs.uk"


def test_development_signs_with_one_secret_per_data_folder(tmp_path: Path) -> None:
    first, path = Settings(data_folder=tmp_path / "a", secret_key=None).signing_secret()
    again, same_path = Settings(data_folder=tmp_path / "a", secret_key=None).signing_secret()
    other, _ = Settings(data_folder=tmp_path / "b", secret_key=None).signing_secret()
    assert path == same_path == (tmp_path / "a" / SECRET_FILE).resolve()
    assert first == again != other
    assert len(first) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_production_needs_the_configured_secret_and_makes_no_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError):
        Settings(data_folder=tmp_path, mode=Mode.PRODUCTION, secret_key=None).signing_secret()
    secret, path = Settings(data_folder=tmp_path, mode=Mode.PRODUCTION, secret_key=SECRET).signing_secret()
    assert (secret, path) == (SECRET, None)
    assert not (tmp_path / SECRET_FILE).exists()


def _seed(folder: Path) -> None:
    workspace = build_workspace(Settings(data_folder=folder).resolved_database_url(), folder, passwords=fast_hasher())
    try:
        system = Actor.system()
        fed = workspace.service.create_organisation(
            system, "Y99001", "Northvale Federation", OrganisationKind.FEDERATION
        )
        user = workspace.service.create_user(system, EMAIL, "Manager", PASSWORD)
        workspace.service.add_membership(system, user.id, fed.id, Role.FEDERATION_MANAGER)
    finally:
        workspace.close()


@pytest.mark.parametrize("secret", [None, SECRET], ids=["development", "configured"])
def test_a_session_signed_by_one_worker_is_accepted_by_another(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, secret: str | None
) -> None:
    _seed(tmp_path)
    for name in ("GAINSHARE_DATABASE_URL", "GAINSHARE_SECRET_KEY", "GAINSHARE_MODE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GAINSHARE_DATA_FOLDER", str(tmp_path))
    if secret is not None:
        monkeypatch.setenv("GAINSHARE_SECRET_KEY", secret)
    one, two = app_from_environment(), app_from_environment()  # as two worker processes would build them
    with (
        TestClient(one, base_url="https://testserver") as first,
        TestClient(two, base_url="https://testserver") as second,
    ):
        token = first.get("/api/auth/csrf").json()["csrf_token"]
        signed_in = first.post(
            "/api/auth/login", json={"email": EMAIL, "password": PASSWORD}, headers={"X-CSRF-Token": token}
        )
        assert signed_in.status_code == 200, signed_in.text
        second.cookies = first.cookies
        me = second.get("/api/auth/me")
        assert me.status_code == 200, me.text
        assert me.json()["email"] == EMAIL
        assert TestClient(two, base_url="https://testserver").get("/api/auth/me").status_code == 401  # control
    assert (tmp_path / SECRET_FILE).exists() is (secret is None)
