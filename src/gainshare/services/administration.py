"""Administration: organisations, their members and roles, and the choices for starting an agreement.

Who may do what:
- a system administrator (a user made one by the trusted setup command `gainshare admin create-user
  --system-administrator`) administers every organisation and alone creates organisations; the system actor
  (setup commands) may do anything here;
- an administrator of an organisation lists, adds and removes its members; adding someone who has no account
  creates it with a random initial password, returned once (only its Argon2 hash is kept), which they must
  change at their first sign-in (AccountService);
- an organisation keeps at least one administrator while it has one: the last cannot be removed;
- commissioner finance may start agreements with any federation and federation managers with any commissioner
  (ODS codes and names are public), for their own organisation.

Every change is audited in the same transaction, under the organisation's entity (organisation/<id>/...), so it
shows in the organisation's audit log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gainshare.domain.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from gainshare.domain.issues import Issue
from gainshare.domain.parties import is_ods_code
from gainshare.services import access
from gainshare.services.password_policy import password_issues
from gainshare.services.ports import (
    Membership,
    Organisation,
    OrganisationKind,
    PasswordHasher,
    Role,
    UnitOfWork,
    UnitsOfWork,
    User,
)
from gainshare.services.workspace import ROLE_KINDS, Actor

MAX_NAME_LENGTH = 200
_COUNTERPARTY_KIND = {
    Role.COMMISSIONER_FINANCE: OrganisationKind.FEDERATION,
    Role.FEDERATION_MANAGER: OrganisationKind.COMMISSIONER,
}


@dataclass(frozen=True, slots=True)
class AdminScope:
    """What the actor administers: every organisation (a system administrator) or their own."""

    system_administrator: bool
    organisations: list[Organisation]


@dataclass(frozen=True, slots=True)
class Member:
    user: User
    roles: tuple[Role, ...]


@dataclass(frozen=True, slots=True)
class AddedMember:
    user: User
    membership: Membership
    initial_password: str | None  # a new account's password, to hand over once; None for an existing account


@dataclass(frozen=True, slots=True)
class AgreementChoices:
    """The organisations the actor may start an agreement for, and those they may start one with."""

    own: list[Organisation]
    counterparties: list[Organisation]


@dataclass(frozen=True)
class AdministrationService:
    units: UnitsOfWork
    passwords: PasswordHasher
    clock: Callable[[], datetime]
    new_password: Callable[[], str]  # a random initial password that meets the password policy

    # --- reading ---------------------------------------------------------------------------------------------

    def scope(self, actor: Actor) -> AdminScope:
        with self.units.read() as uow:
            if self._is_system(uow, actor):
                return AdminScope(True, uow.organisations.all())
            found = access.access(uow, actor)
            ids = sorted(org for org, roles in found.roles.items() if Role.ADMINISTRATOR in roles)
            return AdminScope(False, [uow.organisations.get(org) for org in ids])

    def organisation(self, actor: Actor, organisation_id: int) -> Organisation:
        """An organisation the actor administers (ForbiddenError otherwise)."""
        with self.units.read() as uow:
            return self._administered(uow, actor, organisation_id)

    def members(self, actor: Actor, organisation_id: int) -> list[Member]:
        with self.units.read() as uow:
            self._administered(uow, actor, organisation_id)
            roles: dict[int, list[Role]] = {}
            for membership in uow.users.members(organisation_id):
                roles.setdefault(membership.user_id, []).append(membership.role)
            members = [Member(uow.users.get(user_id), tuple(found)) for user_id, found in roles.items()]
        return sorted(members, key=lambda member: member.user.display_name.lower())

    def agreement_choices(self, actor: Actor) -> AgreementChoices:
        """Own organisations where the actor edits agreements, and every organisation of the other kind."""
        with self.units.read() as uow:
            found = access.access(uow, actor)
            kinds: set[OrganisationKind] = set()
            own: list[Organisation] = []
            for organisation_id, roles in sorted(found.roles.items()):
                wanted = {_COUNTERPARTY_KIND[role] for role in roles if role in _COUNTERPARTY_KIND}
                if wanted:
                    own.append(uow.organisations.get(organisation_id))
                    kinds |= wanted
            others = [org for org in uow.organisations.all() if org.kind in kinds]
        return AgreementChoices(own, sorted(others, key=lambda org: org.name.lower()))

    # --- changing --------------------------------------------------------------------------------------------

    def create_organisation(
        self, actor: Actor, ods_code: str, name: str, kind: OrganisationKind, parent_ods_code: str = ""
    ) -> Organisation:
        """A new organisation (a practice may name its federation); system administrators only."""
        code, parent_code = ods_code.strip().upper(), parent_ods_code.strip().upper()
        _raise_if(_organisation_issues(ods_code, code, name, kind, parent_code))
        with self.units() as uow:
            if not self._is_system(uow, actor):
                raise ForbiddenError("only a system administrator can create organisations")
            parent_id = _parent_id(uow, parent_code) if parent_code else None
            organisation = uow.organisations.add(code, name.strip(), kind, parent_id)
            self._audit(uow, actor, "organisation.created", f"organisation/{organisation.id}", ods_code=code)
            uow.commit()
        return organisation

    def add_member(
        self, actor: Actor, organisation_id: int, email: str, display_name: str, role: Role | None
    ) -> AddedMember:
        """Give someone a role in the organisation, creating their account (with an initial password) if new.
        No role (None: none chosen) is a problem reported with any others."""
        with self.units() as uow:
            organisation = self._administered(uow, actor, organisation_id)
            user = uow.users.by_email(email)
            issues = _account_issues(email, display_name if user is None else user.display_name)
            if role is None:
                raise InvalidInputError([*issues, Issue("membership.role", "choose a role")])
            _raise_if(issues + _role_issues(role, organisation))
            password = None
            entity = f"organisation/{organisation_id}/member"
            if user is None:
                password = self.new_password()
                password_hash = self.passwords.hash(password)
                user = uow.users.add(email.strip(), display_name.strip(), password_hash, password_change_required=True)
                self._audit(uow, actor, "user.created", f"{entity}/{user.id}", email=user.email)
            membership = uow.users.add_membership(user.id, organisation_id, role)
            self._audit(uow, actor, "membership.created", f"{entity}/{user.id}", email=user.email, role=role.value)
            uow.commit()
        return AddedMember(user, membership, password)

    def remove_member(self, actor: Actor, organisation_id: int, user_id: int, role: Role) -> None:
        with self.units() as uow:
            self._administered(uow, actor, organisation_id)
            members = uow.users.members(organisation_id)
            if Membership(user_id, organisation_id, role) not in members:
                raise NotFoundError(f"user {user_id} is not {role.value} of organisation {organisation_id}")
            administrators = [m for m in members if m.role is Role.ADMINISTRATOR]
            if role is Role.ADMINISTRATOR and len(administrators) == 1:
                raise ConflictError("this is the organisation's last administrator: add another one first")
            email = uow.users.get(user_id).email
            uow.users.remove_membership(user_id, organisation_id, role)
            entity = f"organisation/{organisation_id}/member/{user_id}"
            self._audit(uow, actor, "membership.removed", entity, email=email, role=role.value)
            uow.commit()

    def create_user(
        self,
        actor: Actor,
        email: str,
        display_name: str,
        password: str,
        membership: tuple[str, Role] | None = None,
        system_administrator: bool = False,
        password_change_required: bool = True,
    ) -> User:
        """A user with a chosen password, a role in the organisation with an ODS code, or system administration.

        For bootstrapping a deployment (`gainshare admin create-user`): the system actor or a system administrator.
        The user must change the password at their first sign-in unless password_change_required is False (for
        someone creating their own account).
        """
        issues = _account_issues(email, display_name) + password_issues(password, email)
        if membership is None and not system_administrator:
            issues.append(Issue("user.role", "give an organisation and a role, or make them a system administrator"))
        _raise_if(issues)
        password_hash = self.passwords.hash(password)
        with self.units() as uow:
            if not self._is_system(uow, actor):
                raise ForbiddenError("only a system administrator can create users this way")
            organisation = None if membership is None else _by_ods_code(uow, membership[0])
            if organisation is not None and membership is not None:
                _raise_if(_role_issues(membership[1], organisation))
            user = uow.users.add(email.strip(), display_name.strip(), password_hash, password_change_required)
            details = {"email": user.email, "password_change_required": password_change_required}
            self._audit(uow, actor, "user.created", f"user/{user.id}", **details)
            if organisation is not None and membership is not None:
                uow.users.add_membership(user.id, organisation.id, membership[1])
                entity = f"organisation/{organisation.id}/member/{user.id}"
                self._audit(uow, actor, "membership.created", entity, email=user.email, role=membership[1].value)
            if system_administrator:
                uow.users.add_system_administrator(user.id, self.clock())
                self._audit(uow, actor, "system_administrator.granted", f"user/{user.id}", email=user.email)
            uow.commit()
        return user

    # --- helpers ---------------------------------------------------------------------------------------------

    def _is_system(self, uow: UnitOfWork, actor: Actor) -> bool:
        return actor.user_id is None or uow.users.is_system_administrator(actor.user_id)

    def _administered(self, uow: UnitOfWork, actor: Actor, organisation_id: int) -> Organisation:
        organisation = uow.organisations.get(organisation_id)
        if self._is_system(uow, actor):
            return organisation
        if Role.ADMINISTRATOR not in access.access(uow, actor).roles.get(organisation_id, frozenset()):
            raise ForbiddenError(f"you do not administer organisation {organisation_id}")
        return organisation

    def _audit(self, uow: UnitOfWork, actor: Actor, action: str, entity: str, **details: Any) -> None:
        uow.audit.append(actor.user_id, self.clock(), action, entity, details)


def _raise_if(issues: list[Issue]) -> None:
    if issues:
        raise InvalidInputError(issues)


def _by_ods_code(uow: UnitOfWork, ods_code: str) -> Organisation:
    found = uow.organisations.by_ods_code(ods_code.strip().upper())
    if found is None:
        raise InvalidInputError([Issue("membership.organisation", f"no organisation has the ODS code {ods_code!r}")])
    return found


def _parent_id(uow: UnitOfWork, parent_code: str) -> int:
    parent = _by_ods_code(uow, parent_code)
    if parent.kind is not OrganisationKind.FEDERATION:
        raise InvalidInputError([Issue("organisation.parent", f"{parent.name} ({parent_code}) is not a federation")])
    return parent.id


def _organisation_issues(given: str, code: str, name: str, kind: OrganisationKind, parent_code: str) -> list[Issue]:
    issues: list[Issue] = []
    if not is_ods_code(code):
        issues.append(Issue("organisation.ods_code", f"{given.strip()!r} is not an ODS organisation code"))
    if not name.strip():
        issues.append(Issue("organisation.name", "enter the organisation's name"))
    elif len(name.strip()) > MAX_NAME_LENGTH:
        issues.append(Issue("organisation.name", f"a name has at most {MAX_NAME_LENGTH} characters"))
    if parent_code and kind is not OrganisationKind.PRACTICE:
        issues.append(Issue("organisation.parent", "only a practice belongs to a federation"))
    return issues


def _account_issues(email: str, display_name: str) -> list[Issue]:
    issues: list[Issue] = []
    address = email.strip()
    if "@" not in address or " " in address or len(address) > 320:
        issues.append(Issue("user.email", f"{email!r} is not an email address"))
    if not display_name.strip():
        issues.append(Issue("user.display_name", "enter the person's name"))
    elif len(display_name.strip()) > MAX_NAME_LENGTH:
        issues.append(Issue("user.display_name", f"a name has at most {MAX_NAME_LENGTH} characters"))
    return issues


def _role_issues(role: Role, organisation: Organisation) -> list[Issue]:
    if organisation.kind in ROLE_KINDS[role]:
        return []
    message = f"the role {role.value} does not exist in a {organisation.kind.value} organisation"
    return [Issue("membership.role", message)]
