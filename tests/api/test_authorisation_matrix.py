"""Every API route, for every role in another organisation: refused (403/404), and nothing changed.

Routes come from app.routes, so a new route fails here until it is classified below and given a request. Each
refusal is paired with a positive control: a party to the agreement making the same request is not refused,
so a wrong path or body cannot pass the matrix by accident. Self-only routes name nobody else: another user sending
the control's request is acting on their own account, and their own password does not match (422).

And every route but the account routes, for a user who must change the password an administrator chose: 403
password_change_required, and nothing changed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from gainshare.services.ports import Role
from gainshare.services.workspace import Actor
from tests.api.conftest import EXAMPLES, OUTSIDERS, PASSWORD, World, client_for, login
from tests.persistence.test_repository_contract import NOW

PUBLIC = {("GET", "/api/auth/csrf"), ("POST", "/api/auth/login"), ("POST", "/api/auth/logout")}
OWN_DATA = {("GET", "/api/auth/me"), ("GET", "/api/organisations"), ("GET", "/api/agreements")}
OWN_DATA |= {("GET", "/api/counterparties")}  # public ODS names and codes, and the user's own organisations
SELF_ONLY = {("POST", "/api/account/password")}  # the signed-in user's own account; there is no one else to name
ACCOUNT = {("GET", "/api/auth/me"), *SELF_ONLY}  # all a user may do before changing an administrator's password
SELF = "self@fed.nhs.uk"  # the control for the self-only routes, with a password of their own
SELF_PASSWORD = "the control's own passphrase"
SPARE = "spare@fed.nhs.uk"  # a practice viewer of the federation whom the DELETE route's control removes
REFUSED = {403, 404}


def api_routes(world: World) -> list[tuple[str, str]]:
    """(method, path) of every route under /api, however deeply its router was included."""
    found = {
        (method, path)
        for path, methods in _routes(world.app.routes)
        if path.startswith("/api") and path != "/api/openapi.json"
        for method in methods - {"HEAD"}
    }
    return sorted(found)


def _routes(routes: list[BaseRoute]) -> Iterator[tuple[str, set[str]]]:
    try:  # FastAPI 0.120+: included routers stay nested in app.routes
        from fastapi.routing import iter_route_contexts  # noqa: PLC0415
    except ImportError:  # older FastAPI copies the routes into app.routes
        for route in routes:
            if isinstance(route, APIRoute):
                yield route.path, set(route.methods)
        return
    for context in iter_route_contexts(routes):
        methods = getattr(context, "methods", None)
        if methods:
            yield context.path, set(methods)


def snapshot(world: World) -> tuple[Any, ...]:
    """Everything a request could change: audit, agreements, versions, uploads, settlements, ledger, files,
    organisations, members and their passwords, and which notifications each member has read."""
    with world.workspace.database() as uow:
        organisation_ids = [o.id for o in uow.organisations.all()]
        members = [m for organisation_id in organisation_ids for m in uow.users.members(organisation_id)]
        return (
            [(e.id, e.action, e.entity) for e in uow.audit.entries()],
            [(a.id, a.title) for a in uow.agreements.for_organisations(organisation_ids)],
            [(v.number, v.status, v.lock_version, v.content_sha256) for v in uow.agreements.versions(world.agreement)],
            [
                (s.organisation_id, s.content_sha256)
                for v in uow.agreements.versions(world.agreement)
                for s in uow.agreements.signatures(v.id)
            ],
            [(u.id, u.sha256, u.status) for u in uow.uploads.for_agreement(world.agreement)],
            [(s.id, s.period, s.net_saving) for s in uow.settlements.for_agreement(world.agreement)],
            sorted(uow.ledger.balances().items()),
            sorted(path.name for path in (world.folder / "uploads").iterdir()),
            [(o.id, o.ods_code, o.name) for o in uow.organisations.all()],
            members,
            sorted({(u.id, u.password_hash, u.password_change_required) for u in map(uow.users.get, _ids(members))}),
            [
                (m.user_id, n.id, n.read)
                for m in members
                for n in uow.notifications.for_agreement(world.agreement, m.user_id)
            ],
        )


def _ids(members: list[Any]) -> set[int]:
    return {member.user_id for member in members}


def request_for(world: World, method: str, path: str) -> dict[str, Any]:
    """A well-formed request for the route against the ICB-federation agreement (a party would be served)."""
    numbers = {"propose": 2, "sign": 2}
    number = next((n for suffix, n in numbers.items() if path.endswith(suffix)), 1)
    spare = world.workspace.service.authenticate(SPARE, PASSWORD)
    assert spare is not None
    ids = {"organisation_id": world.fed, "user_id": spare.id, "role": "practice_viewer"}
    url = path.format(
        agreement_id=world.agreement, number=number, settlement_id=world.settlement, period="2025-26", **ids
    )
    latest = world.workspace.service.get_version(_manager_actor(world), world.agreement, 2)
    text = (EXAMPLES / "agreement.yaml").read_text(encoding="utf-8")
    figures = ("figures.yaml", (EXAMPLES / "figures.yaml").read_bytes(), "application/yaml")
    bodies: dict[str, dict[str, Any]] = {
        "/api/agreements": {
            "json": {"title": "Taken over", "commissioner_id": world.icb, "provider_id": world.fed, "content": text}
        },
        "/api/agreements/{agreement_id}/draft": {
            "json": {
                "based_on": 2,
                "lock_version": latest.lock_version,
                "content": text.replace("Northvale out", "Hijacked out"),
            }
        },
        "/api/agreements/{agreement_id}/versions/{number}/propose": {"json": {"lock_version": latest.lock_version}},
        "/api/agreements/{agreement_id}/versions/{number}/sign": {
            "json": {"organisation_id": world.fed, "content_sha256": latest.content_sha256}
        },
        "/api/agreements/{agreement_id}/uploads/preview": {"files": {"file": figures}},
        "/api/agreements/{agreement_id}/uploads": {"files": {"file": figures}},
        "/api/agreements/{agreement_id}/versions/{number}/settlements/compute": {
            "json": {"period": "2025-26", "upload_id": world.upload}
        },
        "/api/agreements/{agreement_id}/versions/{number}/settlements": {
            "json": {"period": "2025-26", "upload_id": world.upload}
        },
        "/api/agreements/{agreement_id}/notifications/read": {},
        "/api/agreements/{agreement_id}/year-end/{period}/adjustments": {},
        "/api/account/password": {"json": {"current_password": SELF_PASSWORD, "new_password": "the control's new one"}},
        "/api/organisations": {"json": {"ods_code": "QWO", "name": "NHS West ICB", "kind": "commissioner"}},
        "/api/organisations/{organisation_id}/members": {
            "json": {"email": "planted@fed.nhs.uk", "display_name": "Planted", "role": "administrator"}
        },
    }
    request: dict[str, Any] = {"method": method, "url": url}
    if path.endswith("/diff"):
        request["params"] = {"from_number": 1, "to_number": 2}
    if method == "POST":
        assert path in bodies, f"classify the new route POST {path} in the authorisation matrix"
        request.update(bodies[path])
    return request


def _manager_actor(world: World) -> Actor:
    user = world.workspace.service.authenticate(world.emails["manager"], PASSWORD)
    assert user is not None
    return Actor.user(user.id)


def _check_own_data_only(world: World, path: str, body: Any) -> None:
    if path == "/api/agreements":
        assert world.agreement not in [a["id"] for a in body]
    elif path == "/api/organisations":
        assert not {world.icb, world.fed} & {o["id"] for o in body}
    elif path == "/api/counterparties":
        assert not {world.icb, world.fed} & {o["id"] for o in body["own"]}
    else:
        assert not {world.icb, world.fed} & {m["organisation_id"] for m in body["memberships"]}


def test_the_matrix_covers_every_api_route(world: World) -> None:
    routes = api_routes(world)
    assert len(routes) >= 20
    scoped = [route for route in routes if route not in PUBLIC | OWN_DATA | SELF_ONLY]
    for method, path in scoped:
        known = (
            "{agreement_id}" in path or "{organisation_id}" in path or path in {"/api/agreements", "/api/organisations"}
        )
        assert known, f"unclassified route {method} {path}"


def _notify(world: World) -> None:
    """Two unread special-cause notifications on the agreement, for the notification routes to refuse to touch."""
    with world.workspace.database() as uow:
        for practice in ("", "Z00001"):
            uow.notifications.add(world.agreement, "anticoag", practice, "shift", "2025-06", "concern", "2025-12", NOW)
        uow.commit()


def _controls(world: World) -> dict[str, str]:
    """Who makes the positive control: the federation manager for agreement routes, an administrator of the
    federation for its organisation routes, a system administrator for creating organisations, and for the
    self-only routes a new account whose password an administrator chose."""
    admin, system = world.workspace.administration, Actor.system()
    own = {"password_change_required": False}
    admin.create_user(system, "admin@fed.nhs.uk", "Fed Admin", PASSWORD, ("Y99001", Role.ADMINISTRATOR), **own)
    admin.create_user(system, SPARE, "Spare Viewer", PASSWORD, ("Y99001", Role.PRACTICE_VIEWER), **own)
    admin.create_user(system, "root@gainshare.example", "Root", PASSWORD, None, system_administrator=True, **own)
    admin.create_user(system, SELF, "Self", SELF_PASSWORD, ("Y99001", Role.PRACTICE_VIEWER))
    world.emails |= {"fed_admin": "admin@fed.nhs.uk", "root": "root@gainshare.example", "self": SELF}
    world.clients["self"] = login(world.app, SELF, SELF_PASSWORD)
    return {"/api/organisations": "root", "/api/account/password": "self"}


def _control_for(controls: dict[str, str], path: str) -> str:
    return controls.get(path, "fed_admin" if "{organisation_id}" in path else "manager")


def test_no_other_organisation_reads_or_changes_anything(world: World) -> None:
    refusals = 0
    controls = _controls(world)
    _notify(world)
    anonymous = client_for(world.app)
    anonymous.headers["X-CSRF-Token"] = anonymous.get("/api/auth/csrf").json()["csrf_token"]
    for method, path in api_routes(world):
        if (method, path) in PUBLIC:
            continue
        before = snapshot(world)
        answer = anonymous.request(**request_for(world, method, path))
        assert answer.status_code == 401, (method, path, answer.text)
        for who in OUTSIDERS:
            answer = world.client(who).request(**request_for(world, method, path))
            if (method, path) in OWN_DATA:
                assert answer.status_code == 200, (who, method, path, answer.text)
                _check_own_data_only(world, path, answer.json())
            elif (method, path) in SELF_ONLY:
                assert answer.status_code == 422, (who, method, path, answer.text)
                assert [i["code"] for i in answer.json()["error"]["issues"]] == ["password.current"]
            else:
                assert answer.status_code in REFUSED, (who, method, path, answer.status_code, answer.text)
                assert set(answer.json()) == {"error"}
                refusals += 1
            assert snapshot(world) == before, (who, method, path)
        control = world.client(_control_for(controls, path)).request(**request_for(world, method, path))
        assert control.status_code not in {401, *REFUSED}, ("control", method, path, control.text)
    assert refusals >= 5 * 18


def test_until_the_password_is_changed_only_the_account_routes_answer(world: World) -> None:
    """A federation manager whose password an administrator chose: every other route is refused, changing nothing."""
    _controls(world)
    _notify(world)
    membership = ("Y99001", Role.FEDERATION_MANAGER)
    world.workspace.administration.create_user(Actor.system(), "new@fed.nhs.uk", "New", PASSWORD, membership)
    newcomer = login(world.app, "new@fed.nhs.uk")
    for method, path in api_routes(world):
        if (method, path) in PUBLIC | ACCOUNT:
            continue
        before = snapshot(world)
        answer = newcomer.request(**request_for(world, method, path))
        assert answer.status_code == 403, (method, path, answer.text)
        assert answer.json()["error"]["code"] == "password_change_required", (method, path)
        assert snapshot(world) == before, (method, path)
    me = newcomer.get("/api/auth/me")
    assert me.status_code == 200 and me.json()["password_change_required"]
