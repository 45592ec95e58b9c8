"""The API end to end on each database: the fixture's lifecycle ran; reads answer the signed-in parties."""

from __future__ import annotations

from tests.api.conftest import World


def test_parties_read_the_agreement_versions_and_dashboard(world: World) -> None:
    base = f"/api/agreements/{world.agreement}"
    for who in ("manager", "finance", "viewer"):
        client = world.client(who)
        versions = client.get(f"{base}/versions").json()
        assert [(v["number"], v["status"]) for v in versions] == [(1, "signed"), (2, "draft")]
    dashboard = world.client("finance").get(f"{base}/dashboard").json()
    assert dashboard["upload_id"] == world.upload
    statement = world.client("viewer").get(f"{base}/settlements/{world.settlement}").json()
    assert statement["statement"]["period"] == "2025-26"
    assert isinstance(statement["net_saving_pence"], int)
