"""OpenID Connect sign-in against a small fake provider served by uvicorn on 127.0.0.1 in a thread (no internet).

The provider (discovery, /authorize, /token, /jwks) signs ID tokens with an RSA key made here; its /token checks
the client's secret, the redirect URI and the PKCE verifier against the challenge, so a flow without PKCE fails.
Each test can bend the next ID token (`provider.claims`) to be wrong in one way.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from gainshare.bootstrap import Workspace, build_workspace
from gainshare.config import ConfigurationError, OidcSettings, Settings
from gainshare.interfaces.app import create_app
from gainshare.services.ports import OrganisationKind, Role
from gainshare.services.workspace import Actor
from tests.api.conftest import PASSWORD, SECRET
from tests.persistence.conftest import StepClock, fast_hasher

SYSTEM = Actor.system()
CLIENT_ID = "gainshare-test"
CLIENT_SECRET = "provider-secret-" + "y" * 20
FINANCE = "finance@icb.nhs.uk"


@dataclass
class FakeProvider:
    """The provider's state: its key, the codes it issued, and overrides for the next ID token's claims."""

    issuer: str = ""
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "test-key"}))
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    email: str = FINANCE
    claims: dict[str, Any] = field(default_factory=dict)  # merged into the next ID tokens (None drops a claim)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    forger: RSAKey | None = None  # signs the next ID tokens instead of the published key

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self.discovery),
                Route("/authorize", self.authorize),
                Route("/token", self.token, methods=["POST"]),
                Route("/jwks", self.jwks),
            ]
        )

    async def discovery(self, _request: Request) -> Response:
        return JSONResponse(
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
            }
        )

    async def authorize(self, request: Request) -> Response:
        """Signs the person in at once (as self.email) and sends them back with a code."""
        query = request.query_params
        assert query["client_id"] == CLIENT_ID and query["response_type"] == "code"
        code = secrets.token_urlsafe(16)
        self.codes[code] = {
            "redirect_uri": query["redirect_uri"],
            "nonce": query.get("nonce", ""),
            "challenge": query.get("code_challenge", ""),
            "method": query.get("code_challenge_method", ""),
        }
        back = {"code": code, "state": query["state"]}
        return RedirectResponse(f"{query['redirect_uri']}?{urlencode(back)}", status_code=302)

    async def token(self, request: Request) -> Response:
        form = {key: str(value) for key, value in (await request.form()).items()}
        self.token_requests.append(form)
        expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        issued = self.codes.pop(form.get("code", ""), None)
        if request.headers.get("authorization") != expected or issued is None:
            return JSONResponse({"error": "invalid_client" if issued else "invalid_grant"}, status_code=400)
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if (
            issued["method"] != "S256"
            or challenge != issued["challenge"]
            or form["redirect_uri"] != issued["redirect_uri"]
        ):
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": "subject-1",
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": issued["nonce"],
            "email": self.email,
            "email_verified": True,
            "name": "Fiona Finance",
        }
        claims.update(self.claims)
        claims = {name: value for name, value in claims.items() if value is not None}
        id_token = jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, self.forger or self.key)
        return JSONResponse(
            {"access_token": "at-" + secrets.token_urlsafe(8), "token_type": "Bearer", "id_token": id_token}
        )

    async def jwks(self, _request: Request) -> Response:
        return JSONResponse({"keys": [self.key.as_dict(private=False)]})


@pytest.fixture(scope="module")
def provider() -> Iterator[FakeProvider]:
    fake = FakeProvider()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    fake.issuer = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(fake.app(), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "the fake provider did not start"
    yield fake
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


@pytest.fixture
def fresh(provider: FakeProvider) -> Iterator[FakeProvider]:
    provider.claims = {}
    provider.email = FINANCE
    provider.token_requests.clear()
    provider.forger = None
    yield provider


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    ready = build_workspace(
        f"sqlite:///{tmp_path / 'oidc.sqlite3'}", tmp_path, passwords=fast_hasher(), clock=StepClock()
    )
    icb = ready.service.create_organisation(SYSTEM, "QZZ", "NHS Northvale ICB", OrganisationKind.COMMISSIONER)
    user = ready.service.create_user(SYSTEM, FINANCE, "Fiona Finance", PASSWORD)
    ready.service.add_membership(SYSTEM, user.id, icb.id, Role.COMMISSIONER_FINANCE)
    yield ready
    ready.close()


def oidc_settings(provider: FakeProvider, **overrides: Any) -> OidcSettings:
    values: dict[str, Any] = {"issuer": provider.issuer, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
    return OidcSettings(**(values | overrides))


def make_app(tmp_path: Path, workspace: Workspace, oidc: OidcSettings | None) -> FastAPI:
    settings = Settings(data_folder=tmp_path, database_url="sqlite://", secret_key=SECRET, oidc=oidc or OidcSettings())
    return create_app(settings, workspace)


@pytest.fixture
def app(tmp_path: Path, workspace: Workspace, fresh: FakeProvider) -> FastAPI:
    return make_app(tmp_path, workspace, oidc_settings(fresh))


def browser(app: FastAPI) -> TestClient:
    return TestClient(app, base_url="https://testserver", follow_redirects=False)


def to_provider(client: TestClient, next_path: str = "/") -> str:
    """GET /auth/oidc/login: the URL of the provider's authorization endpoint it redirects to."""
    started = client.get("/auth/oidc/login", params={"next": next_path})
    assert started.status_code == 302, started.text
    return started.headers["location"]


