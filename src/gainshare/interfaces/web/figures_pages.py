"""Figures pages: upload monthly figures (preview, problems by row and column, nothing kept until clean), the
savings dashboard, and settlements (post a period, read its statement and ledger postings)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, Response, UploadFile

from gainshare.domain.errors import InvalidInputError
from gainshare.interfaces.web.deps import Figures, PageActor, Service
from gainshare.interfaces.web.pages import PageRoute, redirect, render
from gainshare.interfaces.web.views import (
    agreement_row,
    issue_where,
    period_transactions,
    pounds,
    savings_chart,
    totals,
)
from gainshare.services.figures_uploads import UploadPreview
from gainshare.services.ports import UploadStatus, VersionStatus
from gainshare.services.workspace import Actor, WorkspaceService

router = APIRouter(route_class=PageRoute)
UploadedFile = Annotated[UploadFile, File()]


def _uploads_page(
    request: Request,
    service: WorkspaceService,
    actor: Actor,
    agreement_id: int,
    preview: UploadPreview | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "row": agreement_row(service, actor, agreement_id),
        "uploads": service.list_uploads(actor, agreement_id),
        "preview": preview,
        "issue_where": issue_where,
        "section": "uploads",
        "notice": request.query_params.get("done", ""),
    }
    return render(request, "uploads.html", context, status_code)


@router.get("/agreements/{agreement_id}/uploads")
def uploads(request: Request, agreement_id: int, actor: PageActor, service: Service) -> Response:
    return _uploads_page(request, service, actor, agreement_id)


@router.post("/agreements/{agreement_id}/uploads/preview")
async def preview_upload(
    request: Request, agreement_id: int, actor: PageActor, service: Service, figures: Figures, file: UploadedFile
) -> Response:
    """Check a file without keeping it: the fragment for htmx, or the whole page."""
    content = await file.read()
    preview = figures.preview(actor, agreement_id, file.filename or "upload", content)
    if request.headers.get("HX-Request") == "true":
        return render(request, "_preview.html", {"preview": preview, "issue_where": issue_where})
    return _uploads_page(request, service, actor, agreement_id, preview)


@router.post("/agreements/{agreement_id}/uploads")
async def commit_upload(
    request: Request, agreement_id: int, actor: PageActor, service: Service, figures: Figures, file: UploadedFile
) -> Response:
    content = await file.read()
    filename = file.filename or "upload"
    try:
        figures.commit(actor, agreement_id, filename, content)
    except InvalidInputError:
        preview = figures.preview(actor, agreement_id, filename, content)
        return _uploads_page(request, service, actor, agreement_id, preview, status_code=422)
    return redirect(f"/agreements/{agreement_id}/uploads?done=uploaded")


@router.get("/agreements/{agreement_id}/dashboard")
def dashboard(request: Request, agreement_id: int, actor: PageActor, figures: Figures, service: Service) -> Response:
    found = figures.dashboard(actor, agreement_id)
    context = {
        "row": agreement_row(service, actor, agreement_id),
        "dashboard": found,
        "totals": totals(found),
        "chart": savings_chart(found) if found.months else "",
        "section": "dashboard",
    }
    return render(request, "dashboard.html", context)


@router.get("/agreements/{agreement_id}/settlements")
def settlements(request: Request, agreement_id: int, actor: PageActor, service: Service) -> Response:
    versions = service.list_versions(actor, agreement_id)
    numbers = {version.id: version.number for version in versions}
    context = {
        "row": agreement_row(service, actor, agreement_id),
        "settlements": [(numbers.get(s.version_id), s) for s in service.list_settlements(actor, agreement_id)],
        "signed": [v for v in versions if v.status is VersionStatus.SIGNED],
        "uploads": [u for u in service.list_uploads(actor, agreement_id) if u.status is UploadStatus.ACCEPTED],
        "section": "settlements",
    }
    return render(request, "settlements.html", context)


@router.post("/agreements/{agreement_id}/settlements")
def post_settlement(
    agreement_id: int,
    actor: PageActor,
    figures: Figures,
    version: Annotated[int, Form()],
    upload_id: Annotated[int, Form()],
    period: Annotated[str, Form()],
) -> Response:
    outcome = figures.post(actor, agreement_id, version, period.strip(), upload_id)
    return redirect(f"/agreements/{agreement_id}/settlements/{outcome.settlement.id}")


@router.get("/agreements/{agreement_id}/settlements/{settlement_id}")
def statement(
    request: Request, agreement_id: int, settlement_id: int, actor: PageActor, service: Service, figures: Figures
) -> Response:
    record = figures.statement(actor, agreement_id, settlement_id)
    transactions = period_transactions(service.ledger_transactions(actor, agreement_id), agreement_id, record.period)
    versions = {v.id: v.number for v in service.list_versions(actor, agreement_id)}
    context = {
        "row": agreement_row(service, actor, agreement_id),
        "record": record,
        "version_number": versions.get(record.version_id),
        "statement": record.statement,
        "transactions": transactions,
        "pounds": pounds,
        "section": "settlements",
    }
    return render(request, "statement.html", context)
