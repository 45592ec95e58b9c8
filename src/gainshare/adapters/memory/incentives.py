"""In-memory incentive records over the in-memory workspace.

The records live in the workspace's own state (adapters/memory/incentive_records.py), so that one unit of work
covers organisations, users, agreements, the audit log and the incentive records alike, as the SQL unit of work
does: a sign-off and its audit entry are saved together or not at all.
"""

from __future__ import annotations

from gainshare.adapters.memory.incentive_records import IncentiveState, MemoryIncentiveRecords
from gainshare.adapters.memory.workspace import MemoryDatabase, MemoryUnitOfWork

__all__ = ["IncentiveState", "MemoryIncentiveDatabase", "MemoryIncentiveRecords"]


class MemoryIncentiveDatabase:
    """Calling it gives a new unit of work over the given in-memory workspace (which holds the incentive records)."""

    def __init__(self, workspace: MemoryDatabase) -> None:
        self.workspace = workspace

    def __call__(self) -> MemoryUnitOfWork:
        return self.workspace()
