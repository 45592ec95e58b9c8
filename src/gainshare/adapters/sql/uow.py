"""The SQL unit of work: one Session, one transaction, every repository; and the database handle that makes them."""

from __future__ import annotations

from typing import Self

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from gainshare.adapters.sql.adjustment_repositories import SqlAdjustments
from gainshare.adapters.sql.engine import make_engine, make_read_engine, make_session_factory
from gainshare.adapters.sql.incentive_repositories import SqlIncentiveRecords
from gainshare.adapters.sql.monitoring_repositories import (
    SqlDistributions,
    SqlMonthlyActuals,
    SqlNotifications,
    SqlPaymentSchedules,
    SqlReferrals,
)
from gainshare.adapters.sql.repositories import (
    SqlAgreements,
    SqlAuditLog,
    SqlLedger,
    SqlOrganisations,
    SqlSettlements,
    SqlUploads,
    SqlUsers,
)
from gainshare.domain.errors import ReadOnlyError


class SqlUnitOfWork:
    """Use as a context manager; commit() to keep the changes, anything else is rolled back on exit.

    A read-only one (SqlDatabase.read()) runs on the reader engine, where the database refuses writes, and its
    commit() raises ReadOnlyError.
    """

    organisations: SqlOrganisations
    users: SqlUsers
    agreements: SqlAgreements
    uploads: SqlUploads
    settlements: SqlSettlements
    ledger: SqlLedger
    audit: SqlAuditLog
    actuals: SqlMonthlyActuals
    schedules: SqlPaymentSchedules
    distributions: SqlDistributions
    adjustments: SqlAdjustments
    referrals: SqlReferrals
    notifications: SqlNotifications
    incentives: SqlIncentiveRecords

    def __init__(self, sessions: sessionmaker[Session], *, read_only: bool = False) -> None:
        self._sessions = sessions
        self.read_only = read_only
        self._session: Session | None = None

    def __enter__(self) -> Self:
        session = self._sessions()
        self._session = session
        self.organisations = SqlOrganisations(session)
        self.users = SqlUsers(session)
        self.agreements = SqlAgreements(session)
        self.uploads = SqlUploads(session)
        self.settlements = SqlSettlements(session)
        self.ledger = SqlLedger(session)
        self.audit = SqlAuditLog(session)
        self.actuals = SqlMonthlyActuals(session)
        self.schedules = SqlPaymentSchedules(session)
        self.distributions = SqlDistributions(session)
        self.adjustments = SqlAdjustments(session)
        self.referrals = SqlReferrals(session)
        self.notifications = SqlNotifications(session)
        self.incentives = SqlIncentiveRecords(session)
        return self

    def __exit__(self, *exc_info: object) -> None:
        session = self._require()
        try:
            session.rollback()
        finally:
            session.close()
            self._session = None

    def commit(self) -> None:
        if self.read_only:
            raise ReadOnlyError("a read-only unit of work cannot commit")
        self._require().commit()

    def rollback(self) -> None:
        self._require().rollback()

    def _require(self) -> Session:
        if self._session is None:
            raise RuntimeError("the unit of work is used outside its 'with' block")
        return self._session


class SqlDatabase:
    """A database at a URL; calling it gives a new unit of work, read() a read-only one (the services' factory)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: Engine = make_engine(url)
        self.read_engine: Engine = make_read_engine(self.engine)
        self._sessions = make_session_factory(self.engine)
        self._readers = make_session_factory(self.read_engine)

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._sessions)

    def read(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._readers, read_only=True)

    def dispose(self) -> None:
        self.engine.dispose()
        self.read_engine.dispose()
