"""The pages' router: sign-in, home, and the agreement and figures pages; `install(app)` adds it with its static
files and the HTML error pages for paths outside /api."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, FastAPI, Form, Request, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from gainshare.interfaces.api.deps import client_address
from gainshare.interfaces.security.sessions import current_user_id, sign_in, sign_out
from gainshare.interfaces.web.account_routes import router as account_router
from gainshare.interfaces.web.admin_routes import router as admin_router
from gainshare.interfaces.web.agreement_pages import router as agreement_router
from gainshare.interfaces.web.audit_routes import router as audit_router
from gainshare.interfaces.web.deps import PageActor, Service, Throttle
from gainshare.interfaces.web.discover_routes import router as discover_router
from gainshare.interfaces.web.figures_pages import router as figures_router
from gainshare.interfaces.web.hubs_routes import router as hubs_router
from gainshare.interfaces.web.incentives_routes import router as incentives_router
from gainshare.interfaces.web.landscape_routes import router as landscape_router
from gainshare.interfaces.web.monitoring_routes import inbox
from gainshare.interfaces.web.monitoring_routes import router as monitoring_router
from gainshare.interfaces.web.negotiate_routes import router as negotiate_router
from gainshare.interfaces.web.new_agreement_routes import router as new_agreement_router
from gainshare.interfaces.web.pages import KNOWN_ERRORS, PageRoute, page_for_error, redirect, render, safe_next
from gainshare.interfaces.web.static_files import mount_static
from gainshare.interfaces.web.views import ROLE_NAMES, agreement_rows, alerts
from gainshare.interfaces.web.yearend_routes import router as yearend_router

log = logging.getLogger("gainshare.web")
router = APIRouter(route_class=PageRoute, include_in_schema=False)
router.include_router(new_agreement_router)  # before /agreements/{agreement_id}
router.include_router(agreement_router)
router.include_router(account_router)
router.include_router(admin_router)
router.include_router(audit_router)
router.include_router(figures_router)
router.include_router(discover_router)
router.include_router(hubs_router)
router.include_router(incentives_router)
router.include_router(landscape_router)
router.include_router(negotiate_router)
router.include_router(monitoring_router)
router.include_router(yearend_router)


def install(app: FastAPI) -> None:
    """Static files, the pages, and HTML error pages (the app factory calls this)."""
    mount_static(app, app.state.settings)
    app.include_router(router)
    app.state.html_errors = html_error


async def html_error(request: Request, error: Exception) -> Response:
    """Errors outside the page handlers (unknown paths, wrong methods, bugs) as pages."""
    if isinstance(error, StarletteHTTPException):
        titles = {404: "Page not found", 405: "Page not found"}
        title = titles.get(error.status_code, "There is a problem")
        return render(request, "error.html", {"title": title, "message": ""}, status_code=error.status_code)
    if isinstance(error, KNOWN_ERRORS):
        return page_for_error(request, error)
    log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=error)
    message = "Something went wrong on the server. It has been logged."
    return render(request, "error.html", {"title": "Sorry, there is a problem", "message": message}, 500)


@router.get("/sign-in")
def sign_in_page(request: Request, next: str = "/") -> Response:
    if current_user_id(request) is not None:
        return redirect(safe_next(next))
    return render(request, "sign_in.html", {"next": safe_next(next), "email": "", "errors": {}})


@router.post("/sign-in")
def sign_in_submit(
    request: Request,
    service: Service,
    throttle: Throttle,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    errors = {}
    if not email.strip():
        errors["email"] = "Enter your email address"
    if not password:
        errors["password"] = "Enter your password"
    if not errors:
        client = client_address(request)
        wait = throttle.retry_after(email, client)
        user = None if wait else service.authenticate(email, password)
        if user is not None:
            throttle.succeeded(email)
            sign_in(request, user.id, password_change_required=user.password_change_required)
            return redirect(safe_next(next))
        if wait:
            errors["email"] = f"Too many failed sign-ins: try again in {wait} seconds"
        else:
            throttle.failed(email, client)
            errors["email"] = "The email address or password is not right"
    context = {"next": safe_next(next), "email": email, "errors": errors}
    return render(request, "sign_in.html", context, status_code=401 if errors else 200)


@router.post("/sign-out")
def sign_out_submit(request: Request) -> Response:
    sign_out(request)
    return redirect("/sign-in")


@router.get("/")
def home(request: Request, actor: PageActor, service: Service) -> Response:
    user, memberships = service.profile(actor)
    organisations = {o.id: o for o in service.my_organisations(actor)}
    roles = [(organisations.get(m.organisation_id), ROLE_NAMES[m.role]) for m in memberships]
    rows = agreement_rows(service, actor)
    context = {
        "user": user,
        "roles": roles,
        "rows": rows,
        "alerts": alerts(service, actor, memberships, rows),
        "inbox": inbox(request.app.state.workspace, actor),
    }
    return render(request, "home.html", context)