def at_provider(authorize_url: str) -> tuple[str, dict[str, str]]:
    """The provider's answer: the callback path and its query (code, state)."""
    answer = httpx.get(authorize_url, follow_redirects=False)
    assert answer.status_code == 302
    back = urlsplit(answer.headers["location"])
    return back.path, {name: values[0] for name, values in parse_qs(back.query).items()}


def sign_in_through_provider(client: TestClient, next_path: str = "/") -> httpx.Response:
    path, query = at_provider(to_provider(client, next_path))
    return client.get(path, params=query)


def audit_actions(workspace: Workspace) -> list[tuple[str, dict[str, Any]]]:
    with workspace.service.units() as uow:
        return [(entry.action, entry.details) for entry in uow.audit.entries() if entry.action.startswith("auth.")]


def refused_reasons(workspace: Workspace) -> list[str]:
    return [details["reason"] for action, details in audit_actions(workspace) if action == "auth.oidc.refused"]


def assert_signed_out(client: TestClient) -> None:
    assert client.get("/api/auth/me").status_code == 401


# --- the flow -----------------------------------------------------------------------------------------------------


def test_happy_path_signs_in_with_a_fresh_session_and_csrf_token(app: FastAPI, workspace: Workspace) -> None:
    client = browser(app)
    anonymous_token = client.get("/api/auth/csrf").json()["csrf_token"]
    anonymous_cookie = client.cookies.get("gainshare_session")
    authorize_url = to_provider(client, "/agreements")
    query = parse_qs(urlsplit(authorize_url).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["nonce"][0] and query["state"][0]
    assert set(query["scope"][0].split()) == {"openid", "email", "profile"}
    assert query["redirect_uri"] == ["https://testserver/auth/oidc/callback"]

    path, back = at_provider(authorize_url)
    done = client.get(path, params=back)

    assert done.status_code == 303 and done.headers["location"] == "/agreements"
    me = client.get("/api/auth/me")
    assert me.status_code == 200 and me.json()["email"] == FINANCE
    assert me.json()["csrf_token"] != anonymous_token
    assert client.cookies.get("gainshare_session") != anonymous_cookie
    assert "_state_oidc" not in str(client.cookies.get("gainshare_session"))  # authlib's flow state is gone
    assert audit_actions(workspace)[-1][0] == "auth.oidc.signed_in"
    assert audit_actions(workspace)[-1][1]["subject"] == "subject-1"
    # the signed session is the password session: a POST needs the new CSRF token and works with it
    assert client.post("/api/auth/logout").status_code == 403
    assert client.post("/api/auth/logout", headers={"X-CSRF-Token": me.json()["csrf_token"]}).status_code == 204


def test_the_code_is_exchanged_with_the_pkce_verifier(app: FastAPI, fresh: FakeProvider) -> None:
    assert sign_in_through_provider(browser(app)).status_code == 303
    (request,) = fresh.token_requests
    assert request["grant_type"] == "authorization_code" and len(request["code_verifier"]) >= 43


def test_next_outside_the_site_goes_home(app: FastAPI) -> None:
    done = sign_in_through_provider(browser(app), "//evil.example/")
    assert done.status_code == 303 and done.headers["location"] == "/"


def test_wrong_state_is_refused(app: FastAPI, workspace: Workspace) -> None:
    client = browser(app)
    path, query = at_provider(to_provider(client))
    refused = client.get(path, params=query | {"state": "not-the-state"})
    assert refused.status_code == 400 and "did not start here" in refused.text
    assert_signed_out(client)
    assert refused_reasons(workspace) == ["state_mismatch"]


def test_a_callback_from_another_browser_is_refused(app: FastAPI, workspace: Workspace) -> None:
    victim, attacker = browser(app), browser(app)
    path, query = at_provider(to_provider(attacker))
    assert victim.get(path, params=query).status_code == 400
    assert_signed_out(victim)
    assert refused_reasons(workspace) == ["state_mismatch"]


def test_a_callback_is_accepted_once(app: FastAPI, workspace: Workspace) -> None:
    client = browser(app)
    path, query = at_provider(to_provider(client))
    assert client.get(path, params=query).status_code == 303
    client.post("/api/auth/logout", headers={"X-CSRF-Token": client.get("/api/auth/me").json()["csrf_token"]})
    assert client.get(path, params=query).status_code == 400
    assert_signed_out(client)


def test_wrong_nonce_is_refused(app: FastAPI, fresh: FakeProvider, workspace: Workspace) -> None:
    fresh.claims = {"nonce": "a-nonce-from-another-sign-in"}
    client = browser(app)
    refused = sign_in_through_provider(client)
    assert refused.status_code == 400 and "not issued for this sign-in" in refused.text
    assert_signed_out(client)
    assert refused_reasons(workspace) == ["nonce_mismatch"]


def test_missing_nonce_is_refused(app: FastAPI, fresh: FakeProvider, workspace: Workspace) -> None:
    fresh.claims = {"nonce": None}
    assert sign_in_through_provider(browser(app)).status_code == 400
    assert refused_reasons(workspace) == ["nonce_mismatch"]


def test_unverified_email_is_refused(app: FastAPI, fresh: FakeProvider, workspace: Workspace) -> None:
    fresh.claims = {"email_verified": False}
    client = browser(app)
    refused = sign_in_through_provider(client)
    assert refused.status_code == 403 and "has not verified" in refused.text
    assert_signed_out(client)
    assert refused_reasons(workspace) == ["email_not_verified"]


def test_email_verified_must_be_true_not_just_present(app: FastAPI, fresh: FakeProvider) -> None:
    fresh.claims = {"email_verified": "true"}
    assert sign_in_through_provider(browser(app)).status_code == 403


def test_unknown_user_is_refused_and_no_account_is_made(
    app: FastAPI, fresh: FakeProvider, workspace: Workspace
) -> None:
    fresh.email = "stranger@icb.nhs.uk"
    client = browser(app)
    refused = sign_in_through_provider(client)
    assert refused.status_code == 403 and "no account for stranger@icb.nhs.uk" in refused.text
    assert_signed_out(client)
    assert workspace.service.find_user(SYSTEM, "stranger@icb.nhs.uk") is None
    assert refused_reasons(workspace) == ["unknown_user"]


def test_expired_token_is_refused(app: FastAPI, fresh: FakeProvider, workspace: Workspace) -> None:
    now = int(time.time())
    fresh.claims = {"iat": now - 3600, "exp": now - 600}  # beyond authlib's two minutes of clock skew
    client = browser(app)
    refused = sign_in_through_provider(client)
    assert refused.status_code == 400 and "expired" in refused.text
    assert_signed_out(client)
    assert refused_reasons(workspace) == ["token_expired"]


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"aud": "another-client"}, "token_invalid"),
        ({"aud": "another-client", "azp": CLIENT_ID}, "token_invalid"),
        ({"aud": ["another-client", "a-third"], "azp": CLIENT_ID}, "token_invalid"),
        ({"iss": "https://impostor.example"}, "token_invalid"),
    ],
)
def test_token_for_another_client_or_issuer_is_refused(
    app: FastAPI, fresh: FakeProvider, workspace: Workspace, claims: dict[str, Any], reason: str
) -> None:
    fresh.claims = claims
    client = browser(app)
    assert sign_in_through_provider(client).status_code == 400
    assert_signed_out(client)
    assert refused_reasons(workspace) == [reason]


