"""Discover pages: the datasets a user may see, each one's services ranked by NPV with their assumptions, a funnel
plot per service (a click on a practice shows its monthly trend, through htmx or as a page of its own), and the
opportunity pack to download (PDF and Excel). Every handler asks DiscoverWorkspace and renders what it returns."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from gainshare.interfaces.web.deps import PageActor
from gainshare.interfaces.web.discover_views import (
    TAG,
    dataset_url,
    funnel_chart,
    funnel_url,
    trend_chart,
    trend_url,
)
from gainshare.interfaces.web.pages import PageRoute, render
from gainshare.reports.discover_pack import pack_pdf, pack_xlsx
from gainshare.services.discover_workspace import DiscoverWorkspace

router = APIRouter(route_class=PageRoute)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def discover_workspace(request: Request) -> DiscoverWorkspace:
    found: DiscoverWorkspace = request.app.state.workspace.discover
    return found


Discover = Annotated[DiscoverWorkspace, Depends(discover_workspace)]
URLS = {"dataset_url": dataset_url, "funnel_url": funnel_url, "trend_url": trend_url, "tag_class": TAG}


@router.get("/discover")
def datasets(request: Request, actor: PageActor, discover: Discover) -> Response:
    return render(request, "discover/index.html", {"entries": discover.available(actor), **URLS})


@router.get("/discover/{ods_code}")
def overview(request: Request, ods_code: str, actor: PageActor, discover: Discover) -> Response:
    found = discover.overview(actor, ods_code)
    return render(request, "discover/overview.html", {"view": found, **URLS})


@router.get("/discover/{ods_code}/services/{service_line}")
def funnel(request: Request, ods_code: str, service_line: str, actor: PageActor, discover: Discover) -> Response:
    found = discover.funnel(actor, ods_code, service_line)
    context = {"view": found, "chart": funnel_chart(found.report.result, found.entry.organisation.ods_code), **URLS}
    return render(request, "discover/funnel.html", context)


@router.get("/discover/{ods_code}/services/{service_line}/practices/{practice_code}")
def trend(
    request: Request, ods_code: str, service_line: str, practice_code: str, actor: PageActor, discover: Discover
) -> Response:
    """The trend panel for htmx (a fragment), or a page of its own for a plain link."""
    found = discover.trend(actor, ods_code, service_line, practice_code)
    context = {"view": found, "chart": trend_chart(found.trend), **URLS}
    template = "discover/_trend.html" if request.headers.get("HX-Request") == "true" else "discover/trend.html"
    return render(request, template, context)


@router.get("/discover/{ods_code}/pack.pdf")
def pack_as_pdf(ods_code: str, actor: PageActor, discover: Discover) -> Response:
    pack = discover.pack(actor, ods_code)
    return _download(pack_pdf(pack, datetime.now(UTC)), "application/pdf", f"opportunity-pack-{ods_code}.pdf")


@router.get("/discover/{ods_code}/pack.xlsx")
def pack_as_xlsx(ods_code: str, actor: PageActor, discover: Discover) -> Response:
    pack = discover.pack(actor, ods_code)
    return _download(pack_xlsx(pack), XLSX, f"opportunity-pack-{ods_code}.xlsx")


def _download(content: bytes, media_type: str, filename: str) -> Response:
    safe = "".join(c for c in filename if c.isalnum() or c in "-.")
    headers = {"Content-Disposition": f'attachment; filename="{safe}"', "Cache-Control": "no-store"}
    return Response(content, media_type=media_type, headers=headers)
