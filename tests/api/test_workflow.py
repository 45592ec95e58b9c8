"""Versions, uploads and settlements through the API: conflicts are 409 (never a silent overwrite), signed
versions stay frozen, problems name row and column, a period posts once, and the demo seeds once."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from gainshare.interfaces.cli.main import app as cli
from tests.api.conftest import World
from tests.api.test_authorisation_matrix import snapshot


def test_a_stale_save_is_a_conflict_and_keeps_the_first_save(world: World) -> None:
    base = f"/api/agreements/{world.agreement}"
    manager, finance = world.client("manager"), world.client("finance")
    read_by_manager = manager.get(f"{base}/versions/2").json()
    read_by_finance = finance.get(f"{base}/versions/2").json()
    first = read_by_manager["content"].replace("year two terms", "year two terms (manager)")
    second = read_by_finance["content"].replace("year two terms", "year two terms (finance)")
    saved = manager.post(
        f"{base}/draft", json={"based_on": 2, "lock_version": read_by_manager["lock_version"], "content": first}
    )
    assert saved.status_code == 200
    stale = finance.post(
        f"{base}/draft", json={"based_on": 2, "lock_version": read_by_finance["lock_version"], "content": second}
    )
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "conflict"
    assert manager.get(f"{base}/versions/2").json()["content"] == first


def test_a_signed_version_cannot_be_changed(world: World) -> None:
    base = f"/api/agreements/{world.agreement}"
    manager = world.client("manager")
    signed = manager.get(f"{base}/versions/1").json()
    attempts = [
        manager.post(
            f"{base}/draft",
            json={"based_on": 1, "lock_version": signed["lock_version"], "content": signed["content"] + "#\n"},
        ),
        manager.post(f"{base}/versions/1/propose", json={"lock_version": signed["lock_version"]}),
        manager.post(
            f"{base}/versions/1/sign", json={"organisation_id": world.fed, "content_sha256": signed["content_sha256"]}
        ),
    ]
    assert [answer.status_code for answer in attempts] == [409, 409, 409]
    assert manager.get(f"{base}/versions/1").json() == signed


def test_both_parties_sign_a_proposed_draft_and_the_diff_names_the_clause(sqlite_world: World) -> None:
    world = sqlite_world
    base = f"/api/agreements/{world.agreement}"
    manager, finance = world.client("manager"), world.client("finance")
    draft = manager.get(f"{base}/versions/2").json()
    proposed = manager.post(f"{base}/versions/2/propose", json={"lock_version": draft["lock_version"]}).json()
    sha = proposed["content_sha256"]
    assert (
        manager.post(f"{base}/versions/2/sign", json={"organisation_id": world.fed, "content_sha256": sha}).json()[
            "status"
        ]
        == "proposed"
    )
    wrong_party = finance.post(f"{base}/versions/2/sign", json={"organisation_id": world.fed, "content_sha256": sha})
    assert wrong_party.status_code == 403
    done = finance.post(f"{base}/versions/2/sign", json={"organisation_id": world.icb, "content_sha256": sha})
    assert done.json()["status"] == "signed"
    changes = manager.get(f"{base}/diff", params={"from_number": 1, "to_number": 2}).json()["changes"]
    assert [(c["clause"], c["kind"]) for c in changes] == [("title", "changed")]


def test_an_upload_with_problems_names_rows_and_columns_and_keeps_nothing(sqlite_world: World) -> None:
    world = sqlite_world
    base = f"/api/agreements/{world.agreement}"
    manager = world.client("manager")
    csv = b"period,scheme,baseline_activity,actual_activity\n2025-26,anticoag,ten,5\n2025-26,knees,1,1\n"
    files = {"file": ("march.csv", csv, "text/csv")}
    before = snapshot(world)
    preview = manager.post(f"{base}/uploads/preview", files=files).json()
    assert preview["ok"] is False
    assert {(i["file"], i["row"], i["column"]) for i in preview["issues"]} == {("march.csv", 2, "baseline_activity")}
    committed = manager.post(f"{base}/uploads", files=files)
    assert committed.status_code == 422
    assert committed.json()["error"]["issues"][0]["row"] == 2
    fixed = csv.replace(b"ten", b"10")
    unknown = manager.post(f"{base}/uploads", files={"file": ("march.csv", fixed, "text/csv")}).json()
    assert [(i["code"], i["row"], i["column"]) for i in unknown["error"]["issues"]] == [("figures.scheme", 3, "scheme")]
    assert snapshot(world) == before


def test_a_period_is_posted_once(sqlite_world: World) -> None:
    world = sqlite_world
    base = f"/api/agreements/{world.agreement}"
    finance = world.client("finance")
    ledger = finance.get(f"{base}/ledger").json()
    again = finance.post(f"{base}/versions/1/settlements", json={"period": "2025-26", "upload_id": world.upload})
    assert again.status_code == 200
    assert again.json()["already_posted"] is True
    assert again.json()["id"] == world.settlement
    assert finance.get(f"{base}/ledger").json() == ledger
    assert sum(ledger["balances_pence"].values()) == 0
    computed = finance.post(
        f"{base}/versions/1/settlements/compute", json={"period": "2025-26", "upload_id": world.upload}
    ).json()
    statement = finance.get(f"{base}/settlements/{world.settlement}").json()["statement"]
    assert computed["statement"] == statement


def test_the_demo_seeds_once(tmp_path: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(cli, ["demo", "run", "--folder", str(tmp_path), "--no-serve"])
    assert first.exit_code == 0, first.output
    assert "seeded" in first.output
    assert "northvale-demo-password" in first.output
    database = tmp_path / "gainshare.sqlite3"
    size_entries = _audit_count(database)
    second = runner.invoke(cli, ["demo", "run", "--folder", str(tmp_path), "--no-serve"])
    assert second.exit_code == 0, second.output
    assert "nothing added" in second.output
    assert _audit_count(database) == size_entries


def _audit_count(database: Path) -> int:
    with sqlite3.connect(database) as connection:
        count: int = connection.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    return count
