"""scripts/install_frontend.py: the no-Node fallback for node_modules, against a local registry."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import io
import json
import sys
import tarfile
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "install_frontend.py"


@pytest.fixture(scope="module")
def installer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("install_frontend", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


def _tarball(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, content in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def _integrity(payload: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(payload).digest()).decode()


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    root = tmp_path / "registry"
    handler = partial(SimpleHTTPRequestHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root
    finally:
        server.shutdown()


def _publish(root: Path, name: str, version: str, files: dict[str, bytes]) -> bytes:
    payload = _tarball(files)
    folder = root / name / "-"
    folder.mkdir(parents=True)
    (folder / f"{name}-{version}.tgz").write_bytes(payload)
    return payload


def _lockfile(path: Path, entries: dict[str, dict[str, object]]) -> Path:
    packages: dict[str, object] = {"": {"name": "x"}} | {f"node_modules/{k}": v for k, v in entries.items()}
    path.write_text(json.dumps({"lockfileVersion": 3, "packages": packages}))
    return path


def test_installs_the_locked_tarballs(installer: ModuleType, registry: tuple[str, Path], tmp_path: Path) -> None:
    url, root = registry
    web = _publish(root, "web-kit", "1.2.3", {"package/dist/kit.css": b"body{}", "package/package.json": b"{}"})
    dev = _publish(root, "checker", "4.0.0", {"package/checker.js": b"//"})
    lock = _lockfile(
        tmp_path / "package-lock.json",
        {
            "web-kit": {"version": "1.2.3", "integrity": _integrity(web)},
            "checker": {"version": "4.0.0", "integrity": _integrity(dev), "dev": True},
        },
    )
    target = tmp_path / "node_modules"
    assert installer.main(["--lockfile", str(lock), "--target", str(target), "--registry", url]) == 0
    assert (target / "web-kit" / "dist" / "kit.css").read_bytes() == b"body{}"
    assert (target / "checker" / "checker.js").exists()


def test_a_tampered_tarball_is_refused_and_nothing_written(
    installer: ModuleType, registry: tuple[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, root = registry
    good = _publish(root, "first", "1.0.0", {"package/a.js": b"a"})
    _publish(root, "second", "1.0.0", {"package/b.js": b"tampered"})
    lock = _lockfile(
        tmp_path / "package-lock.json",
        {
            "first": {"version": "1.0.0", "integrity": _integrity(good)},
            "second": {"version": "1.0.0", "integrity": _integrity(b"what the lockfile expected")},
        },
    )
    target = tmp_path / "node_modules"
    assert installer.main(["--lockfile", str(lock), "--target", str(target), "--registry", url]) == 1
    assert "second 1.0.0: the download does not match the lockfile's sha512" in capsys.readouterr().err
    assert not target.exists()


def test_the_project_lockfile_names_every_package_with_a_hash(installer: ModuleType) -> None:
    packages = installer.locked_packages(SCRIPT.parents[1] / "package-lock.json")
    assert {p.name for p in packages} >= {"nhsuk-frontend", "htmx.org", "axe-core"}
    assert all(p.integrity.startswith("sha512-") for p in packages)
    assert packages[0].tarball_url("https://registry.npmjs.org").startswith("https://registry.npmjs.org/")
