"""Migration 0003_incentives: one head, chained after monitoring; its tables come and go with it, and agree with the
models."""

from __future__ import annotations

from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from gainshare.adapters.sql import migrate
from gainshare.adapters.sql.engine import make_engine
from gainshare.adapters.sql.incentive_tables import Base
from tests.persistence.test_incentives_contract import TABLES


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return set(inspect(connection).get_table_names())
    finally:
        engine.dispose()


def test_the_migrations_have_a_single_head_with_incentives_after_monitoring() -> None:
    scripts = ScriptDirectory.from_config(migrate.alembic_config())
    assert len(scripts.get_heads()) == 1
    revision = scripts.get_revision("0003_incentives")
    assert revision is not None and revision.down_revision == "0002_monitoring"
    chain = [item.revision for item in scripts.walk_revisions()]
    assert chain.index("0003_incentives") < chain.index("0002_monitoring") < chain.index("0001")


def test_the_incentive_tables_are_in_the_models() -> None:
    assert set(TABLES) <= set(Base.metadata.tables)


def test_upgrade_creates_and_downgrade_removes_only_the_incentive_tables(sql_url: str) -> None:
    migrate.upgrade(sql_url, "0003_incentives")
    assert set(TABLES) <= _tables(sql_url)
    migrate.downgrade(sql_url, "0002_monitoring")
    remaining = _tables(sql_url)
    assert not set(TABLES) & remaining
    assert {"organisations", "audit_log", "monthly_actuals"} <= remaining
    migrate.upgrade(sql_url)
    assert migrate.schema_drift(sql_url) == []