def test_token_signed_with_another_key_is_refused(app: FastAPI, fresh: FakeProvider, workspace: Workspace) -> None:
    fresh.forger = RSAKey.generate_key(2048, parameters={"kid": "test-key"})  # same kid, not the published key
    client = browser(app)
    assert sign_in_through_provider(client).status_code == 400
    assert_signed_out(client)
    assert refused_reasons(workspace) == ["token_invalid"]


def test_provider_error_is_refused(app: FastAPI, workspace: Workspace) -> None:
    client = browser(app)
    to_provider(client)
    refused = client.get("/auth/oidc/callback", params={"error": "access_denied", "state": "x"})
    assert refused.status_code == 400 and "access_denied" in refused.text
    assert refused_reasons(workspace) == ["provider_error"]


# --- policy -------------------------------------------------------------------------------------------------------


def test_allowed_domains_refuse_other_domains(tmp_path: Path, workspace: Workspace, fresh: FakeProvider) -> None:
    app = make_app(tmp_path, workspace, oidc_settings(fresh, allowed_email_domains="fed.nhs.uk, @nhs.net"))
    assert app.state.oidc.policy.allowed_email_domains == {"fed.nhs.uk", "nhs.net"}
    refused = sign_in_through_provider(browser(app))
    assert refused.status_code == 403 and "icb.nhs.uk cannot sign in" in refused.text
    assert refused_reasons(workspace) == ["domain_not_allowed"]


