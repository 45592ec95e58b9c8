"""SQL persistence: SQLAlchemy 2 models, repositories and unit of work, Alembic migrations (SQLite, PostgreSQL)."""

from gainshare.adapters.sql import adjustment_tables as adjustment_tables  # prior-period adjustments
from gainshare.adapters.sql import admin_tables as admin_tables  # the system administrators table
from gainshare.adapters.sql import incentive_tables as incentive_tables  # and the incentives tables
from gainshare.adapters.sql import monitoring_tables as monitoring_tables  # registers its tables in the metadata
