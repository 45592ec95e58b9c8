"""The audit log as people read it: an agreement's or an organisation's entries, newest first, a page at a time,
filtered by action, with the names of the people who acted. Read-only.

Who may read:
- an agreement's log: whoever may read the agreement (the workspace's rules, services/access.py);
- an organisation's log (its own changes, its members, and every agreement it is a party to): its administrators
  and system administrators.
"""

from __future__ import annotations

from dataclasses import dataclass

from gainshare.domain.errors import ForbiddenError
from gainshare.services import access
from gainshare.services.ports import AuditEntry, AuditQuery, Role, UnitOfWork, UnitsOfWork
from gainshare.services.workspace import Actor

PAGE_SIZE = 25
MAX_PAGE_SIZE = 500


@dataclass(frozen=True, slots=True)
class AuditPage:
    subject: str  # the agreement's title or the organisation's name
    entries: list[AuditEntry]
    total: int  # entries matching, over every page
    page: int  # from 1; pages past the last show the last
    pages: int  # at least 1
    action: str | None
    actions: list[str]  # every action in the log, for the filter
    people: dict[int, str]  # the acting users' names and emails, by user id


@dataclass(frozen=True)
class AuditLogService:
    units: UnitsOfWork

    def for_agreement(
        self,
        actor: Actor,
        agreement_id: int,
        action: str | None = None,
        page: int = 1,
        page_size: int | None = PAGE_SIZE,
    ) -> AuditPage:
        with self.units.read() as uow:
            agreement = access.readable(uow, actor, agreement_id)
            query = AuditQuery(frozenset({agreement_id}), (), action or None)
            return _page(uow, agreement.title, query, page, page_size)

    def for_organisation(
        self,
        actor: Actor,
        organisation_id: int,
        action: str | None = None,
        page: int = 1,
        page_size: int | None = PAGE_SIZE,
    ) -> AuditPage:
        with self.units.read() as uow:
            organisation = uow.organisations.get(organisation_id)
            system = uow.users.is_system_administrator(access.user_id(actor))
            if not system and Role.ADMINISTRATOR not in access.access(uow, actor).roles.get(organisation_id, ()):
                raise ForbiddenError(f"you do not administer organisation {organisation_id}")
            agreements = frozenset(a.id for a in uow.agreements.for_organisations([organisation_id]))
            query = AuditQuery(agreements, (f"organisation/{organisation_id}",), action or None)
            return _page(uow, organisation.name, query, page, page_size)


def _page(uow: UnitOfWork, subject: str, query: AuditQuery, page: int, page_size: int | None) -> AuditPage:
    """One page of page_size entries (capped at MAX_PAGE_SIZE), or every entry when page_size is None (exports)."""
    total = uow.audit.count(query)
    if page_size is None:
        number, pages, entries = 1, 1, uow.audit.search(query)
    else:
        size = max(1, min(page_size, MAX_PAGE_SIZE))
        pages = max(1, -(-total // size))
        number = max(1, min(page, pages))
        entries = uow.audit.search(query, (number - 1) * size, size)
    people: dict[int, str] = {}
    for actor_id in sorted({e.actor_id for e in entries if e.actor_id is not None}):
        user = uow.users.get(actor_id)
        people[actor_id] = f"{user.display_name} ({user.email})"
    return AuditPage(subject, entries, total, number, pages, query.action, uow.audit.actions(query), people)
