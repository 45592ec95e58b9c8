"""Sign in with the organisation's identity provider (OpenID Connect), when configured: off by default.

    GET /auth/oidc/login?next=/path   -> 302 to the provider (Authorization Code flow with PKCE)
    GET /auth/oidc/callback           -> the provider's answer: signed in (303 to next) or a page saying why not

`install_oidc(app, settings)` adds the routes only when GAINSHARE_OIDC_ISSUER, _CLIENT_ID and _CLIENT_SECRET are
set (otherwise both paths answer 404) and sets `app.state.oidc` (None when off; the sign-in page shows its button
when it is set). A verified identity becomes the same signed session as a password sign-in (sessions.sign_in: a
fresh session and CSRF token). Every outcome of a callback is audited (services/external_sign_in.py); failed
callbacks count towards the login throttle per client address, and past its limit the callback answers 429.
"""

from __future__ import annotations

import html
import logging
from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, FastAPI, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from gainshare.config import ConfigurationError, Settings
from gainshare.interfaces.api.deps import Throttle, client_address
from gainshare.interfaces.security.sessions import sign_in
from gainshare.services.external_sign_in import ExternalSignInRefused, ExternalSignInService

if TYPE_CHECKING:  # authlib (the `oidc` extra) is imported only when OIDC is configured
    from gainshare.interfaces.security.oidc import OidcClient

log = logging.getLogger("gainshare.oidc")
router = APIRouter(prefix="/auth/oidc", tags=["auth"], include_in_schema=False)
NEXT_KEY = "oidc_next"  # where to go after signing in, kept in the session between login and callback
REFUSED_TITLE = "You could not be signed in"
UPSTREAM_REASONS = frozenset({"provider_unreachable", "issuer_mismatch"})  # the provider's fault: 502


def install_oidc(app: FastAPI, settings: Settings) -> None:
    """Add the routes when OIDC is configured (after app.state.workspace is set); app.state.oidc either way."""
    app.state.oidc = None
    if not settings.oidc.enabled:
        return
    try:
        from gainshare.interfaces.security.oidc import OidcClient  # noqa: PLC0415
    except ImportError as error:
        raise ConfigurationError("OpenID Connect sign-in needs authlib: pip install 'gainshare[oidc]'") from error
    service = app.state.workspace.service
    app.state.oidc = OidcClient(settings.oidc)
    app.state.oidc_sign_in = ExternalSignInService(service.units, service.passwords, service.clock)
    app.include_router(router)


@router.get("/login", name="oidc_login")
async def oidc_login(request: Request, target: Annotated[str, Query(alias="next")] = "/") -> Response:
    """Start signing in at the provider; `next` (a path on this site) is where the callback goes afterwards."""
    client = _client(request)
    request.session[NEXT_KEY] = safe_next(target)
    redirect_uri = client.redirect_url or str(request.url_for("oidc_callback"))
    try:
        return await client.start(request, redirect_uri)
    except ExternalSignInRefused as failure:
        log.warning("OIDC sign-in could not start: %s", failure.message)
        return refused_page(request, _status(failure), failure.message)


@router.get("/callback", name="oidc_callback")
async def oidc_callback(request: Request, throttle: Throttle) -> Response:
    """The provider's redirect back: check state, exchange the code, verify the ID token, sign the user in."""
    client = _client(request)
    service: ExternalSignInService = request.app.state.oidc_sign_in
    address = client_address(request)
    account = f"oidc:{address}"
    wait = throttle.retry_after(account, address)
    if wait:
        message = f"Too many failed sign-ins from this address: try again in {wait} seconds."
        return refused_page(request, 429, message, {"Retry-After": str(wait)})
    try:
        identity = await client.identity(request)
    except ExternalSignInRefused as failure:
        await run_in_threadpool(service.refuse, failure.reason, failure.message, issuer=client.issuer)
        if failure.reason not in UPSTREAM_REASONS:  # a provider outage is nobody's failed attempt
            throttle.failed(account, address)
        return refused_page(request, _status(failure), failure.message)
    try:
        user = await run_in_threadpool(service.sign_in, identity, client.policy)
    except ExternalSignInRefused as refusal:  # audited by the service
        throttle.failed(account, address)
        return refused_page(request, 403, refusal.message)
    throttle.succeeded(account)
    target = safe_next(request.session.get(NEXT_KEY))
    sign_in(request, user.id)  # a fresh session and CSRF token: nothing from before the sign-in survives
    return RedirectResponse(target, status_code=303)


def safe_next(target: object) -> str:
    """Only a path on this site (no //host, scheme or backslash), so signing in cannot redirect elsewhere."""
    if isinstance(target, str) and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def refused_page(request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """The pages' error page when the pages are installed, else a plain one; never cached."""
    try:
        from gainshare.interfaces.web.pages import render  # noqa: PLC0415  (the pages are optional in the app)
    except ImportError:
        body = (
            f"<!DOCTYPE html><html lang='en'><title>{REFUSED_TITLE}</title><h1>{REFUSED_TITLE}</h1>"
            f"<p>{html.escape(message)}</p><p><a href='/'>Go back</a></p></html>"
        )
        response: Response = HTMLResponse(body, status_code=status, headers={"Cache-Control": "no-store"})
    else:
        response = render(request, "error.html", {"title": REFUSED_TITLE, "message": message}, status_code=status)
    response.headers.update(headers or {})
    return response


def _status(failure: ExternalSignInRefused) -> int:
    return 502 if failure.reason in UPSTREAM_REASONS else 400


def _client(request: Request) -> OidcClient:
    client: OidcClient = request.app.state.oidc
    return client
