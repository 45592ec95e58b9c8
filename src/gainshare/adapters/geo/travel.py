"""A travel-time matrix the user provides (for example from a routing engine): CSV with origin, destination,
minutes. Origins are practice codes, destinations are site codes; a pair not listed cannot be travelled."""

from __future__ import annotations

from array import array
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from gainshare.adapters.geo._common import numbers, read_columns
from gainshare.adapters.loaders._columns import empty
from gainshare.adapters.loaders._headers import Recognise
from gainshare.adapters.loaders._problems import ROWS_SHOWN, Problems
from gainshare.domain.hubs import TravelMatrix

TRAVEL_COLUMNS: dict[str, Recognise] = {
    "origin": ("origin", "from", "origin_code", "practice_code"),
    "destination": ("destination", "to", "destination_code", "site_code"),
    "minutes": ("minutes", "time_minutes", "duration_minutes", "travel_minutes"),
}
MAX_MINUTES = 24 * 60


def load_travel_matrix(path: Path) -> TravelMatrix:
    columns, problems = read_columns(path, TRAVEL_COLUMNS, tuple(TRAVEL_COLUMNS))
    names = columns.names
    origin = pc.utf8_upper(columns["origin"])
    destination = pc.utf8_upper(columns["destination"])
    for ours, values in (("origin", origin), ("destination", destination)):
        problems.add_rows("value.missing", names[ours], empty(values), values, lambda _: "the cell is empty")
    minutes = numbers(columns["minutes"], names["minutes"], problems, low=0, high=MAX_MINUTES,
                      what=f"minutes from 0 to {MAX_MINUTES}")  # fmt: skip
    problems.raise_if_any()
    origins = pc.unique(origin).to_pylist()
    destinations = pc.unique(destination).to_pylist()
    rows = pc.index_in(origin, value_set=pa.array(origins, pa.string())).to_numpy()
    cols = pc.index_in(destination, value_set=pa.array(destinations, pa.string())).to_numpy()
    flat = rows.astype(np.int64) * len(destinations) + cols
    _duplicates(flat, problems, names["destination"])
    problems.raise_if_any()
    grid = np.full(len(origins) * len(destinations), np.nan, dtype=np.float32)
    grid[flat] = minutes.to_numpy(zero_copy_only=False)
    values = array("f")
    values.frombytes(grid.tobytes())
    return TravelMatrix(tuple(origins), tuple(destinations), values, str(path))


def _duplicates(flat: NDArray[np.int64], problems: Problems, column: str) -> None:
    order = np.argsort(flat, kind="stable")
    repeated = order[1:][flat[order][1:] == flat[order][:-1]]
    for index in np.sort(repeated)[:ROWS_SHOWN]:
        row = problems.rows.number(int(index))
        problems.add("value.duplicate", "the same origin and destination as an earlier row", row=row, column=column)
