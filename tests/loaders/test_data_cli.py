"""`gainshare data check` and `gainshare data fetch` end to end (fetch from a local HTTP server in a thread)."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gainshare.adapters.loaders.fetch import CATALOGUE, plan
from gainshare.interfaces.cli.main import app
from tests.loaders.conftest import ACTIVITY_HEADER, ACTIVITY_ROWS, write_csv

runner = CliRunner()


def test_check_prints_a_summary(activity_csv: Path, epraccur_file: Path) -> None:
    result = runner.invoke(
        app, ["data", "check", str(activity_csv), "--kind", "activity", "--practices", str(epraccur_file)]
    )
    assert result.exit_code == 0, result.output
    assert "£4,530.50" in result.output
    assert "2024-04-01 to 2024-05-01" in result.output


def test_check_lists_problems_and_exits_1(tmp_path: Path, epraccur_file: Path) -> None:
    rows = [*ACTIVITY_ROWS, ["Y99999", "dermatology", "OPFA", "2024-04", "1", "1"]]
    path = write_csv(tmp_path / "activity.csv", rows, ACTIVITY_HEADER)
    result = runner.invoke(app, ["data", "check", str(path), "--kind", "activity", "--practices", str(epraccur_file)])
    assert result.exit_code == 1
    assert "row 5, column 'practice_code': 'Y99999' is not in the practice list" in result.output
    assert "nothing was done" in result.output


@pytest.mark.parametrize(
    ("kind", "fixture", "words"),
    [
        ("epraccur", "epraccur_file", "active 2"),
        ("list-sizes", "quinary_file", "age/sex bands"),
        ("prices", "prices_xlsx", "outpatient procedure prices"),
        ("episodes", "episodes_csv", "patients"),
    ],
)
def test_check_each_kind(kind: str, fixture: str, words: str, request: pytest.FixtureRequest) -> None:
    path = request.getfixturevalue(fixture)
    result = runner.invoke(app, ["data", "check", str(path), "--kind", kind])
    assert result.exit_code == 0, result.output
    assert words in result.output


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    served = tmp_path / "served"
    served.mkdir()
    handler = partial(SimpleHTTPRequestHandler, directory=str(served))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/files", served
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def test_fetch_downloads_every_file_and_records_checksums(server: tuple[str, Path], tmp_path: Path) -> None:
    base, served = server
    (served / "files").mkdir()
    contents = {entry.filename: f"{entry.key} contents\n".encode() * 1000 for entry in CATALOGUE}
    for name, data in contents.items():
        (served / "files" / name).write_bytes(data)
    dest = tmp_path / "data"
    result = runner.invoke(app, ["data", "fetch", "--dest", str(dest), "--base-url", base])
    assert result.exit_code == 0, result.output
    manifest = json.loads((dest / "manifest.json").read_text())
    recorded = {item["filename"]: item for item in manifest["files"]}
    assert set(recorded) == set(contents)
    for name, data in contents.items():
        assert (dest / name).read_bytes() == data
        assert recorded[name]["sha256"] == hashlib.sha256(data).hexdigest()
        assert recorded[name]["url"] == f"{base}/{name}"
    assert not list(dest.glob("*.part"))


def test_fetch_reports_a_missing_file_and_keeps_no_partial(server: tuple[str, Path], tmp_path: Path) -> None:
    base, _ = server
    dest = tmp_path / "data"
    result = runner.invoke(app, ["data", "fetch", "--dest", str(dest), "--only", "epraccur", "--base-url", base])
    assert result.exit_code == 2
    assert "epraccur.zip: the server answered 404" in result.output
    assert not (dest / "epraccur.zip").exists() and not list(dest.glob(".*.part"))


def test_plan_uses_overrides_then_base_url_then_catalogue() -> None:
    planned = {item.entry.key: item.url for item in plan(overrides={"prices": "http://127.0.0.1/p.xlsx"})}
    assert planned["prices"] == "http://127.0.0.1/p.xlsx"
    assert {item.entry.key: item.url for item in plan()}["prices"] is None  # no stable address: must be given
    assert planned["epraccur"] == "https://files.digital.nhs.uk/assets/ods/current/epraccur.zip"
    by_base = plan(["quinary"], base_url="http://127.0.0.1:9/x/")
    assert [item.url for item in by_base] == ["http://127.0.0.1:9/x/gp-reg-pat-prac-quin-age.csv"]


def test_fetch_with_an_address_for_one_file(tmp_path: Path, server: tuple[str, Path]) -> None:
    base, served = server
    (served / "files").mkdir()
    (served / "files" / "e.zip").write_bytes(b"zip")
    dest = tmp_path / "data"
    result = runner.invoke(
        app, ["data", "fetch", "--dest", str(dest), "--only", "epraccur", "--url", f"epraccur={base}/e.zip"]
    )
    assert result.exit_code == 0, result.output
    assert (dest / "epraccur.zip").read_bytes() == b"zip"
