"""Backends for the persistence contract tests: memory, SQLite (a temporary file), PostgreSQL.

PostgreSQL runs when GAINSHARE_TEST_POSTGRES_URL names a server: the session makes a fresh database there and
drops it at the end; each test gets a fresh schema in it (search_path in the URL), migrated from empty.
"""

from __future__ import annotations

import itertools
import os
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import argon2
import pytest
from sqlalchemy import create_engine, make_url, text

from gainshare.adapters.agreement_file.loader import parse_agreement
from gainshare.adapters.memory.workspace import MemoryDatabase
from gainshare.adapters.sql.engine import default_database_url
from gainshare.adapters.sql.migrate import upgrade
from gainshare.adapters.sql.passwords import Argon2PasswordHasher
from gainshare.adapters.sql.uow import SqlDatabase
from gainshare.domain.agreement import Agreement
from gainshare.reports.serialize import settlement_dict
from gainshare.services.ports import UnitOfWork
from gainshare.services.workspace import WorkspaceService

POSTGRES_ENV = "GAINSHARE_TEST_POSTGRES_URL"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@dataclass
class Backend:
    name: str
    units: Callable[[], UnitOfWork]
    url: str | None = None  # None: the in-memory fake


class StepClock:
    """A clock that moves one second per reading: deterministic times, still in order."""

    def __init__(self, start: datetime = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)) -> None:
        self._ticks = itertools.count()
        self._start = start
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self._start + timedelta(seconds=next(self._ticks))


class TextParser:
    def parse(self, text: str, name: str) -> Agreement:
        return parse_agreement(text, name)


def fast_hasher() -> Argon2PasswordHasher:
    return Argon2PasswordHasher(argon2.PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A fresh database on the test server for this session, dropped afterwards."""
    server = os.environ.get(POSTGRES_ENV)
    if not server:
        pytest.skip(f"{POSTGRES_ENV} is not set: no PostgreSQL server to test against")
    name = f"gainshare_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def postgres_url(postgres_database: str) -> Iterator[str]:
    """An empty schema of its own for one test: the URL puts it first on the search path."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = create_engine(postgres_database, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = make_url(postgres_database).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with engine.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return default_database_url(tmp_path / "data")


SQL_BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]
ALL_BACKENDS = [pytest.param("memory", id="memory"), *SQL_BACKENDS]


def _sql_url(request: pytest.FixtureRequest) -> str:
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    url: str = request.getfixturevalue(fixture)
    return url


@pytest.fixture(params=ALL_BACKENDS)
def backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    if request.param == "memory":
        yield Backend("memory", MemoryDatabase())
        return
    url = _sql_url(request)
    upgrade(url)
    database = SqlDatabase(url)
    try:
        yield Backend(request.param, database, url)
    finally:
        database.dispose()


@pytest.fixture(params=SQL_BACKENDS)
def sql_url(request: pytest.FixtureRequest) -> str:
    """An empty SQL database (not migrated) on each SQL backend."""
    return _sql_url(request)


@pytest.fixture
def service(backend: Backend) -> WorkspaceService:
    return WorkspaceService(
        units=backend.units, passwords=fast_hasher(), parser=TextParser(), statements=settlement_dict, clock=StepClock()
    )


@pytest.fixture(scope="session")
def agreement_text() -> str:
    return (EXAMPLES / "agreement.yaml").read_text(encoding="utf-8")
