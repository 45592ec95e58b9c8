"""The file-based services for the agreement, settle and statement commands, built only when a command runs.

Importing the composition root pulls in the database, optimiser and web libraries; doing it lazily keeps
`gainshare --help` and the file commands quick to start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gainshare.bootstrap import Services


def file_services() -> Services:
    from gainshare.bootstrap import build_services  # noqa: PLC0415

    return build_services()
