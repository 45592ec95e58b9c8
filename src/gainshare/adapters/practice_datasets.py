"""A federation's member practices, their demand and list sizes from its dataset folder: PracticeData
(services/practice_data.py) for any federation, not just the demo.

The folder is the one Discover reads (adapters/discover_datasets.py): ROOT/<ODS code>/dataset.json. Besides the
`activity` and `list_sizes` files Discover needs, the descriptor may name where the practices are:

    {"activity": "activity.csv", "list_sizes": "list_sizes.csv",
     "practices": "practices.csv",          # practice_code, name, postcode, latitude, longitude; or epraccur
     "postcodes": "postcodes.csv",          # optional: ONSPD or postcode,latitude,longitude, for practices
                                            # the practices file gives no coordinates
     "first_month": "2023-04", "last_month": "2024-03"}

Demand for a service is its activity in the descriptor's months (else the last twelve with data), summed over
points of delivery, as `gainshare hubs` reads it. Files are read again only when they change (size and mtime).
"""

from __future__ import annotations

import functools
import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from gainshare.adapters.discover_datasets import DESCRIPTOR, descriptor_month
from gainshare.adapters.discover_inputs import load_patients
from gainshare.adapters.geo.demand import load_demand
from gainshare.adapters.geo.postcodes import load_postcode_coordinates
from gainshare.adapters.geo.sites import load_practice_sites
from gainshare.domain.errors import InvalidInputError
from gainshare.domain.hubs import Demand, Site
from gainshare.domain.incentives import PatientCount
from gainshare.domain.issues import Issue, Source
from gainshare.domain.population import RegisteredPatients
from gainshare.services.practice_data import PracticeData

_ODS = re.compile(r"^[A-Z0-9]{3,10}$")
Stamped = tuple[str, int, int]  # path, size, mtime_ns: a changed file is a new cache key
Descriptor = tuple[Path, dict[str, Any]]  # dataset.json and what it says


class FolderPracticeData:
    """PracticeData from ROOT/<ODS code>/dataset.json; a federation without a folder (or a descriptor without
    `practices`) has no known sites, and a service without activity no demand."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def sites(self, federation_code: str) -> tuple[Site, ...]:
        descriptor = self._descriptor(federation_code)
        found = _file(descriptor, "practices")
        return _sites(found, _file(descriptor, "postcodes")) if found else ()

    def demand(self, federation_code: str, service_line: str) -> Demand | None:
        descriptor = self._descriptor(federation_code)
        found = _file(descriptor, "activity")
        if descriptor is None or found is None:
            return None
        path, document = descriptor
        first, last = (descriptor_month(document.get(key), path) for key in ("first_month", "last_month"))
        return _demand(found, service_line.strip().lower(), first, last)

    def patient_counts(self, federation_code: str, on: date) -> tuple[PatientCount, ...]:
        found = _file(self._descriptor(federation_code), "list_sizes")
        if found is None:
            return ()
        patients = _patients(found)
        wanted = [d for d in patients.extract_dates() if (d.year, d.month) == (on.year, on.month)]
        if not wanted:
            return ()
        codes = sorted({item.practice_code for item in patients.list_sizes} | {b.practice_code for b in patients.bands})
        counts = ((code, patients.list_size(code, wanted[-1])) for code in codes)
        return tuple(PatientCount(code, on, Decimal(size)) for code, size in counts if size is not None)

    def _descriptor(self, federation_code: str) -> Descriptor | None:
        code = federation_code.strip().upper()
        path = self.root / code / DESCRIPTOR
        if not _ODS.match(code) or not path.is_file():  # the pattern also keeps the path inside root
            return None
        return path, _read(path)


class ChainedPracticeData:
    """The first source that knows the federation answers (for example the demo generator, then the folders)."""

    def __init__(self, *sources: PracticeData) -> None:
        self.sources = sources

    def sites(self, federation_code: str) -> tuple[Site, ...]:
        return next((found for s in self.sources if (found := s.sites(federation_code))), ())

    def demand(self, federation_code: str, service_line: str) -> Demand | None:
        return next((d for s in self.sources if (d := s.demand(federation_code, service_line)) is not None), None)

    def patient_counts(self, federation_code: str, on: date) -> tuple[PatientCount, ...]:
        return next((found for s in self.sources if (found := s.patient_counts(federation_code, on))), ())


def _file(descriptor: Descriptor | None, key: str) -> Stamped | None:
    """The file the descriptor names under `key`, stamped; None when it names none."""
    if descriptor is None or not isinstance(descriptor[1].get(key), str):
        return None
    return _stamp(descriptor[0].parent / descriptor[1][key])


def _read(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        issue = Issue("dataset.unreadable", f"not readable: {error}", Source(file=str(path)))
        raise InvalidInputError([issue]) from None
    if not isinstance(document, dict):
        raise InvalidInputError([Issue("dataset.shape", "expected a JSON object", Source(file=str(path)))])
    return document


def _stamp(path: Path) -> Stamped:
    try:
        status = path.stat()
    except OSError:
        raise InvalidInputError([Issue("dataset.missing", "the dataset names this file but it is not there",
                                       Source(file=str(path)))]) from None  # fmt: skip
    return (str(path), status.st_size, status.st_mtime_ns)


@functools.lru_cache(maxsize=8)
def _sites(practices: Stamped, postcodes: Stamped | None) -> tuple[Site, ...]:
    points = load_postcode_coordinates(Path(postcodes[0])) if postcodes else None
    return load_practice_sites(Path(practices[0]), points)


@functools.lru_cache(maxsize=64)
def _demand(activity: Stamped, service_line: str, first: date | None, last: date | None) -> Demand | None:
    try:
        return load_demand(Path(activity[0]), service_line, first=first, last=last)
    except InvalidInputError as error:
        if all(issue.code in {"demand.service", "demand.window"} for issue in error.issues):
            return None  # the file is fine; it has no activity for this service in the window
        raise


@functools.lru_cache(maxsize=8)
def _patients(list_sizes: Stamped) -> RegisteredPatients:
    return load_patients(Path(list_sizes[0]))
