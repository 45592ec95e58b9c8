"""Read-only units of work (units.read()), alike on memory, SQLite and PostgreSQL: they cannot write, and they do
not wait for a writer (on SQLite a writer holds the one write lock for its whole transaction)."""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass, field

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.exc import DBAPIError

from gainshare.adapters.sql.uow import SqlDatabase
from gainshare.domain.errors import ReadOnlyError
from gainshare.services.ports import OrganisationKind
from gainshare.services.workspace import Actor, WorkspaceService
from tests.persistence.conftest import Backend

REFUSED = (ReadOnlyError, DBAPIError)  # the unit of work refuses to commit; the SQL databases refuse the statement
JOIN_SECONDS = 120  # a bound on a hung test (the SQLite busy timeout is 30 s), not a performance assertion


def _names(backend: Backend) -> list[str]:
    with backend.units() as uow:
        return [organisation.name for organisation in uow.organisations.all()]


def test_a_read_unit_of_work_cannot_write(backend: Backend) -> None:
    with backend.units() as uow:
        uow.organisations.add("QZZ", "Kept", OrganisationKind.COMMISSIONER)
        uow.commit()
    with pytest.raises(REFUSED), backend.units.read() as reader:  # type: ignore[attr-defined]
        reader.organisations.add("QYY", "Written by a reader", OrganisationKind.COMMISSIONER)
        reader.commit()
    with backend.units.read() as reader:  # type: ignore[attr-defined]
        assert [organisation.name for organisation in reader.organisations.all()] == ["Kept"]
        with pytest.raises(ReadOnlyError):
            reader.commit()  # even with nothing to write
    assert _names(backend) == ["Kept"]


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_the_database_itself_refuses_writes_on_the_reader_connection(backend: Backend) -> None:
    database = backend.units
    assert isinstance(database, SqlDatabase)
    with database.read_engine.connect() as connection, pytest.raises(DBAPIError):
        connection.execute(
            text("INSERT INTO organisations (ods_code, name, kind) VALUES ('QYY', 'Raw', 'commissioner')")
        )
    assert _names(backend) == []


@dataclass
class _Reading:
    names: list[str] = field(default_factory=list)
    error: BaseException | None = None


def _read_in_a_thread(backend: Backend) -> _Reading:
    reading = _Reading()

    def read() -> None:
        try:
            with backend.units.read() as reader:  # type: ignore[attr-defined]
                reading.names = [organisation.name for organisation in reader.organisations.all()]
        except BaseException as error:  # reported to the test's thread
            reading.error = error

    thread = threading.Thread(target=read)
    thread.start()
    thread.join(JOIN_SECONDS)
    assert not thread.is_alive(), "the reader waited for the writer"
    return reading


def _write_lock_is_held(url: str) -> bool:
    """On SQLite: whether another connection is refused the write lock at once (the positive control)."""
    probe = sqlite3.connect(make_url(url).database or "", timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        return "locked" in str(error)
    else:
        probe.execute("ROLLBACK")
        return False
    finally:
        probe.close()


def test_readers_run_while_a_writer_holds_the_lock(backend: Backend) -> None:
    with backend.units() as uow:
        uow.organisations.add("QZZ", "Committed", OrganisationKind.COMMISSIONER)
        uow.commit()
    with backend.units() as writer:
        writer.organisations.add("QYY", "Not yet committed", OrganisationKind.COMMISSIONER)
        assert [organisation.name for organisation in writer.organisations.all()] == ["Committed", "Not yet committed"]
        if backend.name == "sqlite":
            assert backend.url is not None and _write_lock_is_held(backend.url)
        reading = _read_in_a_thread(backend)  # while the writer's transaction is open
        writer.commit()
    assert reading.error is None, reading.error
    assert reading.names == ["Committed"]  # the last committed state, never the writer's uncommitted row
    assert _names(backend) == ["Committed", "Not yet committed"]


def test_read_use_cases_answer_while_a_writer_holds_the_lock(service: WorkspaceService, backend: Backend) -> None:
    system = Actor.system()
    service.create_organisation(system, "QZZ", "Northvale ICB", OrganisationKind.COMMISSIONER)
    answers: list[str | None] = []
    with backend.units() as writer:
        writer.organisations.add("QYY", "Not yet committed", OrganisationKind.COMMISSIONER)
        thread = threading.Thread(target=lambda: answers.append(_found(service, system)))
        thread.start()
        thread.join(JOIN_SECONDS)
        assert not thread.is_alive(), "the read use case waited for the writer"
        writer.rollback()
    assert answers == ["Northvale ICB"]


def _found(service: WorkspaceService, system: Actor) -> str | None:
    organisation = service.find_organisation(system, "QZZ")
    return None if organisation is None else organisation.name
