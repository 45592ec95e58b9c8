"""User-data problems as values: what is wrong and exactly where."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Severity(Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Source:
    """Where a problem is: a file with row/column, or an agreement clause (key path)."""

    file: str | None = None
    row: int | None = None
    column: str | None = None
    clause: str | None = None

    def render(self) -> str:
        parts: list[str] = []
        if self.file:
            parts.append(self.file)
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.clause:
            parts.append(f"{self.clause}.{self.column}" if self.column else self.clause)
        elif self.column:
            parts.append(f"column {self.column!r}")
        return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class Issue:
    code: str
    message: str
    source: Source = Source()
    severity: Severity = Severity.ERROR

    def render(self) -> str:
        where = self.source.render()
        return f"{where}: {self.message}" if where else self.message

    def at(
        self, *, file: str | None = None, row: int | None = None, column: str | None = None, clause: str | None = None
    ) -> Issue:
        """The same issue with the given parts of its source filled in (file, row, column, clause)."""
        source = Source(
            file if file is not None else self.source.file,
            row if row is not None else self.source.row,
            column if column is not None else self.source.column,
            clause if clause is not None else self.source.clause,
        )
        return Issue(self.code, self.message, source, self.severity)


def errors_in(issues: list[Issue]) -> list[Issue]:
    return [issue for issue in issues if issue.severity is Severity.ERROR]
