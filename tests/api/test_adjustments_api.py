"""The prior-period adjustment API: what an adjustment would post, then posting it once (after both parties signed
the revised statement), on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

from gainshare.domain.distribution import PracticeMeasures
from gainshare.services.workspace import Actor
from gainshare.services.yearend import DistributionTerms
from tests.api.conftest import PASSWORD, World
from tests.yearend.conftest import actuals_csv

PERIOD = "2026-27"
MONTHS = [f"2026-{m:02d}" for m in range(4, 13)] + [f"2027-{m:02d}" for m in range(1, 4)]


def _actor(world: World, who: str) -> Actor:
    user = world.workspace.service.authenticate(world.emails[who], PASSWORD)
    assert user is not None
    return Actor.user(user.id)


def _year() -> bytes:
    schemes = ("anticoag", "joint-injections")
    return actuals_csv([(month, scheme, "Z00001", 70, 40, 30) for month in MONTHS for scheme in schemes])


def test_an_adjustment_is_read_then_posted_once_after_both_sign(world: World) -> None:
    manager, finance = _actor(world, "manager"), _actor(world, "finance")
    year, agreement = world.workspace, world.agreement
    url = f"/api/agreements/{agreement}/year-end/{PERIOD}"
    client = world.client("manager")
    assert client.get(f"{url}/adjustment").json() == {
        "period": PERIOD,
        "posted": False,
        "pending": None,
        "adjustments": [],
    }
    year.monitoring.upload_actuals(manager, agreement, "year.csv", _year())
    split = DistributionTerms(Decimal("0.05"))
    year.yearend.post_year_end(manager, agreement, 1, PERIOD, [PracticeMeasures("Z00001", Decimal(1))], split)
    year.yearend.revise(manager, agreement, "late.csv", actuals_csv([("2026-07", "anticoag", "Z00001", 70, 52, 30)]))

    state = client.get(f"{url}/adjustment").json()
    pending = state["pending"]
    assert state["posted"] and pending["number"] == 1
    assert pending["revisions"] == ["anticoag Z00001 2026-07: hospital activity 40 -> 52"]
    share = next(line for line in pending["lines"] if line["section"] == "party" and line["name"] == "FED")
    assert share["difference_pence"] == share["now_pence"] - share["posted_pence"] < 0
    recipients = [line["difference_pence"] for line in pending["lines"] if line["section"] == "recipient"]
    assert sum(recipients) == pending["distributed_pence"] == share["difference_pence"]
    for transaction in pending["transactions"]:
        assert sum(p["amount_pence"] for p in transaction["postings"]) == 0

    refused = client.post(f"{url}/adjustments")
    assert refused.status_code == 409 and "not signed" in refused.json()["error"]["message"]
    sha256 = year.signoff.draft(finance, agreement, PERIOD).sha256
    year.signoff.sign(finance, agreement, PERIOD, "commissioner", sha256)
    year.signoff.sign(manager, agreement, PERIOD, "provider", sha256)
    posted = client.post(f"{url}/adjustments")
    assert posted.status_code == 200, posted.text
    body = posted.json()
    assert (body["number"], body["already_posted"]) == (1, False)
    assert body["transaction_keys"] == [tx["key"] for tx in pending["transactions"]]
    again = world.client("finance").post(f"{url}/adjustments").json()
    assert (again["id"], again["already_posted"]) == (body["id"], True)
    after = client.get(f"{url}/adjustment").json()
    assert after["pending"] is None and [a["number"] for a in after["adjustments"]] == [1]
    assert world.client("viewer").get(f"{url}/adjustment").status_code == 200
    assert world.client("viewer").post(f"{url}/adjustments").status_code == 403
