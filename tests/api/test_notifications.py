"""Special-cause notifications over the API, on SQLite and PostgreSQL: listed read or unread for the signed-in
user, and "mark all read" for one agreement, for that user only."""

from __future__ import annotations

from typing import Any

from gainshare.services.workspace import Actor
from tests.api.conftest import PASSWORD, World
from tests.yearend.conftest import MONTHS, actuals_csv

SPIKE = [40, 43, 38, 42, 39, 44, 37, 41, 95, 40]  # December 2025 far above the rest: special cause


def _signals(world: World) -> int:
    """Upload ten months of actuals with a spike for the federation's practice; the notifications raised."""
    user = world.workspace.service.authenticate(world.emails["manager"], PASSWORD)
    assert user is not None
    rows = [(month, "anticoag", "Z00001", 70, value, 30) for month, value in zip(MONTHS, SPIKE, strict=False)]
    upload = world.workspace.monitoring.upload_actuals(Actor.user(user.id), world.agreement, "a.csv", actuals_csv(rows))
    assert upload.notifications
    return len(upload.notifications)


def _listed(world: World, who: str) -> list[dict[str, Any]]:
    answer = world.client(who).get(f"/api/agreements/{world.agreement}/notifications")
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()
    return found


def test_mark_all_read_is_per_user(world: World) -> None:
    signals = _signals(world)
    listed = _listed(world, "manager")
    assert len(listed) == signals and not any(n["read"] for n in listed)
    assert {(n["scheme"], n["practice"], n["rule"], n["month"]) for n in listed} >= {
        ("anticoag", "", "outside-limits", "2025-12"),
        ("anticoag", "Z00001", "outside-limits", "2025-12"),
    }
    url = f"/api/agreements/{world.agreement}/notifications/read"
    assert world.client("manager").post(url).json() == {"marked": signals}
    assert world.client("manager").post(url).json() == {"marked": 0}
    assert all(n["read"] for n in _listed(world, "manager"))
    assert not any(n["read"] for n in _listed(world, "finance"))


def test_other_organisations_cannot_list_or_mark(world: World) -> None:
    signals = _signals(world)
    for who in ("other_manager", "other_finance"):
        client = world.client(who)
        for answer in (
            client.get(f"/api/agreements/{world.agreement}/notifications"),
            client.post(f"/api/agreements/{world.agreement}/notifications/read"),
        ):
            assert answer.status_code in {403, 404}, answer.text  # reads answer as if it did not exist
            assert answer.json()["error"]["code"] in {"forbidden", "not_found"}
    assert sum(1 for n in _listed(world, "manager") if not n["read"]) == signals


def test_the_routes_are_documented(world: World) -> None:
    paths = world.client("manager").get("/api/openapi.json").json()["paths"]
    listing = paths["/api/agreements/{agreement_id}/notifications"]["get"]
    marking = paths["/api/agreements/{agreement_id}/notifications/read"]["post"]
    assert listing["summary"] == "Special-cause notifications" and "per user" in listing["description"]
    assert marking["summary"] == "Mark all notifications read" and "how many" in marking["description"]
