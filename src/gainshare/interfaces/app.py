"""The web app factory: the JSON API (/api), the server-rendered pages when present, security middleware.

    app = create_app(Settings())             # wires the SQL workspace from the settings (migrating it)
    app = create_app(settings, workspace)    # or with a workspace built elsewhere (tests, `demo run`)
    uvicorn "gainshare.interfaces.app:app_from_environment" --factory   # each worker: settings from GAINSHARE_*

Middleware, outermost first: security headers -> signed-cookie sessions -> CSRF check (every POST, PUT, PATCH
and DELETE; header X-CSRF-Token or form field csrf_token) -> routes.

The pages: when the module `gainshare.interfaces.web.routes` exists, it is imported; if it has
`install(app: FastAPI) -> None` that is called (to mount static files and include routers), else its `router`
(an APIRouter) is included. Its pages reuse gainshare.interfaces.security (sessions, csrf_token, throttle).
HTML errors: set `app.state.html_errors` to an async `(request, exception) -> Response`; it answers errors on paths
outside /api (the API always answers the JSON envelope).
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from gainshare import __version__
from gainshare.bootstrap import Workspace, build_workspace
from gainshare.config import Settings
from gainshare.interfaces.api.errors import install_error_handlers
from gainshare.interfaces.api.oidc_routes import install_oidc
from gainshare.interfaces.api.routes import router as api_router
from gainshare.interfaces.security.csrf import CSRFMiddleware
from gainshare.interfaces.security.headers import SecurityHeadersMiddleware
from gainshare.interfaces.security.sessions import install_sessions
from gainshare.interfaces.security.throttle import LoginThrottle, ThrottleLimits

log = logging.getLogger("gainshare.app")
WEB_PACKAGE = "gainshare.interfaces.web"
WEB_ROUTES = f"{WEB_PACKAGE}.routes"
OPENAPI_URL = "/api/openapi.json"

DESCRIPTION = """Gain share agreements between an NHS commissioner (ICB) and a GP federation: agreement versions
from draft to signed, monthly figures, settlements posted once to a balanced ledger, and an audit trail.

Sign in with `POST /api/auth/login` (after `GET /api/auth/csrf`); the session is a signed HTTP-only cookie.
Every POST needs the session's CSRF token in the `X-CSRF-Token` header. Money is integer pence (`*_pence`).
A user whose password an administrator chose changes it first (`POST /api/account/password`); until then the
other routes answer 403 `password_change_required`.
Errors: `{"error": {"code", "message", "issues": [{"code", "message", "file", "row", "column", "clause"}]}}`.
"""


def app_from_environment() -> FastAPI:
    """The app from GAINSHARE_* settings, for uvicorn's worker processes (`--factory`): the parent process (`gainshare
    serve`) has migrated the database and made the development secret already, so a worker only opens them."""
    return create_app(Settings(), migrate=False)


def create_app(settings: Settings, workspace: Workspace | None = None, *, migrate: bool = True) -> FastAPI:
    """The ASGI app. ConfigurationError (before anything is opened) when the settings cannot run it."""
    secret, secret_file = settings.signing_secret()
    if secret_file is not None:
        log.warning("development mode: sessions are signed with the secret in %s (one per data folder)", secret_file)
    owned = workspace is None
    ready = workspace or build_workspace(settings.resolved_database_url(), settings.data_folder, migrate=migrate)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if owned:
            ready.close()

    app = FastAPI(
        title="gainshare",
        version=__version__,
        description=DESCRIPTION,
        openapi_url=OPENAPI_URL,
        docs_url=None,  # the Swagger page loads scripts from a CDN, which the CSP forbids
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.workspace = ready
    app.state.throttle = LoginThrottle(
        ThrottleLimits(
            per_account=settings.login_max_failures_per_account,
            per_client=settings.login_max_failures_per_client,
            window_seconds=settings.login_window_seconds,
            max_keys=settings.login_tracked_keys,
        )
    )
    app.state.html_errors = None
    install_error_handlers(app)
    app.include_router(api_router)
    install_oidc(app, settings)  # /auth/oidc/* only when OpenID Connect is configured
    _install_pages(app)
    app.add_middleware(CSRFMiddleware, max_body_bytes=settings.max_upload_bytes)
    install_sessions(app, settings, secret)
    app.add_middleware(SecurityHeadersMiddleware, production=settings.production)
    return app


def _install_pages(app: FastAPI) -> None:
    if importlib.util.find_spec(WEB_PACKAGE) is None or importlib.util.find_spec(WEB_ROUTES) is None:
        return
    module = importlib.import_module(WEB_ROUTES)
    install = getattr(module, "install", None)
    if callable(install):
        install(app)
    else:
        app.include_router(module.router)
