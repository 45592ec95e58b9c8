"""Hub design page for an agreement: choose a service, the number of hubs, pinned and excluded practices and the
most travel allowed; run the optimiser (services/hub_design.py) and see the map, the hubs with their sessions, the
trade-off curve, what a pin costs, and the referral flows between practices at the agreed price per item.

The form is a GET (running the optimiser changes nothing), so a design can be bookmarked and shared.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from gainshare.bootstrap import Workspace
from gainshare.domain.errors import InvalidInputError
from gainshare.domain.hubs import ReferralFlowMatrix
from gainshare.domain.money import Money
from gainshare.interfaces.api.deps import workspace
from gainshare.interfaces.web.deps import PageActor, Service
from gainshare.interfaces.web.pages import PageRoute, render
from gainshare.interfaces.web.views import agreement_row
from gainshare.reports.hub_map import map_svg
from gainshare.services.hub_design import HubDesign, HubDesignRequest, HubDesignService, HubOptions
from gainshare.services.hubs import HubReport, Method

router = APIRouter(route_class=PageRoute)
DEFAULT_HUBS = 4
DEFAULT_PER_SESSION = 12
CLAUSE_FIELDS = {"--pin": "pinned", "--exclude": "excluded", "--hubs": "hubs", "--max-travel": "max_travel"}


def hub_design_service(request: Request) -> HubDesignService:
    found: Workspace = workspace(request)
    return found.hub_design


Designer = Annotated[HubDesignService, Depends(hub_design_service)]


@dataclass(frozen=True)
class HubForm:
    """The form as typed (strings), so that it is shown back as it was; `errors` by field name."""

    service: str = ""
    hubs: str = str(DEFAULT_HUBS)
    pinned: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    max_travel: str = ""
    per_session: str = str(DEFAULT_PER_SESSION)
    sessions: str = ""
    method: str = Method.AUTO.value


@router.get("/agreements/{agreement_id}/hubs")
def hubs_page(
    request: Request,
    agreement_id: int,
    actor: PageActor,
    service: Service,
    designer: Designer,
    run: str = "",
    service_line: Annotated[str, Query(alias="service")] = "",
    hubs: str = str(DEFAULT_HUBS),
    pin: Annotated[list[str] | None, Query()] = None,
    exclude: Annotated[list[str] | None, Query()] = None,
    max_travel: str = "",
    per_session: str = str(DEFAULT_PER_SESSION),
    sessions: str = "",
    method: str = Method.AUTO.value,
) -> Response:
    options = designer.options(actor, agreement_id)
    chosen = service_line or next((choice.id for choice in options.services if choice.items), "")
    form = HubForm(chosen, hubs, tuple(pin or ()), tuple(exclude or ()), max_travel, per_session, sessions, method)
    errors: dict[str, str] = {}
    design = None
    if run and options.available:
        parsed, errors = _request(form)
        if parsed is not None:
            try:
                design = designer.design(actor, agreement_id, parsed)
            except InvalidInputError as error:
                errors = _field_errors(error)
    context = {
        "row": agreement_row(service, actor, agreement_id),
        "section": "hubs",
        "options": options,
        "summary": options_summary(options),
        "form": form,
        "errors": errors,
        "has_errors": bool(errors),
        "design": design,
        "methods": [(m.value, _METHOD_NAMES[m]) for m in Method],
        **(_results(design) if design is not None else {}),
    }
    return render(request, "hubs/hubs.html", context, status_code=422 if errors else 200)


_METHOD_NAMES = {
    Method.AUTO: "Automatic (exact when small)",
    Method.EXACT: "Exact (HiGHS)",
    Method.HEURISTIC: "Heuristic, with its gap",
}


def _request(form: HubForm) -> tuple[HubDesignRequest | None, dict[str, str]]:
    errors: dict[str, str] = {}
    hubs = _whole(form.hubs, "hubs", "The number of hubs", errors, required=True)
    per_session = _whole(form.per_session, "per_session", "Items a session sees", errors)
    sessions = _whole(form.sessions, "sessions", "Sessions a month per hub", errors)
    max_travel = _number(form.max_travel, "max_travel", errors)
    try:
        method = Method(form.method)
    except ValueError:
        errors["method"] = "Choose a method"
        method = Method.AUTO
    if errors or hubs is None:
        return None, errors
    request = HubDesignRequest(
        service_line=form.service,
        hubs=hubs,
        pinned=tuple(code.strip().upper() for code in form.pinned if code.strip()),
        excluded=tuple(code.strip().upper() for code in form.excluded if code.strip()),
        max_travel=max_travel,
        per_session=per_session,
        sessions_per_month=sessions,
        method=method,
    )
    return request, errors


def _whole(text: str, name: str, label: str, errors: dict[str, str], *, required: bool = False) -> int | None:
    if not text.strip():
        if required:
            errors[name] = f"Enter {label.lower()}"
        return None
    try:
        value = int(text.strip())
    except ValueError:
        errors[name] = f"{label} must be a whole number, like 4"
        return None
    if value < 1:
        errors[name] = f"{label} must be 1 or more"
        return None
    return value


def _number(text: str, name: str, errors: dict[str, str]) -> float | None:
    if not text.strip():
        return None
    try:
        value = float(text.strip())
    except ValueError:
        errors[name] = "The most travel must be a number of kilometres, like 8 or 7.5"
        return None
    if not value > 0 or value == float("inf"):
        errors[name] = "The most travel must be more than 0 km"
        return None
    return value


def _field_errors(error: InvalidInputError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for issue in error.issues:
        clause = issue.source.clause or ""
        name = CLAUSE_FIELDS.get(clause, clause if clause in HubForm.__dataclass_fields__ else "service")
        message = issue.message[0].upper() + issue.message[1:]
        errors[name] = f"{errors[name]}; {message}" if name in errors else message
    return errors


# --- what the results section shows ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FlowRow:
    practice: str
    name: str
    hub: str
    travel: float
    cells: tuple[tuple[int, Money], ...]  # one per hub, in the plan's order
    pays: Money


def _results(design: HubDesign) -> dict[str, Any]:
    report = design.report
    names = {site.code: site.name for site in report.practices}
    return {
        "plan": report.plan,
        "map": map_svg(report, element_id="hub-map") if report.plan else "",
        "curve_chart": _curve_chart(report),
        "flow_rows": _flow_rows(report.flows, names, report) if report.flows else [],
        "flows": report.flows,
        "names": names,
        "practice_count": len(report.practices),
        "unit": report.unit.value,
    }


def _flow_rows(flows: ReferralFlowMatrix, names: dict[str, str], report: HubReport) -> list[FlowRow]:
    assert report.plan is not None
    hubs = report.plan.hubs
    rows = []
    for assignment in report.plan.assignments:
        cells = tuple(
            (flows.items(assignment.practice, hub), Money(flows.items(assignment.practice, hub) * flows.price.pence))
            for hub in hubs
        )
        rows.append(
            FlowRow(
                assignment.practice,
                names.get(assignment.practice, ""),
                assignment.hub,
                assignment.travel,
                cells,
                flows.paid_by(assignment.practice),
            )
        )
    return rows


def _curve_chart(report: HubReport) -> str:
    """A Plotly figure (JSON) of average and worst travel by number of hubs (travel is a measure, not money)."""
    points = [point for point in report.curve if point.average_travel is not None]
    unit = report.unit.value
    hubs = [point.hubs for point in points]
    data = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": f"Average travel per item ({unit})",
            "x": hubs,
            "y": [round(point.average_travel or 0.0, 2) for point in points],
            "line": {"color": "#005eb8", "width": 3},
        },
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": f"Worst travel ({unit})",
            "x": hubs,
            "y": [round(point.worst_travel or 0.0, 2) for point in points],
            "line": {"color": "#4c6272", "dash": "dash", "width": 3},
        },
    ]
    chosen = report.plan.hubs if report.plan else ()
    layout = {
        "margin": {"l": 60, "r": 20, "t": 20, "b": 50},
        "xaxis": {"title": {"text": "Number of hubs"}, "dtick": 1},
        "yaxis": {"title": {"text": unit}, "rangemode": "tozero"},
        "legend": {"orientation": "h", "y": -0.25},
        "font": {"family": "Arial, Helvetica, sans-serif", "color": "#212b32", "size": 14},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "shapes": [_marker_line(len(chosen))] if chosen else [],
    }
    return json.dumps({"data": data, "layout": layout, "config": {"displaylogo": False, "responsive": True}})


def _marker_line(hubs: int) -> dict[str, Any]:
    return {
        "type": "line",
        "x0": hubs,
        "x1": hubs,
        "yref": "paper",
        "y0": 0,
        "y1": 1,
        "line": {"color": "#d5281b", "width": 2, "dash": "dot"},
    }


def options_summary(options: HubOptions) -> str:
    """A sentence on what the page designs with."""
    count = len(options.practices)
    version = f"version {options.version_number}" + (" (signed)" if options.version_signed else "")
    return f"{count} member practices of {options.federation.name}; services and prices from {version}."
