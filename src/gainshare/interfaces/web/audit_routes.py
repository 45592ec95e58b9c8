"""Audit log pages, read-only: an agreement's and an organisation's entries, newest first, a page at a time,
filtered by action, and the same as CSV. AuditLogService decides who may read them."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import Response as PlainResponse

from gainshare.interfaces.web.admin_deps import Audit
from gainshare.interfaces.web.deps import PageActor
from gainshare.interfaces.web.pages import PageRoute, render
from gainshare.reports.audit_csv import audit_csv
from gainshare.services.audit_log import AuditPage

router = APIRouter(route_class=PageRoute)


@router.get("/agreements/{agreement_id}/audit")
def agreement_log(
    request: Request, agreement_id: int, actor: PageActor, audit: Audit, page: int = 1, action: str = ""
) -> Response:
    found = audit.for_agreement(actor, agreement_id, action or None, page)
    crumbs = [("/agreements", "Agreements"), (f"/agreements/{agreement_id}", found.subject)]
    return _page(request, found, f"/agreements/{agreement_id}/audit", crumbs)


@router.get("/agreements/{agreement_id}/audit.csv")
def agreement_log_csv(agreement_id: int, actor: PageActor, audit: Audit, action: str = "") -> Response:
    return _csv(audit.for_agreement(actor, agreement_id, action or None, page_size=None), f"agreement-{agreement_id}")


@router.get("/admin/organisations/{organisation_id}/audit")
def organisation_log(
    request: Request, organisation_id: int, actor: PageActor, audit: Audit, page: int = 1, action: str = ""
) -> Response:
    found = audit.for_organisation(actor, organisation_id, action or None, page)
    crumbs = [("/admin", "Administration"), (f"/admin/organisations/{organisation_id}", found.subject)]
    return _page(request, found, f"/admin/organisations/{organisation_id}/audit", crumbs)


@router.get("/admin/organisations/{organisation_id}/audit.csv")
def organisation_log_csv(organisation_id: int, actor: PageActor, audit: Audit, action: str = "") -> Response:
    found = audit.for_organisation(actor, organisation_id, action or None, page_size=None)
    return _csv(found, f"organisation-{organisation_id}")


def _page(request: Request, found: AuditPage, base: str, crumbs: list[tuple[str, str]]) -> Response:
    context = {"log": found, "base": base, "crumbs": [("/", "Home"), *crumbs]}
    return render(request, "admin/audit.html", context)


def _csv(found: AuditPage, name: str) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="audit-log-{name}.csv"', "Cache-Control": "no-store"}
    return PlainResponse(audit_csv(found), media_type="text/csv; charset=utf-8", headers=headers)
