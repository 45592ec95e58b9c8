"""Member practices and candidate hub sites, with their locations.

Practices: a CSV with practice_code, and optionally name, postcode, latitude and longitude (the shape `gainshare
demo generate` writes to practices.csv), or the ODS practice list epraccur (headerless), of which the active GP
practices are read. Candidate sites: a CSV with site_code, and optionally name, postcode, latitude, longitude,
capacity_per_session and sessions_per_month. A site or practice without coordinates is placed by its postcode from
a postcode file (ONSPD or plain); a candidate whose code is a practice's takes that practice's location.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pyarrow.compute as pc

from gainshare.adapters.geo._common import Columns, numbers, read_columns, whole
from gainshare.adapters.loaders._columns import empty
from gainshare.adapters.loaders._headers import Recognise
from gainshare.adapters.loaders._problems import Problems
from gainshare.adapters.loaders.epraccur import load_epraccur
from gainshare.domain.hubs import Capacity, GeoPoint, Site, normalise_postcode
from gainshare.domain.practices import PracticeStatus

_LOCATION: dict[str, Recognise] = {
    "name": ("name", "practice_name", "site_name"),
    "postcode": ("postcode", "post_code"),
    "latitude": ("latitude", "lat"),
    "longitude": ("longitude", "lon", "long", "lng"),
}
PRACTICE_COLUMNS: dict[str, Recognise] = {
    "code": ("practice_code", "code", "organisation_code", "gp_practice_code"),
    **_LOCATION,
}
CANDIDATE_COLUMNS: dict[str, Recognise] = {
    "code": ("site_code", "code", "site", "practice_code"),
    **_LOCATION,
    "per_session": ("capacity_per_session", "per_session"),
    "sessions": ("sessions_per_month", "sessions"),
}
_ODS_CODE = re.compile(r'^"?[A-Z][0-9]{5}"?,')
_CODE = r"^[A-Z0-9][A-Z0-9_-]{0,19}$"

Postcodes = Mapping[str, GeoPoint]


def load_practice_sites(path: Path, postcodes: Postcodes | None = None) -> tuple[Site, ...]:
    """Practices with their locations (coordinates in the file, else from the postcode file)."""
    if _is_epraccur(path):
        return _from_epraccur(path, postcodes)
    columns, problems = read_columns(path, PRACTICE_COLUMNS, ("code",))
    return _sites(columns, problems, lambda code, postcode: _by_postcode(postcodes, postcode))


def load_candidate_sites(
    path: Path, practices: Mapping[str, Site], postcodes: Postcodes | None = None
) -> tuple[Site, ...]:
    """Candidate hub sites; one named like a practice and without coordinates is at that practice."""

    def locate(code: str, postcode: str) -> GeoPoint | None:
        practice = practices.get(code)
        if practice is not None and practice.point is not None and not postcode:
            return practice.point
        return _by_postcode(postcodes, postcode) or (practice.point if practice else None)

    columns, problems = read_columns(path, CANDIDATE_COLUMNS, ("code",))
    return _sites(columns, problems, locate)


def _is_epraccur(path: Path) -> bool:
    if path.suffix.lower() != ".csv" or not path.is_file():
        return False
    with path.open("rb") as handle:
        first = handle.readline().decode("utf-8-sig", errors="replace")
    return bool(_ODS_CODE.match(first))


def _from_epraccur(path: Path, postcodes: Postcodes | None) -> tuple[Site, ...]:
    practices = load_epraccur(path)
    return tuple(
        Site(p.code, p.name, p.postcode, _by_postcode(postcodes, p.postcode))
        for p in practices
        if p.status is PracticeStatus.ACTIVE and p.is_gp_practice
    )


def _by_postcode(postcodes: Postcodes | None, postcode: str) -> GeoPoint | None:
    if postcodes is None or not postcode:
        return None
    return postcodes.get(normalise_postcode(postcode))


def _sites(columns: Columns, problems: Problems, locate: Callable[[str, str], GeoPoint | None]) -> tuple[Site, ...]:
    codes = pc.utf8_upper(columns["code"])
    problems.add_rows(
        "value.code", columns.names["code"], pc.invert(pc.match_substring_regex(codes, _CODE)), codes,
        lambda v: f"{v!r} is not a site or practice code (letters and digits, like A81001)" if v else "no code",
    )  # fmt: skip
    lat = _optional_numbers(columns, "latitude", problems, 90, "a latitude in degrees")
    lon = _optional_numbers(columns, "longitude", problems, 180, "a longitude in degrees")
    per_session = _optional_whole(columns, "per_session", problems, 1, "items seen in one session")
    sessions = _optional_whole(columns, "sessions", problems, 0, "sessions a month")
    problems.raise_if_any()
    text = {
        name: columns[name].to_pylist() if name in columns else [""] * columns.rows for name in ("name", "postcode")
    }
    sites: list[Site] = []
    seen: dict[str, int] = {}
    for index, code in enumerate(codes.to_pylist()):
        row = problems.rows.number(index)
        if code in seen:
            problems.add(
                "value.duplicate",
                f"{code} is listed again (first on row {seen[code]})",
                row=row,
                column=columns.names["code"],
            )
            continue
        seen[code] = row
        point = _point(lat[index], lon[index], problems, row, columns) or locate(code, text["postcode"][index])
        capacity = Capacity(per_session[index], sessions[index]) if per_session[index] is not None else None
        if sessions[index] is not None and per_session[index] is None:
            problems.add(
                "value.missing",
                "sessions a month need a capacity per session",
                row=row,
                column=columns.names["sessions"],
            )
        sites.append(Site(code, text["name"][index], text["postcode"][index], point, capacity))
    problems.raise_if_any()
    return tuple(sites)


def _point(lat: float | None, lon: float | None, problems: Problems, row: int, columns: Columns) -> GeoPoint | None:
    if lat is None and lon is None:
        return None
    if lat is None or lon is None:
        column = columns.names["latitude" if lat is None else "longitude"]
        problems.add("value.missing", "give both latitude and longitude, or neither", row=row, column=column)
        return None
    return GeoPoint(lat, lon)


def _optional_numbers(columns: Columns, name: str, problems: Problems, limit: float, what: str) -> list[Any]:
    if name not in columns:
        return [None] * columns.rows
    values = numbers(columns[name], columns.names[name], problems, low=-limit, high=limit, what=what, optional=True)
    return list(values.to_pylist())


def _optional_whole(columns: Columns, name: str, problems: Problems, low: int, what: str) -> list[Any]:
    if name not in columns:
        return [None] * columns.rows
    values = whole(columns[name], columns.names[name], problems, low=low, what=what)
    blank = empty(columns[name])
    return [None if b else v for v, b in zip(values.to_pylist(), blank.to_pylist(), strict=True)]
