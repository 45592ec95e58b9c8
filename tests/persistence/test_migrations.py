"""Alembic: upgrade from empty, models and migrations agree (drift check), and SQLite connection settings."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, create_engine, inspect, text

from gainshare.adapters.sql import migrate
from gainshare.adapters.sql.engine import DATABASE_FILE, default_database_url, make_engine
from gainshare.adapters.sql.tables import metadata

TABLES = {
    "organisations",
    "users",
    "memberships",
    "agreements",
    "agreement_versions",
    "signatures",
    "uploads",
    "settlements",
    "ledger_transactions",
    "ledger_postings",
    "audit_log",
    # 0002_monitoring
    "monthly_actuals",
    "payment_schedules",
    "payment_schedule_instalments",
    "account_payments",
    "distributions",
    "distribution_lines",
    "referral_items",
    "referral_statements",
    "notifications",
    "notification_reads",
    # 0003_incentives
    "incentive_schemes",
    "incentive_evidence",
    "incentive_sign_offs",
    "incentive_payments",
    "incentive_payment_postings",
    "declared_interests",
    "incentive_conflict_flags",
    # 0004_system_administrators
    "system_administrators",
    # 0006_settlement_adjustments
    "distribution_terms",
    "settlement_adjustments",
    "settlement_adjustment_lines",
}


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return set(inspect(connection).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_from_empty_reaches_head_with_every_table(sql_url: str) -> None:
    assert migrate.current_revision(sql_url) is None
    migrate.upgrade(sql_url)
    head = migrate.head_revision()  # Alembic raises if the revisions have more than one head
    assert head is not None and migrate.current_revision(sql_url) == head
    assert _tables(sql_url) == TABLES | {"alembic_version"}
    assert set(metadata.tables) == TABLES
    migrate.upgrade(sql_url)  # a second run is a no-op
    assert migrate.current_revision(sql_url) == head


def test_models_and_migrations_agree(sql_url: str) -> None:
    migrate.upgrade(sql_url)
    assert migrate.schema_drift(sql_url) == []


def test_drift_check_notices_a_difference(sql_url: str) -> None:
    migrate.upgrade(sql_url)
    engine = make_engine(sql_url)
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE uploads ADD COLUMN stray INTEGER"))
    engine.dispose()
    drift = migrate.schema_drift(sql_url)
    assert [(change[0], change[3].name) for change in drift] == [("remove_column", "stray")]


def test_downgrade_to_empty_and_back(sql_url: str) -> None:
    migrate.upgrade(sql_url)
    migrate.downgrade(sql_url, "base")
    assert _tables(sql_url) <= {"alembic_version"}
    migrate.upgrade(sql_url)
    assert migrate.schema_drift(sql_url) == []


def test_migration_scripts_ship_inside_the_package() -> None:
    package = Path(migrate.__file__).parent
    assert package / "migrations" == migrate.MIGRATIONS
    assert (migrate.MIGRATIONS / "env.py").is_file()
    assert (migrate.MIGRATIONS / "versions" / "__init__.py").is_file()


def test_default_database_url_is_a_file_in_the_data_folder(tmp_path: Path) -> None:
    url = default_database_url(tmp_path / "nested" / "data")
    assert url == f"sqlite:///{tmp_path / 'nested' / 'data' / DATABASE_FILE}"
    migrate.upgrade(url)
    assert (tmp_path / "nested" / "data" / DATABASE_FILE).is_file()


def test_sqlite_connections_enforce_foreign_keys_and_use_wal(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    try:
        with engine.connect() as connection:
            assert _pragma(connection, "foreign_keys") == 1
            assert _pragma(connection, "journal_mode") == "wal"
    finally:
        engine.dispose()
    plain = create_engine(sqlite_url)  # the default pysqlite connection, for contrast
    with plain.connect() as connection:
        assert _pragma(connection, "foreign_keys") == 0
    plain.dispose()


def _pragma(connection: Connection, name: str) -> object:
    return connection.exec_driver_sql(f"PRAGMA {name}").scalar()
