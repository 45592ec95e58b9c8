"""SQL persistence: SQLAlchemy 2 models, repositories and unit of work, Alembic migrations (SQLite, PostgreSQL)."""
