"""Sign in, sign out, who am I, and the CSRF token."""

from __future__ import annotations

from fastapi import APIRouter, Request

from gainshare.interfaces.api.account_routes import session_token
from gainshare.interfaces.api.deps import AccountHolder, Service, Throttle, client_address
from gainshare.interfaces.api.errors import ERROR_RESPONSES, ApiError
from gainshare.interfaces.api.models import CsrfOut, LoginIn, MeOut
from gainshare.interfaces.security.csrf import csrf_token
from gainshare.interfaces.security.sessions import sign_in, sign_out
from gainshare.services.workspace import Actor

router = APIRouter(prefix="/auth", tags=["auth"], responses=ERROR_RESPONSES)


@router.get("/csrf", summary="Get the session's CSRF token")
def get_csrf(request: Request) -> CsrfOut:
    """Starts an anonymous session if there is none. Send the token as X-CSRF-Token on every POST, login
    included."""
    return CsrfOut(csrf_token=csrf_token(request))


@router.post(
    "/login",
    summary="Sign in with email and password",
    responses={429: {"description": "Too many failed sign-ins for this account or address; see Retry-After."}},
)
def login(body: LoginIn, request: Request, service: Service, throttle: Throttle) -> MeOut:
    """Starts a fresh session (a new session cookie and a new CSRF token). Failed attempts are counted per
    account and per client address; past the limit the answer is 429 until the window has passed. When an
    administrator chose the password (`password_change_required` in the answer), every route but this one, `me`,
    `logout` and `POST /api/account/password` answers 403 `password_change_required` until it is changed."""
    client = client_address(request)
    wait = throttle.retry_after(body.email, client)
    if wait:
        raise ApiError(
            429, "throttled", f"too many failed sign-ins: try again in {wait} seconds", {"Retry-After": str(wait)}
        )
    user = service.authenticate(body.email, body.password)
    if user is None:
        throttle.failed(body.email, client)
        raise ApiError(401, "bad_credentials", "that email and password do not match a user")
    throttle.succeeded(body.email)
    token = sign_in(request, user.id, password_change_required=user.password_change_required)
    found, memberships = service.profile(Actor.user(user.id))
    return MeOut.of(found, memberships, token)


@router.post("/logout", summary="Sign out", status_code=204)
def logout(request: Request) -> None:
    """Ends the session (the cookie is cleared)."""
    sign_out(request)


@router.get("/me", summary="The signed-in user")
def me(request: Request, actor: AccountHolder, service: Service) -> MeOut:
    """The user, their roles by organisation, whether they must change their password first, and the session's
    CSRF token."""
    user, memberships = service.profile(actor)
    return MeOut.of(user, memberships, session_token(request, user))
