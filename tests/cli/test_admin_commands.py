"""`gainshare admin`: organisations and first users in the database `gainshare serve` uses (GAINSHARE_*)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from gainshare.bootstrap import build_workspace
from gainshare.interfaces.cli.main import app
from gainshare.services.workspace import Actor

runner = CliRunner()
PASSWORD = "a long enough password"


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GAINSHARE_DATA_FOLDER", str(tmp_path))
    monkeypatch.delenv("GAINSHARE_DATABASE_URL", raising=False)
    return tmp_path


def _invoke(*args: str, password: str = "") -> tuple[int, str]:
    result = runner.invoke(app, ["admin", *args], input=f"{password}\n{password}\n" if password else None)
    return result.exit_code, result.output


def test_bootstrap_a_deployment_then_sign_in(folder: Path) -> None:
    assert _invoke("create-organisation", "qzz", "NHS Northvale ICB", "--kind", "commissioner")[0] == 0
    code, output = _invoke("create-organisation", "Y99001", "Northvale GP Federation", "--kind", "federation")
    assert code == 0 and "Y99001" in output
    practice = ("create-organisation", "Z00001", "Riverside", "--kind", "practice", "--federation", "Y99001")
    assert _invoke(*practice)[0] == 0
    user = ("create-user", "fiona@icb.nhs.uk", "--name", "Fiona", "--organisation", "QZZ", "--role")
    code, output = _invoke(*user, "commissioner_finance", password=PASSWORD)
    assert code == 0, output
    code, output = _invoke("create-user", "root@nhs.uk", "--system-administrator", password=PASSWORD)
    assert code == 0 and "system administrator" in output
    workspace = build_workspace(f"sqlite:///{folder / 'gainshare.sqlite3'}", folder, migrate=False)
    try:
        fiona = workspace.service.authenticate("fiona@icb.nhs.uk", PASSWORD)
        assert fiona is not None
        assert [o.ods_code for o in workspace.service.my_organisations(Actor.user(fiona.id))] == ["QZZ"]
        root = workspace.service.authenticate("root@nhs.uk", PASSWORD)
        assert root is not None and workspace.administration.scope(Actor.user(root.id)).system_administrator
    finally:
        workspace.close()


def test_problems_are_sentences_and_nothing_is_written(folder: Path) -> None:
    code, output = _invoke("create-organisation", "12", "Bad", "--kind", "commissioner")
    assert code == 1 and "'12' is not an ODS organisation code" in output
    assert _invoke("create-organisation", "QZZ", "ICB", "--kind", "commissioner")[0] == 0
    code, output = _invoke("create-organisation", "QZZ", "Again", "--kind", "commissioner")
    assert code == 2 and "exists already" in output
    code, output = _invoke("create-user", "x@nhs.uk", "--organisation", "QZZ", "--role", "federation_manager",
                           password=PASSWORD)  # fmt: skip
    assert code == 1 and "does not exist in a commissioner organisation" in output
    code, output = _invoke("create-user", "x@nhs.uk", "--organisation", "QZZ", password=PASSWORD)
    assert code == 2 and "both --organisation and --role" in output
    code, output = _invoke("create-user", "x@nhs.uk", "--system-administrator", password="short")
    assert code == 1 and "at least 12 characters" in output


def test_created_users_choose_their_own_password_at_first_sign_in_unless_told(folder: Path) -> None:
    code, output = _invoke("create-user", "fiona@icb.nhs.uk", "--system-administrator", password=PASSWORD)
    assert code == 0 and "choose their own password when they first sign in" in output
    code, output = _invoke("create-user", "me@nhs.uk", "--system-administrator", "--no-password-change",
                           password=PASSWORD)  # fmt: skip
    assert code == 0 and "choose their own password" not in output
    code, output = _invoke("create-user", "sam.same@nhs.uk", "--system-administrator", password="Sam.Same@nhs.uk")
    assert code == 1 and "cannot be the account's email address" in output
    workspace = build_workspace(f"sqlite:///{folder / 'gainshare.sqlite3'}", folder, migrate=False)
    try:
        flags = {}
        for email in ("fiona@icb.nhs.uk", "me@nhs.uk"):
            user = workspace.service.authenticate(email, PASSWORD)
            assert user is not None
            flags[email] = user.password_change_required
        assert flags == {"fiona@icb.nhs.uk": True, "me@nhs.uk": False}
    finally:
        workspace.close()
