"""Postcode coordinates: the ONS Postcode Directory (ONSPD) CSV, or a plain CSV of postcode, lat, lon.

ONSPD columns used: pcd, pcd2 or pcds (the postcode in its 7-, 8-character or variable-length form), lat, long
and doterm (the month a postcode was terminated; empty while it is live). Postcodes with no grid reference carry
lat 99.999999 in ONSPD and are left out. A terminated postcode is kept (practices' addresses can lag), but a live
entry for the same postcode wins.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from gainshare.adapters.geo._common import numbers, read_columns, read_selected
from gainshare.adapters.loaders._columns import as_text, empty
from gainshare.adapters.loaders._headers import Recognise
from gainshare.domain.errors import InvalidInputError
from gainshare.domain.hubs import GeoPoint, normalise_postcode
from gainshare.domain.issues import Issue, Source

ONSPD_POSTCODE_COLUMNS = ("pcds", "pcd2", "pcd")
ONSPD_NO_GRID_LATITUDE = 99.0  # ONSPD writes 99.999999 where a postcode has no grid reference
PLAIN_COLUMNS: dict[str, Recognise] = {
    "postcode": ("postcode", "pcds", "post_code"),
    "lat": ("lat", "latitude"),
    "lon": ("lon", "long", "longitude", "lng"),
}


def load_postcode_coordinates(path: Path, wanted: Collection[str] | None = None) -> dict[str, GeoPoint]:
    """{normalised postcode: point}, for every postcode in the file or only the wanted ones."""
    header = _header(path)
    if any(name in header for name in ONSPD_POSTCODE_COLUMNS) and "long" in header and "doterm" in header:
        return _onspd(path, wanted)
    return _plain(path, wanted)


def _header(path: Path) -> set[str]:
    if not path.is_file():
        raise InvalidInputError([Issue("file.missing", "no such file", Source(file=str(path)))])
    with path.open("rb") as handle:
        line = handle.readline().decode("utf-8-sig", errors="replace")
    return {cell.strip().strip('"').lower() for cell in line.split(",")}


def _onspd(path: Path, wanted: Collection[str] | None) -> dict[str, GeoPoint]:
    table, problems = read_selected(path, [*ONSPD_POSTCODE_COLUMNS, "lat", "long", "doterm"])
    postcode_column = next(name for name in ONSPD_POSTCODE_COLUMNS if name in table.column_names)
    postcodes = _normalised(table.column(postcode_column))
    keep = _wanted_mask(postcodes, wanted)
    table, postcodes = table.filter(keep), pc.filter(postcodes, keep)
    lat = numbers(table.column("lat"), "lat", problems, low=-90, high=100, what="a latitude")
    lon = numbers(table.column("long"), "long", problems, low=-180, high=180, what="a longitude")
    problems.raise_if_any()
    gridded = pc.less(lat, ONSPD_NO_GRID_LATITUDE)
    live = empty(as_text(table.column("doterm")))
    return _points(pc.filter(postcodes, gridded), pc.filter(lat, gridded), pc.filter(lon, gridded),
                   pc.filter(live, gridded))  # fmt: skip


def _plain(path: Path, wanted: Collection[str] | None) -> dict[str, GeoPoint]:
    columns, problems = read_columns(path, PLAIN_COLUMNS, tuple(PLAIN_COLUMNS))
    names = columns.names
    postcodes = _normalised(columns["postcode"])
    problems.add_rows(
        "value.missing",
        names["postcode"],
        empty(postcodes),
        postcodes,
        lambda _: "the cell is empty; a postcode is needed",
    )
    lat = numbers(columns["lat"], names["lat"], problems, low=-90, high=90, what="a latitude in degrees")
    lon = numbers(columns["lon"], names["lon"], problems, low=-180, high=180, what="a longitude in degrees")
    problems.raise_if_any()
    keep = _wanted_mask(postcodes, wanted)
    live = pa.array([True] * columns.rows, pa.bool_())
    return _points(pc.filter(postcodes, keep), pc.filter(lat, keep), pc.filter(lon, keep), pc.filter(live, keep))


def _normalised(values: pa.ChunkedArray) -> pa.ChunkedArray:
    return pc.utf8_upper(pc.replace_substring_regex(as_text(values), r"\s+", ""))


def _wanted_mask(postcodes: pa.ChunkedArray, wanted: Collection[str] | None) -> pa.ChunkedArray:
    if wanted is None:
        return pc.invert(empty(postcodes))
    keys = pa.array(sorted({normalise_postcode(code) for code in wanted}), pa.string())
    return pc.is_in(postcodes, value_set=keys)


def _points(postcodes: pa.Array, lat: pa.Array, lon: pa.Array, live: pa.Array) -> dict[str, GeoPoint]:
    result: dict[str, GeoPoint] = {}
    is_live: dict[str, bool] = {}
    rows = zip(postcodes.to_pylist(), lat.to_pylist(), lon.to_pylist(), live.to_pylist(), strict=True)
    for code, latitude, longitude, current in rows:
        if code in result and (is_live[code] or not current):
            continue
        result[code], is_live[code] = GeoPoint(latitude, longitude), current
    return result


def lookup(points: Mapping[str, GeoPoint], postcode: str) -> GeoPoint | None:
    return points.get(normalise_postcode(postcode))
