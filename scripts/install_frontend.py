"""Install the front-end packages package-lock.json pins into node_modules, without Node.js.

`make demo` and `make test` use `npm ci` when npm is on the PATH. On a machine with Python and nothing else, they
run this instead: for every package in the lockfile it downloads the tarball from the npm registry, checks it
against the lockfile's `integrity` (Subresource Integrity, sha512), and unpacks it to node_modules/<name>. A
tarball whose hash does not match is refused and nothing of it is written. Standard library only.

    python scripts/install_frontend.py [--lockfile package-lock.json] [--target node_modules]
                                       [--registry https://registry.npmjs.org] [--omit-dev]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import shutil
import sys
import tarfile
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

REGISTRY = "https://registry.npmjs.org"
PREFIX = "node_modules/"


class InstallError(Exception):
    """A lockfile or tarball that cannot be installed; the message says which and why."""


@dataclass(frozen=True)
class Locked:
    name: str
    version: str
    integrity: str
    dev: bool

    def tarball_url(self, registry: str) -> str:
        basename = self.name.rsplit("/", 1)[-1]  # scoped packages: @scope/name -> name-1.0.0.tgz
        return f"{registry.rstrip('/')}/{self.name}/-/{basename}-{self.version}.tgz"


def locked_packages(lockfile: Path) -> list[Locked]:
    """The packages a version-3 lockfile pins (top-level node_modules entries only)."""
    try:
        data = json.loads(lockfile.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise InstallError(f"{lockfile}: cannot read the lockfile ({error})") from error
    packages = data.get("packages") if isinstance(data, dict) else None
    if not isinstance(packages, dict):
        raise InstallError(f"{lockfile}: no 'packages' object (lockfileVersion 2 or 3 is needed)")
    found = []
    for key, entry in packages.items():
        if not key.startswith(PREFIX) or "/node_modules/" in key[len(PREFIX) :]:
            continue
        for field in ("version", "integrity"):
            if not isinstance(entry.get(field), str):
                raise InstallError(f"{lockfile}: packages.{key}.{field} is missing")
        found.append(Locked(key[len(PREFIX) :], entry["version"], entry["integrity"], bool(entry.get("dev"))))
    return found


def check_integrity(package: Locked, payload: bytes) -> None:
    algorithm, _, expected = package.integrity.partition("-")
    if algorithm not in {"sha512", "sha384", "sha256"}:
        raise InstallError(f"{package.name}: unsupported integrity algorithm {algorithm!r}")
    actual = base64.b64encode(hashlib.new(algorithm, payload).digest()).decode("ascii")
    if actual != expected:
        raise InstallError(f"{package.name} {package.version}: the download does not match the lockfile's {algorithm}")


def unpack(package: Locked, payload: bytes, target: Path) -> None:
    """Unpack the tarball's package/ folder to target/<name>, replacing what was there only once all is written."""
    destination = target / package.name
    destination.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=destination.parent) as scratch:
        staging = Path(scratch) / "package"
        with tarfile.open(fileobj=io.BytesIO(payload), mode="r:gz") as archive:
            for member in archive.getmembers():
                parts = PurePosixPath(member.name).parts
                if not (member.isfile() or member.isdir()) or ".." in parts or member.name.startswith("/"):
                    continue
                relative = Path(*parts[1:]) if len(parts) > 1 else Path()
                path = staging / relative
                if member.isdir():
                    path.mkdir(parents=True, exist_ok=True)
                    continue
                path.parent.mkdir(parents=True, exist_ok=True)
                source = archive.extractfile(member)
                assert source is not None
                path.write_bytes(source.read())
        if destination.exists():
            shutil.rmtree(destination)
        staging.rename(destination)


def download(url: str) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            payload: bytes = response.read()
            return payload
    except OSError as error:
        raise InstallError(f"cannot download {url} ({error})") from error


def install(lockfile: Path, target: Path, registry: str, omit_dev: bool = False) -> list[Locked]:
    packages = [p for p in locked_packages(lockfile) if not (omit_dev and p.dev)]
    payloads = []
    for package in packages:  # download and check everything before writing anything
        payload = download(package.tarball_url(registry))
        check_integrity(package, payload)
        payloads.append(payload)
    for package, payload in zip(packages, payloads, strict=True):
        unpack(package, payload, target)
        print(f"installed {package.name} {package.version}")
    return packages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lockfile", type=Path, default=Path("package-lock.json"))
    parser.add_argument("--target", type=Path, default=Path("node_modules"))
    parser.add_argument("--registry", default=REGISTRY)
    parser.add_argument("--omit-dev", action="store_true", help="skip devDependencies (axe-core, for the tests)")
    options = parser.parse_args(argv)
    try:
        install(options.lockfile, options.target, options.registry, options.omit_dev)
    except InstallError as error:
        print(f"install_frontend: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
