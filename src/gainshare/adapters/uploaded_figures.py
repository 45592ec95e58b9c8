"""Uploaded figures files: decoding their bytes (CSV, YAML, JSON) and keeping them by sha256 on disk."""

from __future__ import annotations

import hashlib
import re
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path

from gainshare.adapters.figures_file import load_figures
from gainshare.domain.errors import InvalidInputError, NotFoundError
from gainshare.domain.figures import Figures
from gainshare.domain.issues import Issue, Source

SUFFIXES = (".csv", ".yaml", ".yml", ".json")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class FiguresFileDecoder:
    """Figures from an upload's bytes, with problems naming the uploaded file's name (not a temporary path).

    Decoded figures are immutable values, so the last few are kept by the bytes' sha256 and file name: the
    dashboard and settlements read the same accepted upload again and again.
    """

    def __init__(self, cache_size: int = 32) -> None:
        self._cache: OrderedDict[tuple[str, str], Figures] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def decode(self, content: bytes, filename: str) -> Figures:
        key = (hashlib.sha256(content).hexdigest(), filename)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        figures = _decode(content, filename)  # problems raise, and are not kept
        with self._lock:
            self._cache[key] = figures
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return figures


def _decode(content: bytes, filename: str) -> Figures:
    suffix = Path(filename).suffix.lower()
    if suffix not in SUFFIXES:
        message = f"upload a {', '.join(SUFFIXES)} file, not {suffix or 'a file without a suffix'}"
        raise InvalidInputError([Issue("upload.format", message, Source(file=filename))])
    with tempfile.TemporaryDirectory(prefix="gainshare-upload-") as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(content)
        try:
            figures = load_figures(path)
        except InvalidInputError as error:
            raise InvalidInputError([_renamed(issue, str(path), filename) for issue in error.issues]) from None
    return Figures(figures.rows, figures.facts, filename)


def _renamed(issue: Issue, temporary: str, filename: str) -> Issue:
    if issue.source.file != temporary:
        return issue
    source = Source(filename, issue.source.row, issue.source.column, issue.source.clause)
    return Issue(issue.code, issue.message.replace(temporary, filename), source, issue.severity)


class FolderUploadContents:
    """Upload bytes in files named by their sha256 under a folder (content-addressed, so writes are idempotent)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def put(self, sha256: str, content: bytes) -> None:
        path = self._path(sha256)
        if path.exists():
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        partial.write_bytes(content)
        partial.replace(path)

    def get(self, sha256: str) -> bytes:
        path = self._path(sha256)
        if not path.exists():
            raise NotFoundError(f"the uploaded file {sha256[:12]} is no longer kept")
        return path.read_bytes()

    def _path(self, sha256: str) -> Path:
        if not _SHA256.match(sha256):
            raise NotFoundError(f"{sha256!r} is not a sha256")
        return self.folder / f"{sha256}.upload"