def test_create_users_makes_a_user_with_no_memberships(
    tmp_path: Path, workspace: Workspace, fresh: FakeProvider
) -> None:
    settings = oidc_settings(fresh, allowed_email_domains="icb.nhs.uk", create_users=True)
    app = make_app(tmp_path, workspace, settings)
    fresh.email = "New.Person@ICB.nhs.uk"
    fresh.claims = {"name": "New Person"}
    client = browser(app)
    assert sign_in_through_provider(client).status_code == 303
    found = workspace.service.find_user(SYSTEM, "new.person@icb.nhs.uk")
    assert found is not None and found[1] == []
    user, _memberships = found
    assert user.display_name == "New Person"
    assert workspace.service.authenticate("new.person@icb.nhs.uk", "") is None  # no usable password
    assert client.get("/api/auth/me").json()["memberships"] == []
    assert client.get("/api/agreements").json() == []
    with workspace.service.units() as uow:
        created = [entry for entry in uow.audit.entries() if entry.action == "user.created"][-1]
    assert created.actor_id is None and created.details["via"] == "oidc"


def test_failed_callbacks_are_throttled_per_address(app: FastAPI, workspace: Workspace) -> None:
    client = browser(app)
    answers = [client.get("/auth/oidc/callback", params={"code": "c", "state": "s"}).status_code for _ in range(6)]
    assert answers == [400] * 5 + [429]
    assert len(refused_reasons(workspace)) == 5  # the throttled one is not audited


# --- configuration ------------------------------------------------------------------------------------------------


def test_disabled_when_unconfigured(tmp_path: Path, workspace: Workspace) -> None:
    app = make_app(tmp_path, workspace, None)
    client = browser(app)
    assert client.get("/auth/oidc/login").status_code == 404
    assert client.get("/auth/oidc/callback", params={"code": "c", "state": "s"}).status_code == 404
    assert app.state.oidc is None
    assert "organisation&#39;s account" not in client.get("/sign-in").text


def test_sign_in_page_offers_the_button_when_configured(app: FastAPI) -> None:
    page = browser(app).get("/sign-in", params={"next": "/agreements"})
    assert page.status_code == 200
    assert 'href="/auth/oidc/login?next=/agreements"' in page.text or "/auth/oidc/login?next=%2Fagreements" in page.text


def test_provider_unreachable_is_a_page_not_a_crash(tmp_path: Path, workspace: Workspace) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    settings = OidcSettings(issuer=f"http://127.0.0.1:{port}", client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    answer = browser(make_app(tmp_path, workspace, settings)).get("/auth/oidc/login")
    assert answer.status_code == 502 and "could not be reached" in answer.text


@pytest.mark.parametrize(
    ("values", "production", "problem"),
    [
        ({"issuer": "https://login.example"}, False, "missing: client id, client secret"),
        ({"issuer": "http://login.example", "client_id": "c", "client_secret": "s"}, False, "https://"),
        (
            {"issuer": "https://login.example", "client_id": "c", "client_secret": "s", "scopes": "openid"},
            False,
            "email",
        ),
        (
            {"issuer": "https://l.example", "client_id": "c", "client_secret": "s", "create_users": True},
            False,
            "DOMAINS",
        ),
        ({"issuer": "https://login.example", "client_id": "c", "client_secret": "s"}, True, "REDIRECT_URL"),
    ],
)
def test_settings_that_cannot_work_are_refused_at_start(values: dict[str, Any], production: bool, problem: str) -> None:
    oidc = OidcSettings(**values)
    assert any(problem in found for found in oidc.problems(production))
    settings = Settings(mode="production" if production else "development", secret_key=SECRET, oidc=oidc)
    with pytest.raises(ConfigurationError, match="OpenID Connect"):
        settings.check_startable()


def test_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GAINSHARE_OIDC_ISSUER", "https://login.example/tenant/v2.0")
    monkeypatch.setenv("GAINSHARE_OIDC_CLIENT_ID", "gainshare")
    monkeypatch.setenv("GAINSHARE_OIDC_CLIENT_SECRET", "s3cret")
    monkeypatch.setenv("GAINSHARE_OIDC_ALLOWED_EMAIL_DOMAINS", "nhs.net,icb.nhs.uk")
    monkeypatch.setenv("GAINSHARE_OIDC_REDIRECT_URL", "https://gainshare.example/auth/oidc/callback")
    oidc = Settings().oidc
    assert oidc.enabled and oidc.allowed_email_domains == ["nhs.net", "icb.nhs.uk"]
    assert oidc.problems(production=True) == []
