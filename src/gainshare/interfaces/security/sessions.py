"""Sessions in signed cookies (itsdangerous, through Starlette's SessionMiddleware): HTTP-only, SameSite=Lax,
Secure in production, ending a fixed time after sign-in.

The cookie holds only the user id, the time of sign-in, the CSRF token and, for a user whose password an
administrator chose, a mark that they must change it before anything else; it is signed, not encrypted, so it
holds nothing secret. Signing in replaces the whole session (no fixation), and so does changing the password
(rotate: same user and sign-in time, a new CSRF token, no mark); signing out clears it.
"""

from __future__ import annotations

import secrets
import time

from fastapi import FastAPI, Request
from starlette.middleware.sessions import SessionMiddleware

from gainshare.config import Settings

USER_KEY = "uid"
SIGNED_IN_AT_KEY = "at"
CSRF_KEY = "csrf"
PASSWORD_CHANGE_KEY = "pwc"


def install_sessions(app: FastAPI, settings: Settings, secret: str) -> None:
    """Add the session middleware. Call it after the CSRF middleware, so that sessions wrap (run before) CSRF."""
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret,
        session_cookie=settings.session_cookie,
        max_age=settings.session_max_age_seconds,
        same_site="lax",
        https_only=settings.secure_cookies,
        path="/",
    )


def current_user_id(request: Request) -> int | None:
    """The signed-in user's id, or None."""
    value = request.session.get(USER_KEY)
    return value if isinstance(value, int) else None


def sign_in(request: Request, user_id: int, *, password_change_required: bool = False) -> str:
    """Start a fresh session for the user (dropping anything the anonymous session held); the new CSRF token.
    With password_change_required the session serves nothing but changing the password until rotate()."""
    return _fresh(request, user_id, int(time.time()), password_change_required)


def rotate(request: Request) -> str:
    """After a password change: a fresh session for the same user and sign-in time, without the mark; the new
    CSRF token. The old cookie's contents are no longer what the browser holds."""
    user_id = current_user_id(request)
    if user_id is None:
        raise RuntimeError("rotate() needs a signed-in session")
    signed_in_at = request.session.get(SIGNED_IN_AT_KEY)
    return _fresh(request, user_id, signed_in_at if isinstance(signed_in_at, int) else int(time.time()), False)


def password_change_required(request: Request) -> bool:
    """Whether the signed-in user must change their password before anything else."""
    return request.session.get(PASSWORD_CHANGE_KEY) is True


def _fresh(request: Request, user_id: int, signed_in_at: int, password_change: bool) -> str:
    request.session.clear()
    request.session[USER_KEY] = user_id
    request.session[SIGNED_IN_AT_KEY] = signed_in_at
    if password_change:
        request.session[PASSWORD_CHANGE_KEY] = True
    token = secrets.token_urlsafe(32)
    request.session[CSRF_KEY] = token
    return token


def sign_out(request: Request) -> None:
    request.session.clear()
