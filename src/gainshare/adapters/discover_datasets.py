"""Discover datasets in folders: ROOT/<ODS code>/dataset.json names an organisation's activity and list-size files
(relative to its folder) and the months to analyse. Implements services.discover_workspace.DiscoverDatasets.

    {"description": "...", "activity": "activity.csv", "list_sizes": "list_sizes.csv",
     "first_month": "2023-04", "last_month": "2024-03", "reference": "national-rates.csv"}

`reference` (optional) names national (or other external) rates by service line, sex and age band
(adapters/reference_rates.py); services it covers are standardised against it instead of the federation.

`write_demo_dataset` lays the demo federation out this way (the demo generator's CSV files, as `gainshare demo
generate` writes them) with the year before its schemes start as the period: Discover looks at activity before
anything has moved out of hospital. Parsed datasets are kept while their files are unchanged (size and mtime).
"""

from __future__ import annotations

import functools
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

from gainshare.adapters.demo_writer import write_federation
from gainshare.adapters.discover_inputs import load_activity_rows, load_patients
from gainshare.adapters.reference_rates import load_reference_table
from gainshare.domain.errors import InvalidInputError
from gainshare.domain.issues import Issue, Source
from gainshare.engines.demo.federation import DemoFederation
from gainshare.services.discover import DiscoverInputs
from gainshare.services.discover_workspace import DiscoverDataset

DESCRIPTOR = "dataset.json"
_ODS = re.compile(r"^[A-Z0-9]{3,10}$")


class FolderDiscoverDatasets:
    """Datasets under `root`, one folder per organisation's ODS code."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def find(self, ods_code: str) -> DiscoverDataset | None:
        code = ods_code.strip().upper()
        if not _ODS.match(code):  # also keeps the path inside root
            return None
        descriptor = self.root / code / DESCRIPTOR
        if not descriptor.is_file():
            return None
        document = _read_descriptor(descriptor)
        keys = ("activity", "list_sizes", *(("reference",) if isinstance(document.get("reference"), str) else ()))
        files = [descriptor, *(descriptor.parent / str(document[key]) for key in keys)]
        return _load(code, tuple((str(path), *_stamp(path)) for path in files))


def _stamp(path: Path) -> tuple[int, int]:
    try:
        status = path.stat()
    except OSError:
        return (-1, -1)
    return (status.st_size, status.st_mtime_ns)


def _read_descriptor(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise InvalidInputError([Issue("discover.dataset", f"not readable: {error}", Source(file=str(path)))]) from None
    missing = [key for key in ("activity", "list_sizes") if not isinstance(document.get(key), str)]
    if not isinstance(document, dict) or missing:
        message = f"a dataset names its files under {', '.join(repr(key) for key in missing or ['activity'])}"
        raise InvalidInputError([Issue("discover.dataset", message, Source(file=str(path)))])
    return document


@functools.lru_cache(maxsize=8)
def _load(code: str, files: tuple[tuple[str, int, int], ...]) -> DiscoverDataset:
    """The dataset from its files; the stamps in `files` make a changed file a new cache key."""
    descriptor = Path(files[0][0])
    document = _read_descriptor(descriptor)
    folder = descriptor.parent
    inputs = DiscoverInputs(
        patients=load_patients(folder / document["list_sizes"]),
        activity=load_activity_rows(folder / document["activity"]),
        first_month=descriptor_month(document.get("first_month"), descriptor),
        last_month=descriptor_month(document.get("last_month"), descriptor),
        references=load_reference_table(folder / document["reference"]) if "reference" in document else {},
    )
    description = str(document.get("description") or f"activity and list sizes in {folder}")
    return DiscoverDataset(code, description, inputs)


def descriptor_month(value: object, where: Path) -> date | None:
    """A descriptor's month ('YYYY-MM'), None when absent; InvalidInputError naming the descriptor otherwise."""
    if value is None:
        return None
    try:
        year, month = str(value).split("-")[:2]
        return date(int(year), int(month), 1)
    except ValueError:
        message = f"{value!r} is not a month written YYYY-MM"
        raise InvalidInputError([Issue("discover.dataset", message, Source(file=str(where)))]) from None


def write_demo_dataset(federation: DemoFederation, root: Path, ods_code: str) -> Path:
    """The demo federation's files and descriptor under root/<ods_code> (written once; the demo is deterministic)."""
    folder = root / ods_code.upper()
    descriptor = folder / DESCRIPTOR
    if descriptor.is_file():
        return descriptor
    write_federation(federation, folder, formats=("csv",))
    start = federation.parameters.activity.scheme_start_index
    months = federation.months[:start] if start > 0 else federation.months
    document = {
        "description": (
            f"the demo federation's synthetic hospital activity and list sizes (seed {federation.parameters.seed}), "
            f"{months[0]:%B %Y} to {months[-1]:%B %Y}: the year before its schemes start"
        ),
        "activity": "activity.csv",
        "list_sizes": "list_sizes.csv",
        "practices": "practices.csv",  # for hub design (adapters/practice_datasets.py)
        "first_month": f"{months[0]:%Y-%m}",
        "last_month": f"{months[-1]:%Y-%m}",
    }
    descriptor.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return descriptor
