"""Collecting Issues from vectorised checks: row numbers for the first few bad rows, a count for the rest."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from gainshare.domain.errors import InvalidInputError
from gainshare.domain.issues import Issue, Source

ROWS_SHOWN = 10  # per problem and column; the rest are counted in one more Issue


@dataclass(frozen=True, slots=True)
class Rows:
    """Maps a table index to the row number a person sees in the file (1-based, header counted)."""

    first: int = 2
    explicit: tuple[int, ...] | None = None
    skipped: tuple[int, ...] = ()  # sorted row numbers that hold no data (blank lines)

    def number(self, index: int) -> int:
        if self.explicit is not None:
            return self.explicit[index]
        number = self.first + index
        for gap in self.skipped:  # sorted: each blank line at or before this row pushes it one down
            if gap <= number:
                number += 1
        return number


@dataclass
class Problems:
    """Issues of one file; raise them all at once, so nothing is loaded half-way."""

    file: str
    rows: Rows = field(default_factory=Rows)
    issues: list[Issue] = field(default_factory=list)

    def add(self, code: str, message: str, *, row: int | None = None, column: str | None = None) -> None:
        self.issues.append(Issue(code, message, Source(file=self.file, row=row, column=column)))

    def add_rows(
        self,
        code: str,
        column: str,
        bad: pa.Array | pa.ChunkedArray,
        values: pa.Array | pa.ChunkedArray,
        describe: Callable[[str | None], str],
    ) -> None:
        """One Issue per bad row (bad is a boolean mask over values) up to ROWS_SHOWN, then a count."""
        mask = pc.fill_null(bad, False)
        indices = pc.indices_nonzero(mask)
        count = len(indices)
        if count == 0:
            return
        shown = indices.slice(0, ROWS_SHOWN)
        texts = pc.take(values, shown).to_pylist()
        for index, value in zip(shown.to_pylist(), texts, strict=True):
            text = None if value is None else str(value)
            self.add(code, describe(text), row=self.rows.number(index), column=column)
        if count > ROWS_SHOWN:
            first_more = self.rows.number(indices[ROWS_SHOWN].as_py())
            self.add(
                code,
                f"{count - ROWS_SHOWN:,} more rows have the same problem (the next is row {first_more})",
                column=column,
            )

    def raise_if_any(self) -> None:
        if self.issues:
            raise InvalidInputError(self.issues)
