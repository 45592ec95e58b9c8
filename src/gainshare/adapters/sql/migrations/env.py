"""Alembic environment: runs on the connection that gainshare.adapters.sql.migrate hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from gainshare.adapters.sql.tables import metadata


def run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def main() -> None:
    connection = context.config.attributes.get("connection")
    if not isinstance(connection, Connection):
        raise RuntimeError("run migrations through gainshare.adapters.sql.migrate (upgrade, new_revision)")
    run_on(connection)


main()
