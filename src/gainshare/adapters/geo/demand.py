"""Demand per practice for one service, from an aggregated activity file (CSV, Parquet or Excel) with
practice_code, service_line, month and activity (other columns, such as pod and cost, are ignored).

The window is the months from `first` to `last` when given, else the last 12 months with data for the service
(fewer if the file has fewer). Items are summed over the window and over points of delivery.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from gainshare.adapters.loaders._columns import (
    by_distinct_value,
    codes,
    known,
    parse_month,
    required_text,
    whole_numbers,
)
from gainshare.adapters.loaders._headers import Recognise, match_columns, require_columns
from gainshare.adapters.loaders.activity import read_raw
from gainshare.domain.errors import InvalidInputError
from gainshare.domain.hubs import Demand
from gainshare.domain.issues import Issue, Source

DEMAND_COLUMNS: dict[str, Recognise] = {
    "practice_code": ("practice_code", "practice", "gp_practice_code"),
    "service_line": ("service_line", "service"),
    "month": ("month", "activity_month"),
    "activity": ("activity", "activity_count", "count", "items"),
}
DEFAULT_WINDOW_MONTHS = 12
_CODE = r"^[A-Z0-9]{3,8}$"


def load_demand(
    path: Path,
    service_line: str,
    practices: Collection[str] | None = None,
    *,
    first: date | None = None,
    last: date | None = None,
) -> Demand:
    """Items per practice for the service over the window; practices, when given, are the known codes."""
    raw = read_raw(path, DEMAND_COLUMNS, tuple(DEMAND_COLUMNS), "activity")
    problems = raw.problems()
    found = match_columns(raw.header, DEMAND_COLUMNS)
    require_columns(found, DEMAND_COLUMNS, tuple(DEMAND_COLUMNS), problems)
    problems.raise_if_any()
    names = {ours: raw.header[index] for ours, index in found.items()}
    table = raw.table
    practice = codes(table.column(found["practice_code"]), names["practice_code"], problems, _CODE,
                     "an ODS practice code (like A81001)")  # fmt: skip
    if practices is not None:
        well_formed = pc.if_else(pc.match_substring_regex(practice, _CODE), practice, "")
        known(well_formed, names["practice_code"], problems, frozenset(practices), "in the practice list")
    service = pc.utf8_lower(required_text(table.column(found["service_line"]), names["service_line"], problems))
    month = by_distinct_value(table.column(found["month"]), names["month"], problems, parse_month,
                              "a month written YYYY-MM")  # fmt: skip
    activity = whole_numbers(table.column(found["activity"]), names["activity"], problems)
    problems.raise_if_any()
    selected = pa.table({"practice": practice, "service": service, "month": month, "activity": activity})
    return _window(selected, service_line, str(path), first, last)


def _window(table: pa.Table, service_line: str, name: str, first: date | None, last: date | None) -> Demand:
    wanted = service_line.strip().lower()
    rows = table.filter(pc.equal(table.column("service"), wanted))
    if rows.num_rows == 0:
        lines = ", ".join(sorted(set(table.column("service").to_pylist()))[:20]) or "none"
        raise InvalidInputError(
            [Issue("demand.service", f"no rows for service line {service_line!r}; the file has: {lines}", Source(name))]
        )
    months = sorted(set(rows.column("month").to_pylist()))
    chosen = [m for m in months if (first is None or m >= first) and (last is None or m <= last)]
    if first is None:
        chosen = chosen[-DEFAULT_WINDOW_MONTHS:]
    if not chosen:
        raise InvalidInputError(
            [Issue("demand.window", f"no months of {service_line!r} between {first} and {last}", Source(name))]
        )
    rows = rows.filter(pc.is_in(rows.column("month"), value_set=pa.array(chosen, pa.date32())))
    totals = rows.group_by("practice").aggregate([("activity", "sum")])
    items = dict(zip(totals.column("practice").to_pylist(), totals.column("activity_sum").to_pylist(), strict=True))
    every = set(table.column("practice").to_pylist())
    return Demand(
        service_line=wanted,
        months=tuple(f"{m:%Y-%m}" for m in chosen),
        items={code: int(items.get(code, 0)) for code in sorted(every)},
    )
