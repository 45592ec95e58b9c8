"""Administration, counterparties and the audit log over the API, on SQLite and PostgreSQL: who may do what,
initial passwords that sign in (and must be changed first), the last administrator kept, pages and filters, CSV
that a spreadsheet cannot run."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient

from gainshare.services.ports import Role
from tests.api.conftest import PASSWORD, SYSTEM, World, login

ROOT = "root@gainshare.example"
FED_ADMIN = "admin@fed.nhs.uk"
OWN = {"password_change_required": False}  # accounts whose password is their own (set up by a setup command)


def _root(world: World) -> TestClient:
    world.workspace.administration.create_user(SYSTEM, ROOT, "Root", PASSWORD, None, system_administrator=True, **OWN)
    return login(world.app, ROOT)


def _fed_admin(world: World) -> TestClient:
    membership = ("Y99001", Role.ADMINISTRATOR)
    world.workspace.administration.create_user(SYSTEM, FED_ADMIN, "Fed Admin", PASSWORD, membership, **OWN)
    return login(world.app, FED_ADMIN)


def test_counterparties_are_the_other_kind_of_organisation(world: World) -> None:
    mine = world.client("manager").get("/api/counterparties").json()
    assert [o["id"] for o in mine["own"]] == [world.fed]
    assert {o["ods_code"] for o in mine["counterparties"]} == {"QZZ", "QXX"}
    theirs = world.client("finance").get("/api/counterparties").json()
    assert {o["ods_code"] for o in theirs["counterparties"]} == {"Y99001", "Y99002"}
    assert world.client("viewer").get("/api/counterparties").json() == {"own": [], "counterparties": []}


def test_only_a_system_administrator_creates_organisations(world: World) -> None:
    body = {"ods_code": "qwo", "name": "NHS West ICB", "kind": "commissioner"}
    refused = world.client("other_icb_admin").post("/api/organisations", json=body)
    assert refused.status_code == 403
    root = _root(world)
    created = root.post("/api/organisations", json=body)
    assert created.status_code == 201, created.text
    assert created.json()["ods_code"] == "QWO"
    assert root.post("/api/organisations", json=body).status_code == 409
    bad = root.post("/api/organisations", json={**body, "ods_code": "12"})
    assert bad.status_code == 422
    assert [i["code"] for i in bad.json()["error"]["issues"]] == ["organisation.ods_code"]
    practice = {"ods_code": "Z00077", "name": "New Surgery", "kind": "practice", "federation_ods_code": "Y99001"}
    made = root.post("/api/organisations", json=practice)
    assert made.status_code == 201 and made.json()["parent_id"] == world.fed
    wrong_parent = root.post(
        "/api/organisations", json={**practice, "ods_code": "Z00078", "federation_ods_code": "QZZ"}
    )
    assert wrong_parent.status_code == 422


def test_an_administrator_adds_a_member_who_signs_in_with_the_initial_password(world: World) -> None:
    admin = _fed_admin(world)
    base = f"/api/organisations/{world.fed}/members"
    added = admin.post(
        base, json={"email": "new@fed.nhs.uk", "display_name": "New Person", "role": "federation_manager"}
    )
    assert added.status_code == 201, added.text
    password = added.json()["initial_password"]
    assert added.json()["account_created"] and len(password) >= 12
    newcomer = login(world.app, "new@fed.nhs.uk", password)
    assert newcomer.get("/api/agreements").json()["error"]["code"] == "password_change_required"
    change = {"current_password": password, "new_password": "a passphrase of my own"}
    changed = newcomer.post("/api/account/password", json=change)
    assert changed.status_code == 200, changed.text
    newcomer.headers["X-CSRF-Token"] = changed.json()["csrf_token"]
    assert newcomer.get("/api/agreements").json()[0]["id"] == world.agreement
    again = admin.post(base, json={"email": "new@fed.nhs.uk", "role": "federation_manager"})
    assert again.status_code == 409
    existing = admin.post(base, json={"email": "new@fed.nhs.uk", "role": "administrator"})
    assert existing.status_code == 201 and existing.json()["initial_password"] is None
    wrong_role = admin.post(base, json={"email": "x@fed.nhs.uk", "display_name": "X", "role": "commissioner_finance"})
    assert wrong_role.status_code == 422
    members = {m["email"]: m["roles"] for m in admin.get(base).json()}
    assert sorted(members["new@fed.nhs.uk"]) == ["administrator", "federation_manager"]
    user_id = added.json()["user_id"]
    assert admin.delete(f"{base}/{user_id}/roles/federation_manager").status_code == 204
    assert admin.delete(f"{base}/{user_id}/roles/administrator").status_code == 204
    assert newcomer.get("/api/agreements").json() == []
    assert admin.delete(f"{base}/{user_id}/roles/federation_manager").status_code == 404


def test_the_last_administrator_stays_and_outsiders_see_nothing(world: World) -> None:
    admin = _fed_admin(world)
    me = admin.get("/api/auth/me").json()["id"]
    base = f"/api/organisations/{world.fed}/members"
    last = admin.delete(f"{base}/{me}/roles/administrator")
    assert last.status_code == 409
    for who in ("other_fed_admin", "other_icb_admin", "manager"):
        assert world.client(who).get(base).status_code == 404, who
        assert world.client(who).get(f"/api/organisations/{world.fed}/audit-log").status_code == 404, who
        body = {"email": "sneak@x.nhs.uk", "display_name": "Sneak", "role": "administrator"}
        assert world.client(who).post(base, json=body).status_code == 403, who


def test_agreement_audit_log_pages_filters_and_csv(world: World) -> None:
    reader = world.client("viewer")  # a practice viewer may read the agreement, so its log
    base = f"/api/agreements/{world.agreement}/audit-log"
    everything = reader.get(base, params={"page_size": 500}).json()
    total = everything["total"]
    assert total == len(everything["entries"]) >= 8
    ids = [e["id"] for e in everything["entries"]]
    assert ids == sorted(ids, reverse=True)
    second = reader.get(base, params={"page_size": 3, "page": 2}).json()
    assert [e["id"] for e in second["entries"]] == ids[3:6]
    assert second["pages"] == -(-total // 3)
    last = reader.get(base, params={"page_size": 3, "page": 10_000}).json()
    assert last["page"] == last["pages"]
    signed = reader.get(base, params={"action": "version.signed_by"}).json()
    assert signed["total"] == 2 and {e["action"] for e in signed["entries"]} == {"version.signed_by"}
    assert "version.signed_by" in signed["actions"] and "settlement.posted" in signed["actions"]
    manager_id = str(everything["entries"][-1]["actor_id"])
    assert everything["people"][manager_id] == "Manager (manager@fed.nhs.uk)"
    exported = reader.get(f"{base}.csv", params={"action": "version.signed_by"})
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.text)))
    assert rows[0][:5] == ["id", "at_utc", "actor_id", "actor", "action"]
    assert len(rows) == 3 and {row[4] for row in rows[1:]} == {"version.signed_by"}
    assert world.client("other_manager").get(base).status_code == 404
    assert world.client("other_manager").get(f"{base}.csv").status_code == 404


def test_organisation_audit_log_holds_its_members_and_agreements(world: World) -> None:
    membership = ("Y99001", Role.ADMINISTRATOR)
    world.workspace.administration.create_user(SYSTEM, FED_ADMIN, "=SUM(1) Admin", PASSWORD, membership, **OWN)
    admin = login(world.app, FED_ADMIN)
    body = {"email": "new@fed.nhs.uk", "display_name": "New", "role": "practice_viewer"}
    assert admin.post(f"/api/organisations/{world.fed}/members", json=body).status_code == 201
    log = admin.get(f"/api/organisations/{world.fed}/audit-log", params={"page_size": 500}).json()
    actions = {e["action"] for e in log["entries"]}
    assert {"membership.created", "user.created", "agreement.created", "version.signed_by"} <= actions
    assert log["subject"] == "Northvale GP Federation"
    assert admin.get(f"/api/organisations/{world.other_fed}/audit-log").status_code == 404
    rows = list(csv.reader(io.StringIO(admin.get(f"/api/organisations/{world.fed}/audit-log.csv").text)))
    assert rows[1][3].startswith("'=SUM(1) Admin")  # shown as text in a spreadsheet, never run as a formula
    assert all(not cell.startswith("=") for row in rows for cell in row)
