"""CSRF, login throttling, sessions, security headers, and refusing to start in production without a secret."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gainshare.config import ConfigurationError, Settings
from gainshare.interfaces.app import create_app
from gainshare.interfaces.cli.main import app as cli
from gainshare.interfaces.security.throttle import LoginThrottle, ThrottleLimits
from tests.api.conftest import PASSWORD, World, client_for, csrf, make_world, settings_for
from tests.api.test_authorisation_matrix import snapshot


def _draft(world: World) -> dict[str, object]:
    version = world.client("manager").get(f"/api/agreements/{world.agreement}/versions/2").json()
    return {"based_on": 2, "lock_version": version["lock_version"], "content": version["content"] + "\n# edited\n"}


def test_a_change_without_the_csrf_token_is_refused_and_changes_nothing(sqlite_world: World) -> None:
    world = sqlite_world
    manager = world.client("manager")
    body = _draft(world)
    before = snapshot(world)
    url = f"/api/agreements/{world.agreement}/draft"
    missing = manager.post(url, json=body, headers={"X-CSRF-Token": ""})
    wrong = manager.post(url, json=body, headers={"X-CSRF-Token": "not-the-token"})
    other_session = manager.post(
        url, json=body, headers={"X-CSRF-Token": world.client("finance").headers["X-CSRF-Token"]}
    )
    for answer in (missing, wrong, other_session):
        assert answer.status_code == 403
        assert answer.json()["error"]["code"] == "csrf.failed"
    assert snapshot(world) == before
    assert manager.post(url, json=body).status_code == 200


def test_a_form_field_carries_the_token_for_html_forms(sqlite_world: World) -> None:
    world = sqlite_world
    manager = world.client("manager")
    token = manager.headers.pop("X-CSRF-Token")
    url = f"/api/agreements/{world.agreement}/uploads/preview"
    files = {"file": ("figures.csv", b"period,scheme,baseline_activity\n2025-26,anticoag,10\n", "text/csv")}
    assert manager.post(url, files=files).status_code == 403
    answer = manager.post(url, files=files, data={"csrf_token": token})
    assert answer.status_code == 200, answer.text
    assert answer.json()["ok"] is True


def test_sign_in_needs_the_csrf_token_too(sqlite_world: World) -> None:
    client = client_for(sqlite_world.app)
    answer = client.post("/api/auth/login", json={"email": sqlite_world.emails["manager"], "password": PASSWORD})
    assert answer.status_code == 403


def test_sign_in_gives_a_new_session_and_token_and_sign_out_ends_it(sqlite_world: World) -> None:
    client = client_for(sqlite_world.app)
    anonymous_token = csrf(client)
    answer = client.post("/api/auth/login", json={"email": sqlite_world.emails["finance"], "password": PASSWORD})
    assert answer.status_code == 200
    assert answer.json()["csrf_token"] != anonymous_token
    client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
    assert client.get("/api/auth/me").status_code == 200
    assert client.post("/api/auth/logout").status_code == 204
    assert client.get("/api/auth/me").status_code == 401


def test_a_tampered_session_cookie_is_anonymous(sqlite_world: World) -> None:
    client = client_for(sqlite_world.app)
    manager = sqlite_world.client("manager")
    cookie = manager.cookies.get("gainshare_session")
    assert cookie
    client.cookies.set("gainshare_session", cookie[:-3] + ("AAA" if not cookie.endswith("AAA") else "BBB"))
    assert client.get("/api/auth/me").status_code == 401


def test_the_session_cookie_is_http_only_and_same_site_lax(sqlite_world: World) -> None:
    client = client_for(sqlite_world.app)
    header = client.get("/api/auth/csrf").headers["set-cookie"].lower()
    assert "httponly" in header
    assert "samesite=lax" in header
    assert "secure" not in header  # development over plain HTTP on loopback


def test_security_headers_are_on_every_response(sqlite_world: World) -> None:
    client = sqlite_world.client("viewer")
    for answer in (client.get("/api/auth/me"), client.get("/api/agreements/999999"), client.post("/api/auth/csrf")):
        headers = answer.headers
        assert "script-src 'self'" in headers["content-security-policy"]
        assert "unsafe-inline" not in headers["content-security-policy"].split("script-src")[1].split(";")[0]
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "same-origin"
        assert "strict-transport-security" not in headers


@pytest.fixture
def production_world(tmp_path: Path) -> Iterator[World]:
    yield from make_world(tmp_path / "data", f"sqlite:///{tmp_path / 'p.sqlite3'}", mode="production")


def test_production_sends_hsts_and_secure_cookies(production_world: World) -> None:
    client = client_for(production_world.app)
    answer = client.get("/api/auth/csrf")
    assert answer.headers["strict-transport-security"].startswith("max-age=")
    assert "secure" in answer.headers["set-cookie"].lower()


def test_production_without_a_secret_refuses_to_start(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, f"sqlite:///{tmp_path / 'never.sqlite3'}", mode="production", secret_key=None)
    with pytest.raises(ConfigurationError, match="GAINSHARE_SECRET_KEY"):
        create_app(settings)
    assert not (tmp_path / "never.sqlite3").exists()


def test_serve_in_production_without_a_secret_exits_with_a_sentence(tmp_path: Path) -> None:
    env = {"GAINSHARE_MODE": "production", "GAINSHARE_DATA_FOLDER": str(tmp_path), "GAINSHARE_SECRET_KEY": ""}
    result = CliRunner().invoke(cli, ["serve"], env={k: v for k, v in env.items() if v})
    assert result.exit_code == 2
    assert "production mode needs a secret key" in result.output
    assert "Traceback" not in result.output


def test_a_short_secret_is_not_accepted() -> None:
    with pytest.raises(ValueError, match="at least 32"):
        Settings(secret_key="short")


def test_bad_logins_are_throttled_per_account(tmp_path: Path) -> None:
    generator = make_world(tmp_path / "data", f"sqlite:///{tmp_path / 't.sqlite3'}", login_max_failures_per_account=3)
    world = next(generator)
    client = client_for(world.app)
    csrf(client)
    email = world.emails["manager"]
    for _ in range(3):
        assert client.post("/api/auth/login", json={"email": email, "password": "wrong password!"}).status_code == 401
    blocked = client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0
    assert blocked.json()["error"]["code"] == "throttled"
    other = client.post("/api/auth/login", json={"email": world.emails["finance"], "password": PASSWORD})
    assert other.status_code == 200
    generator.close()


def test_bad_logins_are_throttled_per_client_across_accounts(tmp_path: Path) -> None:
    generator = make_world(tmp_path / "data", f"sqlite:///{tmp_path / 'c.sqlite3'}", login_max_failures_per_client=4)
    world = next(generator)
    client = client_for(world.app)
    csrf(client)
    for number in range(4):
        body = {"email": f"nobody{number}@example.org", "password": "guess guess guess"}
        assert client.post("/api/auth/login", json=body).status_code == 401
    answer = client.post("/api/auth/login", json={"email": world.emails["finance"], "password": PASSWORD})
    assert answer.status_code == 429
    generator.close()


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_throttle_forgets_after_its_window_and_a_success_clears_the_account() -> None:
    clock = FakeClock()
    throttle = LoginThrottle(ThrottleLimits(per_account=2, per_client=100, window_seconds=60), clock)
    throttle.failed("a@x.org", "1.2.3.4")
    throttle.failed("A@X.org ", "1.2.3.4")
    assert throttle.retry_after("a@x.org", "5.6.7.8") == 60
    clock.now += 30
    assert throttle.retry_after("a@x.org", "5.6.7.8") == 30
    clock.now += 31
    assert throttle.retry_after("a@x.org", "5.6.7.8") == 0
    throttle.failed("b@x.org", "1.2.3.4")
    throttle.succeeded("b@x.org")
    assert throttle.retry_after("b@x.org", "1.2.3.4") == 0


def test_the_throttle_tracks_a_bounded_number_of_keys() -> None:
    throttle = LoginThrottle(ThrottleLimits(per_account=2, per_client=2, window_seconds=60, max_keys=10), FakeClock())
    for number in range(1000):
        throttle.failed(f"user{number}@x.org", f"10.0.{number // 250}.{number % 250}")
    assert throttle.tracked() == 10
