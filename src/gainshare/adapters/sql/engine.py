"""Engines and sessions from a database URL: SQLite by default, PostgreSQL (psycopg 3) for a shared deployment.

SQLite connections get foreign keys on, WAL journalling (file databases), a busy timeout, and BEGIN IMMEDIATE for
every transaction: writers queue for the one write lock instead of failing half way with "database is locked",
so a unit of work on SQLite is serialisable. PostgreSQL runs at READ COMMITTED and relies on row locks and
unique constraints for its races.
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


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False, autoflush=False)


def _sqlite_engine(url: str, database: str | None) -> Engine:
    in_memory = not database or database == ":memory:" or database.startswith("file::memory:")
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
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
