"""Races between units of work in separate threads: exactly one wins, the others get ConflictError."""

from __future__ import annotations

import threading
from collections.abc import Callable

from gainshare.domain.errors import ConflictError
from gainshare.domain.ledger import transfer
from gainshare.domain.money import Money
from tests.persistence.conftest import Backend
from tests.persistence.test_repository_contract import NOW, seed

THREADS = 4


def _race(attempt: Callable[[], object]) -> tuple[int, list[BaseException]]:
    """Run attempt in THREADS threads released together; count the wins and collect the failures."""
    barrier = threading.Barrier(THREADS)
    wins: list[object] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def run() -> None:
        barrier.wait()
        try:
            result = attempt()
        except BaseException as error:  # collected and asserted on below
            with lock:
                failures.append(error)
        else:
            with lock:
                wins.append(result)

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(wins), failures


def test_concurrent_postings_of_one_key_post_once(backend: Backend) -> None:
    ids = seed(backend)
    transaction = transfer("agreement/1/period/2025-26/1", "settlement", "ICB", "FED", Money(123_456))

    def post() -> None:
        with backend.units() as uow:
            uow.ledger.post(transaction, ids.agreement, None, ids.user, NOW)
            uow.commit()

    wins, failures = _race(post)
    assert wins == 1
    assert len(failures) == THREADS - 1
    assert all(isinstance(error, ConflictError) for error in failures), failures
    with backend.units() as uow:
        assert uow.ledger.transactions(ids.agreement) == [transaction]
        assert uow.ledger.balances(ids.agreement) == {"FED": Money(123_456), "ICB": Money(-123_456)}


def test_concurrent_saves_of_one_draft_keep_exactly_one(backend: Backend) -> None:
    ids = seed(backend)
    with backend.units() as uow:
        draft = uow.agreements.add_version(ids.agreement, 1, "original", ids.user, NOW)
        uow.commit()
    names = iter(f"editor {n}" for n in range(THREADS))
    names_lock = threading.Lock()

    def save() -> str:
        with names_lock:
            text = next(names)
        with backend.units() as uow:
            uow.agreements.update_content(draft.id, text, draft.lock_version)
            uow.commit()
        return text

    wins, failures = _race(save)
    assert wins == 1
    assert all(isinstance(error, ConflictError) for error in failures), failures
    with backend.units() as uow:
        saved = uow.agreements.version(ids.agreement, 1)
    assert saved.lock_version == draft.lock_version + 1
    assert saved.content.startswith("editor ")
