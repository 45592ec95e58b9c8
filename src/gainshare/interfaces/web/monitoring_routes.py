"""Monitoring pages: monthly actuals upload (preview with problems by row and column, nothing saved until clean;
what a revision moved and why), actuals against plan and baseline per scheme and practice, SPC charts with
Making Data Count icons, and special-cause notifications (mark one or all as read). Handlers call services only."""

from __future__ import annotations

from collections import Counter
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, Response, UploadFile

from gainshare.bootstrap import Workspace
from gainshare.domain.agreement import Agreement
from gainshare.domain.errors import InvalidInputError
from gainshare.interfaces.api.deps import workspace
from gainshare.interfaces.web.deps import PageActor, Service
from gainshare.interfaces.web.inbox_views import Inbox, build_inbox
from gainshare.interfaces.web.monitoring_views import (
    assurance_icon,
    notification_text,
    performance_totals,
    plan_bases,
    spc_figure,
    spc_summary,
    two_places,
    variation_icon,
)
from gainshare.interfaces.web.pages import PageRoute, redirect, render
from gainshare.interfaces.web.views import agreement_row, issue_where
from gainshare.services.monitoring import ALL_PRACTICES, ActualsPreview, spc_series
from gainshare.services.workspace import Actor, WorkspaceService

router = APIRouter(route_class=PageRoute)
Year = Annotated[Workspace, Depends(workspace)]
UploadedFile = Annotated[UploadFile, File()]
PREVIEW_ROWS = 50  # rows shown in a preview; the counts cover them all
LISTED = 10  # notifications listed on an agreement's Monitor page: unread first, scheme-wide before practices'


def scheme_names(terms: Agreement) -> dict[str, str]:
    return {scheme.id: scheme.name for scheme in terms.schemes}


def inbox(year: Workspace, actor: Actor) -> Inbox:
    """The home page's notifications, one entry per chart with signals, by agreement."""
    return build_inbox(year.monitoring.inbox(actor))


def _actuals_page(
    request: Request,
    service: WorkspaceService,
    year: Workspace,
    actor: Actor,
    agreement_id: int,
    preview: ActualsPreview | None = None,
    status_code: int = 200,
) -> Response:
    terms = year.monitoring.terms(actor, agreement_id)
    months = Counter(entry.month for entry in year.monitoring.actuals(actor, agreement_id))
    names = scheme_names(terms)
    found = sorted(year.monitoring.notifications(actor, agreement_id), key=lambda n: (n.read, n.practice, -n.id))
    notifications = [(n, notification_text(n, names)) for n in found[:LISTED]]
    context = {
        "row": agreement_row(service, actor, agreement_id),
        "terms": terms,
        "months": sorted(months.items()),
        "preview": preview,
        "preview_rows": PREVIEW_ROWS,
        "issue_where": issue_where,
        "notifications": notifications,
        "more_notifications": max(len(found) - LISTED, 0),
        "unread_notifications": sum(1 for n in found if not n.read),
        "section": "monitoring",
        "tab": "actuals",
    }
    return render(request, "monitoring/actuals.html", context, status_code)


@router.get("/agreements/{agreement_id}/monitoring")
def actuals(request: Request, agreement_id: int, actor: PageActor, service: Service, year: Year) -> Response:
    return _actuals_page(request, service, year, actor, agreement_id)


@router.post("/agreements/{agreement_id}/monitoring/actuals/preview")
async def preview_actuals(
    request: Request, agreement_id: int, actor: PageActor, service: Service, year: Year, file: UploadedFile
) -> Response:
    """Check a file without saving it: the fragment for htmx, or the whole page."""
    content = await file.read()
    preview = year.monitoring.preview_actuals(actor, agreement_id, file.filename or "actuals.csv", content)
    if request.headers.get("HX-Request") == "true":
        context = {"preview": preview, "issue_where": issue_where, "preview_rows": PREVIEW_ROWS}
        return render(request, "monitoring/_preview.html", context)
    return _actuals_page(request, service, year, actor, agreement_id, preview, 200 if preview.ok else 422)


