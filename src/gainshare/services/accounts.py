"""A person's own account: changing their password.

Who may do what: a signed-in user changes their own password, and nobody else's (there is no user id to name);
the system actor has no password to change.

change_password checks the current password, then the password policy (services/password_policy.py) for the new
one, which must also differ from the current one; it stores the new Argon2 hash, clears password_change_required
(set when an administrator chose the password) and writes the audit entry `user.password_changed` (entity
user/<id>; its details hold no password material) in one unit of work. The Argon2 work is done before that unit
of work starts, so it holds the write lock only briefly; a password changed meanwhile (another session) is a
ConflictError and changes nothing.

A wrong current password is an InvalidInputError with the issue code CURRENT_PASSWORD, never a server error: the
interfaces count it like a failed sign-in (the login throttle), so it cannot be guessed faster that way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from gainshare.domain.errors import ConflictError, ForbiddenError, InvalidInputError
from gainshare.domain.issues import Issue
from gainshare.services.password_policy import password_issues
from gainshare.services.ports import PasswordHasher, UnitsOfWork, User
from gainshare.services.workspace import Actor

CURRENT_PASSWORD = "password.current"
NEW_PASSWORD = "password.new"
CHANGED = "user.password_changed"


@dataclass(frozen=True)
class AccountService:
    units: UnitsOfWork
    passwords: PasswordHasher
    clock: Callable[[], datetime]

    def change_password(self, actor: Actor, current_password: str, new_password: str) -> User:
        """The user with their new password (InvalidInputError naming the field otherwise)."""
        user_id = _own_account(actor)
        with self.units.read() as uow:
            user = uow.users.get(user_id)
        issues = self._issues(user, current_password, new_password)
        if issues:
            raise InvalidInputError(issues)
        password_hash = self.passwords.hash(new_password)
        with self.units() as uow:
            if uow.users.get(user_id).password_hash != user.password_hash:
                raise ConflictError("your password was changed meanwhile: sign in again with the new one")
            changed = uow.users.set_password(user_id, password_hash, change_required=False)
            details = {"email": user.email, "was_required": user.password_change_required}
            uow.audit.append(user_id, self.clock(), CHANGED, f"user/{user_id}", details)
            uow.commit()
        return changed

    def _issues(self, user: User, current_password: str, new_password: str) -> list[Issue]:
        if not self.passwords.verify(user.password_hash, current_password):
            return [Issue(CURRENT_PASSWORD, "the current password is not right")]
        if new_password == current_password:
            return [Issue(NEW_PASSWORD, "choose a password different from your current one")]
        return password_issues(new_password, user.email, NEW_PASSWORD)


def _own_account(actor: Actor) -> int:
    if actor.user_id is None:
        raise ForbiddenError("only a signed-in user changes their password")
    return actor.user_id
