"""Sessions in signed cookies (itsdangerous, through Starlette's SessionMiddleware): HTTP-only, SameSite=Lax,
Secure in production, ending a fixed time after sign-in.

The cookie holds only the user id, the time of sign-in and the CSRF token; it is signed, not encrypted, so it
holds nothing secret. Signing in replaces the whole session (no fixation); signing out clears it.
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


def sign_in(request: Request, user_id: int) -> str:
    """Start a fresh session for the user (dropping anything the anonymous session held); the new CSRF token."""
    request.session.clear()
    request.session[USER_KEY] = user_id
    request.session[SIGNED_IN_AT_KEY] = int(time.time())
    token = secrets.token_urlsafe(32)
    request.session[CSRF_KEY] = token
    return token


def sign_out(request: Request) -> None:
    request.session.clear()
