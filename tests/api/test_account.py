"""Changing one's own password over the API, on SQLite and PostgreSQL: an administrator's password must be
changed first, problems are 422s naming the field, a change rotates the session, the old password stops working,
and wrong current passwords are throttled together with sign-ins."""

from __future__ import annotations

from fastapi.testclient import TestClient

from gainshare.services.ports import Role
from tests.api.conftest import PASSWORD, SYSTEM, World, client_for, csrf, login

EMAIL = "nina@fed.nhs.uk"
INITIAL = "the administrator's choice"
MINE = "a passphrase only nina knows"
ROUTE = "/api/account/password"


def _newcomer(world: World) -> TestClient:
    """A federation manager whose account an administrator created with a password the administrator knows."""
    membership = ("Y99001", Role.FEDERATION_MANAGER)
    world.workspace.administration.create_user(SYSTEM, EMAIL, "Nina", INITIAL, membership)
    return login(world.app, EMAIL, INITIAL)


def _issues(answer: object) -> list[tuple[str, str]]:
    body = answer.json()  # type: ignore[attr-defined]
    return [(issue["code"], issue["message"]) for issue in body["error"]["issues"]]


def test_an_administrators_password_is_changed_first_then_the_session_is_rotated(world: World) -> None:
    nina = _newcomer(world)
    me = nina.get("/api/auth/me").json()
    assert me["password_change_required"] and me["email"] == EMAIL
    refused = nina.get("/api/agreements")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "password_change_required"
    assert ROUTE in refused.json()["error"]["message"]

    wrong = nina.post(ROUTE, json={"current_password": "not the one", "new_password": MINE})
    assert wrong.status_code == 422
    assert _issues(wrong) == [("password.current", "the current password is not right")]
    short = nina.post(ROUTE, json={"current_password": INITIAL, "new_password": "too short"})
    assert _issues(short) == [("password.new", "a password needs at least 12 characters")]
    same = nina.post(ROUTE, json={"current_password": INITIAL, "new_password": INITIAL})
    assert _issues(same) == [("password.new", "choose a password different from your current one")]

    old_cookie, old_token = nina.cookies["gainshare_session"], nina.headers["X-CSRF-Token"]
    changed = nina.post(ROUTE, json={"current_password": INITIAL, "new_password": MINE})
    assert changed.status_code == 200, changed.text
    assert not changed.json()["password_change_required"]
    assert nina.cookies["gainshare_session"] != old_cookie
    assert changed.json()["csrf_token"] != old_token
    stale = nina.post("/api/agreements/1/notifications/read")  # the old CSRF token died with the old session
    assert stale.status_code == 403 and stale.json()["error"]["code"] == "csrf.failed"
    nina.headers["X-CSRF-Token"] = changed.json()["csrf_token"]
    assert nina.get("/api/agreements").status_code == 200

    fresh = client_for(world.app)
    csrf(fresh)
    assert fresh.post("/api/auth/login", json={"email": EMAIL, "password": INITIAL}).status_code == 401
    again = fresh.post("/api/auth/login", json={"email": EMAIL, "password": MINE})
    assert again.status_code == 200 and not again.json()["password_change_required"]


def test_the_change_is_audited_without_the_passwords(world: World) -> None:
    nina = _newcomer(world)
    assert nina.post(ROUTE, json={"current_password": INITIAL, "new_password": MINE}).status_code == 200
    with world.workspace.database.read() as uow:
        entries = [e for e in uow.audit.entries() if e.action == "user.password_changed"]
    assert len(entries) == 1 and entries[0].details == {"email": EMAIL, "was_required": True}
    assert INITIAL not in str(entries[0].details) and MINE not in str(entries[0].details)


def test_wrong_current_passwords_are_throttled_with_the_sign_ins(sqlite_world: World) -> None:
    world = sqlite_world
    manager = world.client("manager")
    for _ in range(5):
        answer = manager.post(ROUTE, json={"current_password": "a guess at it", "new_password": MINE})
        assert answer.status_code == 422
    throttled = manager.post(ROUTE, json={"current_password": PASSWORD, "new_password": MINE})
    assert throttled.status_code == 429 and int(throttled.headers["Retry-After"]) > 0
    fresh = client_for(world.app)
    csrf(fresh)
    login = fresh.post("/api/auth/login", json={"email": world.emails["manager"], "password": PASSWORD})
    assert login.status_code == 429  # the same account's sign-ins wait too


def test_anonymous_requests_are_refused_and_the_route_is_documented(sqlite_world: World) -> None:
    anonymous = client_for(sqlite_world.app)
    csrf(anonymous)
    assert anonymous.post(ROUTE, json={"current_password": "x", "new_password": "y"}).status_code == 401
    operation = anonymous.get("/api/openapi.json").json()["paths"][ROUTE]["post"]
    assert operation["summary"] == "Change your password"
    assert "password.current" in operation["description"]
    assert {"200", "401", "422", "429"} <= set(operation["responses"])
