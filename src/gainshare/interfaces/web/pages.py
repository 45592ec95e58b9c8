"""Rendering pages: the Jinja environment (NHS.UK frontend macros + our templates), and one place where errors
raised by the services become pages (sign-in redirect, password change redirect, not found, conflict, invalid
input).

Route handlers in this package use `PageRoute`, so a service error never reaches the API's JSON handlers.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from jinja2 import ChainableUndefined, ChoiceLoader, Environment, FileSystemLoader, PackageLoader, select_autoescape

from gainshare.domain.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from gainshare.domain.money import Money
from gainshare.interfaces.security.csrf import csrf_token
from gainshare.interfaces.security.sessions import current_user_id, password_change_required

TEMPLATES = Path(__file__).parent / "templates"
SERVICE_NAME = "Gain share workspace"
PASSWORD_PAGE = "/account/password"


class SignInRequired(Exception):
    """Raised by page dependencies when nobody is signed in: the page route redirects to the sign-in page."""


class PasswordChangeRequired(Exception):
    """Raised by page dependencies while the user must change the password an administrator chose: the page
    route redirects to the password page."""


KNOWN_ERRORS = (SignInRequired, PasswordChangeRequired, ForbiddenError, NotFoundError, ConflictError, InvalidInputError)


@cache
def environment() -> Environment:
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(TEMPLATES), PackageLoader("nhsuk_frontend_jinja")]),
        autoescape=select_autoescape(["html", "jinja"]),
        undefined=ChainableUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates ship with the package; a changed template needs a restart
    )
    env.filters["money"] = _money
    env.filters["when"] = _when
    return env


def _money(value: Money | None) -> str:
    return "" if value is None else value.format()


def _when(value: Any) -> str:
    return value.strftime("%d %b %Y %H:%M UTC") if value is not None else ""


def render(request: Request, template: str, context: Mapping[str, Any], status_code: int = 200) -> HTMLResponse:
    """A full page: the template with the common context (service name, signed-in flag, CSRF token)."""
    common = {
        "request": request,
        "service_name": SERVICE_NAME,
        "signed_in": current_user_id(request) is not None,
        "password_change_required": password_change_required(request),
        "csrf_token": csrf_token(request),
        "path": request.url.path,
    }
    html = environment().get_template(template).render({**common, **context})
    return HTMLResponse(html, status_code=status_code, headers={"Cache-Control": "no-store"})


def safe_next(target: str | None) -> str:
    """Only a path on this site (no //host or scheme), so a `next` parameter cannot redirect elsewhere."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def redirect(url: str) -> RedirectResponse:
    """After a successful POST: see the result with a GET (303)."""
    return RedirectResponse(url, status_code=303)


def _error_page(request: Request, status: int, title: str, message: str) -> HTMLResponse:
    return render(request, "error.html", {"title": title, "message": message}, status_code=status)


def page_for_error(request: Request, error: Exception) -> Response:
    """The page for an error a handler did not deal with itself; re-raises anything unexpected."""
    if isinstance(error, (SignInRequired, PasswordChangeRequired)):
        page = "/sign-in" if isinstance(error, SignInRequired) else PASSWORD_PAGE
        return redirect(f"{page}?next={quote(request.url.path)}")
    if isinstance(error, (ForbiddenError, NotFoundError)) and request.method in {"GET", "HEAD"}:
        return _error_page(request, 404, "Page not found", "It does not exist, or it is not shared with you.")
    if isinstance(error, ForbiddenError):
        return _error_page(request, 403, "You cannot do this", str(error))
    if isinstance(error, NotFoundError):
        return _error_page(request, 404, "Page not found", str(error))
    if isinstance(error, ConflictError):
        return _error_page(request, 409, "Someone changed this first", str(error))
    if isinstance(error, InvalidInputError):
        return _error_page(request, 422, "There is a problem", "; ".join(i.render() for i in error.issues))
    raise error


class PageRoute(APIRoute):
    """An APIRoute whose service errors become pages (and a missing sign-in a redirect)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except KNOWN_ERRORS as error:
                return page_for_error(request, error)

        return handle
