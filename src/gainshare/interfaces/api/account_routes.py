"""The signed-in user's own account: changing their password (also used by the web page).

A wrong current password counts as a failed sign-in for the account and the client address (the login throttle),
so the change form cannot be used to guess passwords faster than the sign-in form; past the limit the answer is
429 until the window has passed. A change rotates the session: a new cookie and a new CSRF token.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from gainshare.domain.errors import InvalidInputError
from gainshare.interfaces.api.deps import AccountHolder, Service, Throttle, client_address, workspace
from gainshare.interfaces.api.errors import ERROR_RESPONSES, ApiError
from gainshare.interfaces.api.models import MeOut, PasswordChangeIn
from gainshare.interfaces.security.csrf import csrf_token
from gainshare.interfaces.security.sessions import password_change_required, rotate
from gainshare.interfaces.security.throttle import LoginThrottle
from gainshare.services.accounts import CURRENT_PASSWORD, AccountService
from gainshare.services.ports import User
from gainshare.services.workspace import Actor

router = APIRouter(prefix="/account", tags=["account"], responses=ERROR_RESPONSES)


def account_service(request: Request) -> AccountService:
    return workspace(request).accounts


Accounts = Annotated[AccountService, Depends(account_service)]


class TooManyAttempts(Exception):
    """Too many wrong passwords for the account or from the address: try again in `wait` seconds."""

    def __init__(self, wait: int) -> None:
        super().__init__(f"too many wrong passwords: try again in {wait} seconds")
        self.wait = wait


def change_own_password(
    request: Request, accounts: AccountService, throttle: LoginThrottle, user: User, current: str, new: str
) -> str:
    """Change the user's password (counting a wrong current one like a failed sign-in) and rotate the session;
    the new CSRF token. InvalidInputError naming the field, or TooManyAttempts."""
    client = client_address(request)
    wait = throttle.retry_after(user.email, client)
    if wait:
        raise TooManyAttempts(wait)
    try:
        accounts.change_password(Actor.user(user.id), current, new)
    except InvalidInputError as error:
        if any(issue.code == CURRENT_PASSWORD for issue in error.issues):
            throttle.failed(user.email, client)
        raise
    throttle.succeeded(user.email)
    return rotate(request)


def session_token(request: Request, user: User) -> str:
    """The session's CSRF token, once a mark to change the password that another session has since changed is
    dropped (by rotating the session)."""
    if password_change_required(request) and not user.password_change_required:
        return rotate(request)
    return csrf_token(request)


@router.post(
    "/password",
    summary="Change your password",
    responses={429: {"description": "Too many wrong current passwords for this account or address; see Retry-After."}},
)
def change_password(
    body: PasswordChangeIn,
    request: Request,
    actor: AccountHolder,
    service: Service,
    accounts: Accounts,
    throttle: Throttle,
) -> MeOut:
    """Checks `current_password`, then the policy for `new_password` (at least 12 characters, not the email
    address, different from the current password): a problem is a 422 naming `password.current` or
    `password.new`. A wrong current password counts as a failed sign-in. On success the user no longer has to
    change their password, the change is audited (`user.password_changed`), and the session is rotated: use the
    new cookie and the `csrf_token` in the answer from now on. Allowed while the password must be changed; a user
    only ever changes their own password."""
    user, _ = service.profile(actor)
    try:
        token = change_own_password(request, accounts, throttle, user, body.current_password, body.new_password)
    except TooManyAttempts as error:
        raise ApiError(429, "throttled", str(error), {"Retry-After": str(error.wait)}) from None
    found, memberships = service.profile(actor)
    return MeOut.of(found, memberships, token)
