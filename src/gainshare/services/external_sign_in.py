"""Sign-in through an organisation's identity provider (OpenID Connect): who a verified identity is here.

The interface verifies the provider's ID token (signature, issuer, audience, expiry, nonce) and hands over the
identity it names; this service decides whether that identity signs in, and audits the decision either way in its
own transaction:

- the email must be verified by the provider, and in one of the allowed domains when any are configured;
- it signs in the existing user with that email (emails match ignoring case);
- with no such user, it is refused (nothing is created) unless the policy creates users: then a user is created
  with no memberships (an administrator grants roles) and an unusable password (a random one nobody knows).

Audit actions: auth.oidc.signed_in (actor: the user), auth.oidc.refused (actor: the system, with the reason),
user.created (actor: the system, via oidc).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from gainshare.domain.errors import GainshareError
from gainshare.services.ports import PasswordHasher, UnitOfWork, User

ENTITY = "auth/oidc"


@dataclass(frozen=True, slots=True)
class ExternalIdentity:
    """What a verified ID token says about the person signing in."""

    issuer: str
    subject: str
    email: str
    email_verified: bool
    display_name: str = ""


@dataclass(frozen=True, slots=True)
class ExternalSignInPolicy:
    allowed_email_domains: frozenset[str] = field(default_factory=frozenset)  # empty: any domain
    create_users: bool = False


class ExternalSignInRefused(GainshareError):
    """The identity does not sign in here: `reason` is a short code (audited), the message a sentence for people."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class ExternalSignInService:
    units: Callable[[], UnitOfWork]
    passwords: PasswordHasher
    clock: Callable[[], datetime]

    def sign_in(self, identity: ExternalIdentity, policy: ExternalSignInPolicy) -> User:
        """The user this identity signs in as (audited), or ExternalSignInRefused (audited)."""
        email = identity.email.strip()
        refusal = _refusal(identity, email, policy)
        if refusal is not None:
            raise self.refuse(refusal.reason, refusal.message, issuer=identity.issuer, email=email or None)
        with self.units() as uow:
            user = uow.users.by_email(email)
            if user is None and policy.create_users:
                name = identity.display_name.strip() or email
                user = uow.users.add(email, name, self.passwords.hash(secrets.token_urlsafe(32)))
                self._audit(uow, None, "user.created", f"user/{user.id}", email=user.email, via="oidc")
            if user is not None:
                details = {"issuer": identity.issuer, "subject": identity.subject, "email": user.email}
                self._audit(uow, user.id, "auth.oidc.signed_in", f"user/{user.id}", **details)
                uow.commit()
                return user
        message = f"There is no account for {email} in this workspace: ask your organisation's administrator for one."
        raise self.refuse("unknown_user", message, issuer=identity.issuer, email=email)

    def refuse(self, reason: str, message: str, **details: Any) -> ExternalSignInRefused:
        """Audit a refused sign-in (committed) and return the error to raise."""
        with self.units() as uow:
            self._audit(uow, None, "auth.oidc.refused", ENTITY, reason=reason, **details)
            uow.commit()
        return ExternalSignInRefused(reason, message)

    def _audit(self, uow: UnitOfWork, actor_id: int | None, action: str, entity: str, **details: Any) -> None:
        uow.audit.append(actor_id, self.clock(), action, entity, details)


def _refusal(identity: ExternalIdentity, email: str, policy: ExternalSignInPolicy) -> ExternalSignInRefused | None:
    if "@" not in email or any(character.isspace() for character in email):
        return ExternalSignInRefused("no_email", "Your organisation's account did not share an email address.")
    if not identity.email_verified:
        message = f"Your organisation's account has not verified the email address {email}."
        return ExternalSignInRefused("email_not_verified", message)
    domain = email.rsplit("@", 1)[1].casefold()
    if policy.allowed_email_domains and domain not in policy.allowed_email_domains:
        message = f"Accounts at {domain} cannot sign in to this workspace with their organisation's account."
        return ExternalSignInRefused("domain_not_allowed", message)
    return None
