"""The child process of the fault test: post a year-end settlement with its distribution, and stop for good
inside the transaction after a given number of ledger postings (the parent kills it there with SIGKILL).

Run as: python -c "from tests.yearend.fault_child import main; main()" URL AGREEMENT USER STOP_AFTER READY_FILE
"""

from __future__ import annotations

import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any, Self

from gainshare.adapters.sql.uow import SqlDatabase, SqlUnitOfWork
from gainshare.domain.distribution import Basis, PracticeMeasures
from gainshare.services.workspace import Actor
from gainshare.services.yearend import DistributionTerms
from tests.yearend.conftest import services

PRACTICE_COUNT = 60  # one posting each in the practices' distribution transaction


def practices() -> list[PracticeMeasures]:
    return [PracticeMeasures(f"Z{n:05d}", Decimal(1000 + n)) for n in range(1, PRACTICE_COUNT + 1)]


SPLIT = DistributionTerms(Decimal("0.05"), ((Basis.WEIGHTED_LIST, Decimal(1)),))


class _StallingLedger:
    """The real ledger, which after `stop_after` postings says so in a file and sleeps, transaction open."""

    def __init__(self, ledger: Any, stop_after: int, ready: Path) -> None:
        self._ledger = ledger
        self._left = stop_after
        self._ready = ready

    def post(self, *args: Any, **kwargs: Any) -> None:
        self._ledger.post(*args, **kwargs)
        self._left -= 1
        if self._left == 0:
            self._ready.write_text("posted, not committed")
            time.sleep(600)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ledger, name)


def main() -> None:
    url, agreement, user, stop_after, ready = sys.argv[1:6]
    database = SqlDatabase(url)

    class Stalling(SqlUnitOfWork):
        def __enter__(self) -> Self:
            super().__enter__()
            self.ledger = _StallingLedger(self.ledger, int(stop_after), Path(ready))  # type: ignore[assignment]
            return self

    def units() -> SqlUnitOfWork:
        return Stalling(database._sessions)

    _, _, yearend = services(units)
    yearend.post_year_end(Actor.user(int(user)), int(agreement), 1, "2025-26", practices(), SPLIT)
    Path(ready).write_text("committed")  # only if the stall never came (stop_after beyond the postings)
