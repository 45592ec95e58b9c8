"""The "Change your password" page. Someone whose password an administrator chose is sent here from every other
page until they change it. The rules live in AccountService; this page adds the confirmation field, counts a
wrong current password like a failed sign-in (change_own_password), and rotates the session after a change."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request, Response

from gainshare.domain.errors import InvalidInputError
from gainshare.interfaces.api.account_routes import Accounts, TooManyAttempts, change_own_password, session_token
from gainshare.interfaces.web.deps import AccountActor, Service, Throttle
from gainshare.interfaces.web.pages import PASSWORD_PAGE, PageRoute, redirect, render, safe_next
from gainshare.services.accounts import CURRENT_PASSWORD, NEW_PASSWORD
from gainshare.services.password_policy import MIN_PASSWORD_LENGTH
from gainshare.services.ports import User

router = APIRouter(route_class=PageRoute)
CURRENT, NEW, CONFIRM = "current-password", "new-password", "confirm-password"  # the fields' ids
FIELD_OF_ISSUE = {CURRENT_PASSWORD: CURRENT, NEW_PASSWORD: NEW}


@router.get(PASSWORD_PAGE)
def password_page(request: Request, actor: AccountActor, service: Service, next: str = "/", done: str = "") -> Response:
    user, _ = service.profile(actor)
    session_token(request, user)  # another session changed it meanwhile: nothing is required of this one now
    return _page(request, user, {}, safe_next(next), changed=done == "changed")


@router.post(PASSWORD_PAGE)
def password_submit(
    request: Request,
    actor: AccountActor,
    service: Service,
    accounts: Accounts,
    throttle: Throttle,
    current_password: Annotated[str, Form()] = "",
    new_password: Annotated[str, Form()] = "",
    confirm_password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    user, _ = service.profile(actor)
    target = safe_next(next)
    errors = _form_errors(current_password, new_password, confirm_password)
    if not errors:
        try:
            change_own_password(request, accounts, throttle, user, current_password, new_password)
        except TooManyAttempts as error:
            errors = {CURRENT: f"Too many wrong passwords: try again in {error.wait} seconds"}
        except InvalidInputError as error:
            errors = {FIELD_OF_ISSUE.get(i.code, CURRENT): _sentence(i.message) for i in error.issues}
        else:
            return redirect(f"{PASSWORD_PAGE}?done=changed&next={quote(target)}")
    return _page(request, user, errors, target, status_code=422)


def _form_errors(current: str, new: str, confirm: str) -> dict[str, str]:
    """What the form itself checks before the service is asked: every field filled in, the new password twice."""
    errors: dict[str, str] = {}
    if not current:
        errors[CURRENT] = "Enter your current password"
    if not new:
        errors[NEW] = "Enter a new password"
    if not confirm:
        errors[CONFIRM] = "Enter the new password again"
    elif new and confirm != new:
        errors[CONFIRM] = "Enter the same new password twice"
    return errors


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:]


def _page(
    request: Request,
    user: User,
    errors: dict[str, str],
    target: str,
    *,
    changed: bool = False,
    status_code: int = 200,
) -> Response:
    context = {
        "user": user,
        "errors": errors,
        "next": target,
        "changed": changed and not errors,
        "min_length": MIN_PASSWORD_LENGTH,
    }
    return render(request, "account/password.html", context, status_code)
