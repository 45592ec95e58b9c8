"""Typed exceptions. User-data problems travel as Issue values inside InvalidInputError."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gainshare.domain.issues import Issue


class GainshareError(Exception):
    """Base class of every error the project raises on purpose."""


class FloatNotAllowedError(GainshareError, TypeError):
    """A float reached code that needs exact money or rates."""

    def __init__(self, value: float) -> None:
        super().__init__(f"{value!r} is a float; money and rates must be exact (use a string or Decimal)")


class InvalidInputError(GainshareError):
    """The user's data has problems; each is an Issue naming where and what."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = list(issues)
        first = self.issues[0].render() if self.issues else "invalid input"
        more = f" (and {len(self.issues) - 1} more)" if len(self.issues) > 1 else ""
        super().__init__(first + more)


class UnbalancedLedgerError(GainshareError):
    """A ledger transaction whose postings do not sum to zero: a bug, never user data."""


class NotFoundError(GainshareError):
    """A named thing does not exist."""


class ConflictError(GainshareError):
    """A change lost a race or contradicts a frozen record."""


class ForbiddenError(GainshareError):
    """The acting user may not see or change this; interfaces answer 404 for reads (to hide existence), else 403."""


class ReadOnlyError(GainshareError):
    """A write was attempted in a read-only unit of work: a bug in the use case, never user data."""