@router.post("/agreements/{agreement_id}/monitoring/actuals")
async def save_actuals(
    request: Request, agreement_id: int, actor: PageActor, service: Service, year: Year, file: UploadedFile
) -> Response:
    """Save a clean file (all rows or none) and show what it added, what it revised and what that moved."""
    content = await file.read()
    filename = file.filename or "actuals.csv"
    try:
        reports = year.yearend.revise(actor, agreement_id, filename, content)
    except InvalidInputError:
        preview = year.monitoring.preview_actuals(actor, agreement_id, filename, content)
        return _actuals_page(request, service, year, actor, agreement_id, preview, status_code=422)
    terms = year.monitoring.terms(actor, agreement_id)
    upload = reports[0].upload if reports else None
    context = {
        "row": agreement_row(service, actor, agreement_id),
        "reports": reports,
        "upload": upload,
        "names": scheme_names(terms),
        "notification_text": notification_text,
        "section": "monitoring",
        "tab": "actuals",
    }
    return render(request, "monitoring/saved.html", context)


@router.get("/agreements/{agreement_id}/monitoring/performance")
def performance(
    request: Request,
    agreement_id: int,
    actor: PageActor,
    service: Service,
    year: Year,
    scheme: str = "",
) -> Response:
    terms = year.monitoring.terms(actor, agreement_id)
    rows = year.monitoring.performance(actor, agreement_id)
    chosen = scheme if scheme in scheme_names(terms) else (terms.schemes[0].id if terms.schemes else "")
    context = {
        "row": agreement_row(service, actor, agreement_id),
        "terms": terms,
        "names": scheme_names(terms),
        "bases": plan_bases(rows),
        "schemes": performance_totals(rows, "scheme"),
        "scheme": chosen,
        "months": [r for r in rows if r.scheme == chosen and r.practice == ALL_PRACTICES],
        "practices": performance_totals([r for r in rows if r.scheme == chosen], "practice"),
        "section": "monitoring",
        "tab": "performance",
    }
    return render(request, "monitoring/performance.html", context)


@router.get("/agreements/{agreement_id}/monitoring/spc")
def spc(
    request: Request,
    agreement_id: int,
    actor: PageActor,
    service: Service,
    year: Year,
    scheme: str = "",
    practice: str = "",
) -> Response:
    terms = year.monitoring.terms(actor, agreement_id)
    names = scheme_names(terms)
    entries = year.monitoring.actuals(actor, agreement_id)
    chosen = scheme if scheme in names else (terms.schemes[0].id if terms.schemes else "")
    context: dict[str, object] = {
        "row": agreement_row(service, actor, agreement_id),
        "names": names,
        "scheme": chosen,
        "practice": practice,
        "practices": sorted({e.practice for e in entries if e.scheme == chosen}),
        "chart": None,
        "section": "monitoring",
        "tab": "spc",
    }
    if entries:
        chart = year.monitoring.spc(actor, agreement_id, chosen, practice or None)
        start = spc_series(terms, entries, chosen, practice or ALL_PRACTICES)[1]
        title = f"{names[chosen]}, {'practice ' + practice if practice else 'all practices'}"
        context |= {
            "chart": chart,
            "figure": spc_figure(chart, title, start),
            "summary": spc_summary(chart, start),
            "title": title,
            "change_point": start,
            "variation": variation_icon(chart),
            "assurance": assurance_icon(chart),
            "two": two_places,
        }
    return render(request, "monitoring/spc.html", context)


@router.post("/agreements/{agreement_id}/notifications/{notification_id}/read")
def mark_read(
    agreement_id: int,
    notification_id: int,
    actor: PageActor,
    year: Year,
    back: Annotated[str, Form()] = "/",
) -> Response:
    year.monitoring.mark_read(actor, agreement_id, notification_id)
    return redirect(_local(back))


@router.post("/agreements/{agreement_id}/notifications/read")
def mark_all_read(agreement_id: int, actor: PageActor, year: Year, back: Annotated[str, Form()] = "/") -> Response:
    year.monitoring.mark_all_read(actor, agreement_id)
    return redirect(_local(back))


def _local(back: str) -> str:
    """Where to go after marking: a path on this site, or home."""
    return back if back.startswith("/") and not back.startswith("//") else "/"
