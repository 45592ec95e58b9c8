"""Who may read or change an agreement's monitoring data: the same rules as the workspace service.

Members of either owning organisation read an agreement, as do practice viewers of a member practice of the
provider federation; commissioner finance (in the commissioner) and federation managers (in the provider) change.
"""

from __future__ import annotations

from dataclasses import dataclass

from gainshare.domain.errors import ForbiddenError
from gainshare.services.ports import AgreementRecord, Role, UnitOfWork
from gainshare.services.workspace import EDITOR_ROLES, Actor


@dataclass(frozen=True, slots=True)
class Access:
    user_id: int
    roles: dict[int, frozenset[Role]]
    readable: frozenset[int]

    def can_read(self, agreement: AgreementRecord) -> bool:
        return bool(self.readable & set(agreement.organisation_ids))

    def can_edit(self, agreement: AgreementRecord) -> bool:
        return any(self.roles.get(org, frozenset()) & EDITOR_ROLES for org in agreement.organisation_ids)


def user_id(actor: Actor) -> int:
    if actor.user_id is None:
        raise ForbiddenError("this needs a signed-in user")
    return actor.user_id


def access(uow: UnitOfWork, actor: Actor) -> Access:
    user = user_id(actor)
    roles: dict[int, set[Role]] = {}
    readable: set[int] = set()
    for membership in uow.users.memberships(user):
        roles.setdefault(membership.organisation_id, set()).add(membership.role)
        readable.add(membership.organisation_id)
        parent = uow.organisations.get(membership.organisation_id).parent_id
        if membership.role is Role.PRACTICE_VIEWER and parent is not None:
            readable.add(parent)
    return Access(user, {org: frozenset(found) for org, found in roles.items()}, frozenset(readable))


def readable(uow: UnitOfWork, actor: Actor, agreement_id: int) -> AgreementRecord:
    """The agreement, if the actor may read it (ForbiddenError otherwise)."""
    agreement = uow.agreements.get(agreement_id)
    if not access(uow, actor).can_read(agreement):
        raise ForbiddenError(f"agreement {agreement_id} is not shared with your organisations")
    return agreement


def editable(uow: UnitOfWork, actor: Actor, agreement_id: int) -> AgreementRecord:
    """The agreement, if the actor may change it (ForbiddenError otherwise)."""
    agreement = uow.agreements.get(agreement_id)
    found = access(uow, actor)
    if not found.can_read(agreement):
        raise ForbiddenError(f"agreement {agreement_id} is not shared with your organisations")
    if not found.can_edit(agreement):
        raise ForbiddenError(f"you can read agreement {agreement_id} but not change it")
    return agreement
