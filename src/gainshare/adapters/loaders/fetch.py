"""Downloading the published NHS files into a data folder, with SHA-256 checksums in a manifest.

The catalogue names each file and where it is published. NHS Digital gives every monthly 'Patients Registered at
a GP Practice' publication new addresses, and NHS England moves the prices workbook every year, so any entry's
address can be replaced (or, for the prices workbook, must be given), and a base URL can stand in for all of them
(a mirror, or a local test server). Each file is written to a temporary name and renamed when complete.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

from gainshare.domain.errors import GainshareError

MANIFEST = "manifest.json"
CHUNK = 1 << 16
TIMEOUT_SECONDS = 60.0


class FetchError(GainshareError):
    """A download failed (network, HTTP status, disk) or the catalogue has no address for a file."""


@dataclass(frozen=True, slots=True)
class CatalogueEntry:
    key: str
    filename: str
    url: str | None  # None: no stable public address; give one with an override
    description: str


CATALOGUE: tuple[CatalogueEntry, ...] = (
    CatalogueEntry(
        "epraccur",
        "epraccur.zip",
        "https://files.digital.nhs.uk/assets/ods/current/epraccur.zip",
        "ODS GP practices (epraccur), the current extract",
    ),
    CatalogueEntry(
        "list-sizes",
        "gp-reg-pat-prac-all.csv",
        "https://files.digital.nhs.uk/F1/3E4D66/gp-reg-pat-prac-all.csv",
        "Patients Registered at a GP Practice, practice totals (May 2023 publication)",
    ),
    CatalogueEntry(
        "quinary",
        "gp-reg-pat-prac-quin-age.csv",
        "https://files.digital.nhs.uk/7F/C526F5/gp-reg-pat-prac-quin-age.csv",
        "Patients Registered at a GP Practice, five-year age bands by sex (May 2020 publication)",
    ),
    CatalogueEntry(
        "prices",
        "national-prices.xlsx",
        None,
        "NHS Payment Scheme prices workbook (its address changes every year: give it with --url prices=URL)",
    ),
)


@dataclass(frozen=True, slots=True)
class Planned:
    entry: CatalogueEntry
    url: str | None


@dataclass(frozen=True, slots=True)
class Fetched:
    key: str
    filename: str
    url: str
    sha256: str
    bytes: int
    fetched_at: str


def plan(
    keys: Sequence[str] = (),
    *,
    base_url: str | None = None,
    overrides: Mapping[str, str] | None = None,
    catalogue: Sequence[CatalogueEntry] = CATALOGUE,
) -> list[Planned]:
    """Which files to fetch and from where: an override, else base_url/filename, else the catalogue address."""
    known = {entry.key: entry for entry in catalogue}
    unknown = sorted((set(keys) | set(overrides or {})) - set(known))
    if unknown:
        raise FetchError(f"unknown file(s) {', '.join(unknown)}; the catalogue has {', '.join(known)}")
    chosen = [known[key] for key in keys] if keys else list(catalogue)
    planned: list[Planned] = []
    for entry in chosen:
        url = (overrides or {}).get(entry.key)
        if url is None and base_url:
            url = f"{base_url.rstrip('/')}/{entry.filename}"
        planned.append(Planned(entry, url or entry.url))
    return planned


def fetch(
    item: Planned,
    folder: Path,
    on_progress: Callable[[int, int | None], None] = lambda done, total: None,
    client: httpx.Client | None = None,
) -> Fetched:
    """Download one file into the folder (atomically) and return its checksum; on_progress(bytes so far, total)."""
    if item.url is None:
        raise FetchError(f"{item.entry.key}: no address known; {item.entry.description}")
    folder.mkdir(parents=True, exist_ok=True)
    own_client = client is None
    http = client or httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=True)
    try:
        digest, size = _download(http, item.url, folder / item.entry.filename, on_progress)
    except httpx.HTTPStatusError as error:
        raise FetchError(f"{item.url}: the server answered {error.response.status_code}") from None
    except httpx.HTTPError as error:
        raise FetchError(f"{item.url}: {error}") from None
    except OSError as error:
        raise FetchError(f"cannot write {folder / item.entry.filename}: {error}") from None
    finally:
        if own_client:
            http.close()
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    return Fetched(item.entry.key, item.entry.filename, item.url, digest, size, stamp)


def _download(
    http: httpx.Client, url: str, target: Path, on_progress: Callable[[int, int | None], None]
) -> tuple[str, int]:
    digest = hashlib.sha256()
    done = 0
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out, http.stream("GET", url) as response:
            response.raise_for_status()
            length = response.headers.get("content-length")
            total = int(length) if length and length.isdigit() else None
            on_progress(0, total)
            for chunk in response.iter_bytes(CHUNK):
                out.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                on_progress(done, total)
        Path(temporary).replace(target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return digest.hexdigest(), done


def write_manifest(folder: Path, fetched: Sequence[Fetched]) -> Path:
    """Record the files in folder/manifest.json, keeping entries of files not fetched this time."""
    path = folder / MANIFEST
    entries: dict[str, dict[str, object]] = {}
    if path.is_file():
        try:
            old = json.loads(path.read_text(encoding="utf-8"))
            entries = {str(item["key"]): item for item in old.get("files", []) if isinstance(item, dict)}
        except (json.JSONDecodeError, KeyError, AttributeError):
            entries = {}
    for item in fetched:
        entries[item.key] = asdict(item)
    path.write_text(json.dumps({"files": list(entries.values())}, indent=2) + "\n", encoding="utf-8")
    return path


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()
