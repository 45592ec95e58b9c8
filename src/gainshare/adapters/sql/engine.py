"""Engines and sessions from a database URL: SQLite by default, PostgreSQL (psycopg 3) for a shared deployment.

SQLite connections get foreign keys on, WAL journalling (file databases), a busy timeout, and BEGIN IMMEDIATE for
every transaction: writers queue for the one write lock instead of failing half way with "database is locked",
so a unit of work on SQLite is serialisable. PostgreSQL runs at READ COMMITTED and relies on row locks and
unique constraints for its races.

Read-only units of work use a reader engine (make_read_engine): on a SQLite file, its own pool of connections with
PRAGMA query_only on and a deferred BEGIN, so readers never queue for the write lock (with WAL they read the last
committed snapshot while a writer holds it); on PostgreSQL, the writer's pool with every transaction READ ONLY.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker

DATABASE_FILE = "gainshare.sqlite3"
SQLITE_BUSY_SECONDS = 30


def default_database_url(data_folder: Path) -> str:
    """The SQLite file under the user's data folder (the folder is created when the engine is made)."""
    return f"sqlite:///{(data_folder / DATABASE_FILE).resolve()}"


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, parsed.database)
    return create_engine(url, pool_pre_ping=True)


def make_read_engine(writer: Engine) -> Engine:
    """An engine for read-only transactions on the writer's database (see the module docstring)."""
    url = writer.url
    if url.get_backend_name() == "sqlite":
        if _in_memory(url.database):
            return writer  # one private database per engine: readers share it, and the unit of work refuses commits
        return _sqlite_engine(url.render_as_string(hide_password=False), url.database, read_only=True)
    if url.get_backend_name() == "postgresql":
        return writer.execution_options(postgresql_readonly=True)  # BEGIN ... READ ONLY, on the writer's pool
    return writer


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False, autoflush=False)


def _in_memory(database: str | None) -> bool:
    return not database or database == ":memory:" or database.startswith("file::memory:")


def _sqlite_engine(url: str, database: str | None, *, read_only: bool = False) -> Engine:
    in_memory = _in_memory(database)
    if not in_memory:
        Path(database or "").parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_SECONDS, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy issues BEGIN itself (below)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_SECONDS * 1000}")
        if not in_memory:
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        if read_only:
            cursor.execute("PRAGMA query_only = ON")  # any write fails: "attempt to write a readonly database"
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine
