"""Finding columns by recognised names, whatever their case, spacing or punctuation."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from gainshare.adapters.loaders._problems import Problems

# A recognised column: its squashed synonyms, or a test on the squashed name (with a description for messages).
Recognise = tuple[str, ...] | tuple[Callable[[str], bool], str]


def squash(name: object) -> str:
    """'First Attendance - Single Professional (£)' -> 'first_attendance_single_professional'."""
    text = re.sub(r"\(.*?\)", " ", str(name or "").lower().replace("£", ""))
    return re.sub(r"[^a-z0-9+]+", "_", text).strip("_")


def _matches(recognise: Recognise, squashed: str) -> bool:
    first = recognise[0]
    if callable(first):
        return bool(first(squashed))
    return squashed in recognise


def describe(recognise: Recognise) -> str:
    first = recognise[0]
    if callable(first):
        return str(recognise[1])
    return "one of " + ", ".join(str(item) for item in recognise)


def match_columns(header: Sequence[object], recognised: Mapping[str, Recognise]) -> dict[str, int]:
    """{our name: the index of the file's column} for each recognised column found; the first match wins."""
    squashed = [squash(column) if column is not None else "" for column in header]
    found: dict[str, int] = {}
    for ours, recognise in recognised.items():
        for index, name in enumerate(squashed):
            if name and index not in found.values() and _matches(recognise, name):
                found[ours] = index
                break
    return found


def require_columns(
    found: Mapping[str, int],
    recognised: Mapping[str, Recognise],
    required: Sequence[str],
    problems: Problems,
    header_row: int = 1,
) -> None:
    for ours in required:
        if ours not in found:
            problems.add(
                "file.header",
                f"no {ours} column: expected a column named {describe(recognised[ours])}",
                row=header_row,
                column=ours,
            )
