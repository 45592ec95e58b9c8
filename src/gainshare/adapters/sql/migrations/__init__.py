"""Alembic migrations for the workspace schema; run them with gainshare.adapters.sql.migrate.upgrade(url)."""
