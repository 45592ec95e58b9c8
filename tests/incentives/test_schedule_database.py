"""`gainshare incentives schedule --database URL`: milestones signed off through the service, in a workspace
database, are payable in the printed schedule; a stale database or a different scheme file is refused."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gainshare.adapters.incentives_file import YamlSchemeParser
from gainshare.adapters.sql.engine import default_database_url
from gainshare.adapters.sql.migrate import upgrade
from gainshare.adapters.sql.uow import SqlDatabase
from gainshare.interfaces.cli.main import app
from gainshare.services.incentives import IncentiveService
from gainshare.services.ports import OrganisationKind, Role
from tests.incentives.test_cli import LIST_SIZES
from tests.incentives.test_scheme_file import GOOD
from tests.persistence.conftest import StepClock

runner = CliRunner()


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "scheme.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "lists.csv").write_text(LIST_SIZES, encoding="utf-8")
    return tmp_path / "scheme.yaml", tmp_path / "lists.csv"


@pytest.fixture
def signed_off(tmp_path: Path) -> str:
    """A workspace where the scheme is registered and year one is signed off for C82001 only."""
    url = default_database_url(tmp_path / "data")
    upgrade(url)
    database = SqlDatabase(url)
    with database() as uow:
        ccg = uow.organisations.add("03W", "NHS ELR CCG", OrganisationKind.COMMISSIONER)
        fed = uow.organisations.add("Y02345", "ELR GP Federation", OrganisationKind.FEDERATION)
        finance = uow.users.add("finance@nhs.net", "Finance", "hash")
        uow.users.add_membership(finance.id, ccg.id, Role.COMMISSIONER_FINANCE)
        uow.commit()
    service = IncentiveService(database, YamlSchemeParser(), StepClock(datetime(2016, 4, 10, 9, tzinfo=UTC)))
    service.register_scheme(finance.id, GOOD, ccg.id, fed.id)
    service.submit_evidence(finance.id, "elr", "year-1", "plan", "C82001", "Plan v1")
    service.sign_off(finance.id, "elr", "year-1", "C82001")
    database.dispose()
    return url


def _schedule(files: tuple[Path, Path], *options: str) -> dict[str, object]:
    result = runner.invoke(
        app, ["incentives", "schedule", *map(str, files), "--as-of", "2016-04-30", "--json", *options]
    )
    assert result.exit_code == 0, result.output
    data: dict[str, object] = json.loads(result.output)
    return data


def _year_one(data: dict[str, object]) -> dict[str, str]:
    lines = data["lines"]
    assert isinstance(lines, list)
    return {line["practice"]: line["status"] for line in lines if line["stage"] == "year-1"}


def test_sign_offs_recorded_in_the_workspace_make_milestones_payable(files: tuple[Path, Path], signed_off: str) -> None:
    assert _year_one(_schedule(files)) == {"C82001": "awaiting sign-off", "C82002": "awaiting sign-off"}
    with_database = _schedule(files, "--database", signed_off)
    assert _year_one(with_database) == {"C82001": "payable", "C82002": "awaiting sign-off"}
    assert with_database["total_payable_pence"] == 150_200 + 100_100  # up-front for both, year one for C82001


def test_a_scheme_file_that_differs_from_the_registered_scheme_is_refused(
    files: tuple[Path, Path], signed_off: str
) -> None:
    files[0].write_text(GOOD.replace('"2.50"', '"3.00"'), encoding="utf-8")
    result = runner.invoke(app, ["incentives", "schedule", *map(str, files), "--database", signed_off])
    assert result.exit_code == 2
    assert "differs from scheme 'elr' as registered" in result.output


def test_an_unmigrated_database_is_refused_with_a_sentence(files: tuple[Path, Path], tmp_path: Path) -> None:
    url = default_database_url(tmp_path / "empty")
    result = runner.invoke(app, ["incentives", "schedule", *map(str, files), "--database", url])
    assert result.exit_code == 2
    assert "schema revision none, not the newest" in result.output
