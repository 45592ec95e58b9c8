"""Kill the process in the middle of posting a settlement with its distribution: nothing is half-posted, and
posting again posts exactly once. On a SQLite file and on PostgreSQL."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gainshare.adapters.sql.uow import SqlDatabase
from tests.persistence.conftest import Backend
from tests.yearend.conftest import World, build_world, year_of_actuals
from tests.yearend.fault_child import SPLIT, practices

ROOT = Path(__file__).resolve().parents[2]
on_sql = pytest.mark.parametrize(
    "backend",
    [pytest.param("sqlite", id="sqlite"), pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres)],
    indirect=True,
)
POSTINGS = 4  # the settlement's transaction and the distribution's three (management, projects, practices)


def _posted(backend: Backend, world: World) -> tuple[int, int, list[str]]:
    with backend.units() as uow:
        settlements = len(uow.settlements.for_agreement(world.agreement))
        distributions = len(uow.distributions.for_agreement(world.agreement))
        keys = [tx.key for tx in uow.ledger.transactions(world.agreement)]
    return settlements, distributions, keys


def _kill_mid_posting(url: str, world: World, stop_after: int, ready: Path) -> None:
    manager = world.manager.user_id
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from tests.yearend.fault_child import main; main()",
            url,
            str(world.agreement),
            str(manager),
            str(stop_after),
            str(ready),
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stderr=subprocess.PIPE,
    )
    try:
        while not ready.exists():
            if child.poll() is not None:
                raise AssertionError(f"the child ended early: {child.stderr.read().decode() if child.stderr else ''}")
            time.sleep(0.02)
        assert ready.read_text() == "posted, not committed"
        time.sleep(random.Random(stop_after).uniform(0, 0.05))  # somewhere inside the open transaction
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL


@on_sql
@pytest.mark.parametrize("stop_after", range(1, POSTINGS + 1))
def test_a_killed_posting_leaves_nothing_and_a_rerun_posts_once(
    backend: Backend, stop_after: int, tmp_path: Path
) -> None:
    assert backend.url is not None
    world = build_world(backend.units)
    world.monitoring.upload_actuals(world.manager, world.agreement, "year.csv", year_of_actuals())
    _kill_mid_posting(backend.url, world, stop_after, tmp_path / "ready")

    restarted = SqlDatabase(backend.url)  # a fresh process's view: new connections after the crash
    try:
        restarted_backend = Backend(backend.name, restarted, backend.url)
        assert _posted(restarted_backend, world) == (0, 0, [])  # all of the transaction or none: none
        first = world.yearend.post_year_end(world.manager, world.agreement, 1, "2025-26", practices(), SPLIT)
        again = world.yearend.post_year_end(world.manager, world.agreement, 1, "2025-26", practices(), SPLIT)
        settlements, distributions, keys = _posted(restarted_backend, world)
    finally:
        restarted.dispose()
    assert (first.already_posted, again.already_posted) == (False, True)
    assert (settlements, distributions, len(keys), len(set(keys))) == (1, 1, POSTINGS, POSTINGS)
    assert len([line for line in first.distribution.lines if line.kind == "practice"]) == len(practices())
    balances = world.workspace.ledger_balances(world.finance, world.agreement)
    assert sum(amount.pence for amount in balances.values()) == 0
