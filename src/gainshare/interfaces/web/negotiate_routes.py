"""The Negotiate pages of an agreement: uncertain assumptions (defaults from its monthly figures), the simulation,
the term sets side by side, the negotiation frontier, and the negotiation pack (PDF and Excel) to download."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from gainshare.domain.errors import InvalidInputError
from gainshare.domain.money import Money
from gainshare.interfaces.api.deps import workspace
from gainshare.interfaces.web import negotiate_views as views
from gainshare.interfaces.web import scenario_links
from gainshare.interfaces.web.deps import PageActor, Service
from gainshare.interfaces.web.pages import PageRoute, render
from gainshare.interfaces.web.scenario_links import PARAMETER
from gainshare.interfaces.web.views import agreement_row
from gainshare.reports.negotiation_pack import pack_context, pack_pdf, pack_xlsx
from gainshare.services.negotiation_workspace import (
    MAX_SCENARIOS,
    NegotiationInputs,
    NegotiationResults,
    NegotiationSetup,
    NegotiationWorkspace,
    analyse,
    form_values,
    read_inputs,
)
from gainshare.services.workspace import Actor, WorkspaceService

router = APIRouter(route_class=PageRoute)


def negotiation_service(request: Request) -> NegotiationWorkspace:
    """Wired by the composition root, with the service catalogue for the federation's default costs."""
    return workspace(request).negotiation


Negotiation = Annotated[NegotiationWorkspace, Depends(negotiation_service)]
PACK_TYPES = {
    "pdf": ("application/pdf", "pdf"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}


def _page(
    request: Request,
    service: WorkspaceService,
    actor: Actor,
    setup: NegotiationSetup,
    values: dict[str, str],
    results: NegotiationResults | None = None,
    errors: dict[str, str] | None = None,
    link_problem: str = "",
) -> Response:
    inputs = results.inputs if results is not None else setup.defaults
    context: dict[str, Any] = {
        "row": agreement_row(service, actor, setup.agreement_id),
        "setup": setup,
        "groups": views.form_groups(inputs),
        "values": values,
        "errors": errors or {},
        "max_scenarios": MAX_SCENARIOS,
        "results": results,
        "section": "negotiate",
        "views": views,
        "pence": lambda value: Money(value).format(),
        "link_problem": link_problem,
    }
    if results is not None:
        context["charts"] = _charts(results)
        token = scenario_links.encode(values)
        context["share_link"] = f"{request.base_url}agreements/{setup.agreement_id}/negotiate?{PARAMETER}={token}"
    return render(request, "negotiate/page.html", context, status_code=422 if errors else 200)


def _charts(results: NegotiationResults) -> dict[str, str]:
    found = results.simulation.distributions
    provider, commissioner = views.sides(results)
    return {
        "provider_share": views.histogram_chart(found.provider_share, views.BLUE, f"{provider}: share"),
        "provider_net": views.histogram_chart(found.provider_net, views.BLUE, f"{provider}: net after its own costs"),
        "commissioner": views.histogram_chart(
            found.commissioner_retained, views.GREEN, f"{commissioner}: retained saving"
        ),
        "tornado": views.tornado_chart(results),
        "comparison": views.comparison_chart(results),
        "frontier": views.frontier_chart(results),
    }


async def _fields(request: Request) -> dict[str, str]:
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


def _read(setup: NegotiationSetup, fields: dict[str, str]) -> tuple[NegotiationInputs | None, dict[str, str]]:
    try:
        return read_inputs(setup, fields), {}
    except InvalidInputError as error:
        errors: dict[str, str] = {}
        for issue in error.issues:  # a field may break two rules: both messages, next to it
            name = issue.source.clause or ""
            errors[name] = f"{errors[name]}. {issue.message}" if name in errors else issue.message
        return None, errors


@router.get("/agreements/{agreement_id}/negotiate")
def negotiate(
    request: Request,
    agreement_id: int,
    actor: PageActor,
    service: Service,
    negotiation: Negotiation,
    scenarios: Annotated[str, Query(alias=PARAMETER)] = "",
) -> Response:
    """The form with the defaults; with a shared link's values, the same scenarios and results the sharer saw."""
    setup = negotiation.setup(actor, agreement_id)
    if not scenarios:
        return _page(request, service, actor, setup, form_values(setup.defaults))
    try:
        fields = scenario_links.decode(scenarios)
    except scenario_links.DamagedLink as damaged:
        problem = f"The shared link could not be opened: {damaged}. These are the defaults."
        return _page(request, service, actor, setup, form_values(setup.defaults), link_problem=problem)
    inputs, errors = _read(setup, fields)
    if inputs is None:
        return _page(request, service, actor, setup, fields, errors=errors)
    return _page(request, service, actor, setup, fields, analyse(setup, inputs))


@router.post("/agreements/{agreement_id}/negotiate")
async def run(
    request: Request, agreement_id: int, actor: PageActor, service: Service, negotiation: Negotiation
) -> Response:
    fields = await _fields(request)
    setup = negotiation.setup(actor, agreement_id)
    inputs, errors = _read(setup, fields)
    if inputs is None:
        return _page(request, service, actor, setup, fields, errors=errors)
    return _page(request, service, actor, setup, fields, analyse(setup, inputs))


@router.post("/agreements/{agreement_id}/negotiate/pack.{kind}")
async def pack(
    request: Request, agreement_id: int, kind: str, actor: PageActor, service: Service, negotiation: Negotiation
) -> Response:
    if kind not in PACK_TYPES:
        return render(request, "error.html", {"title": "Page not found", "message": ""}, status_code=404)
    fields = await _fields(request)
    setup = negotiation.setup(actor, agreement_id)
    inputs, errors = _read(setup, fields)
    if inputs is None:
        return _page(request, service, actor, setup, fields, errors=errors)
    context = pack_context(analyse(setup, inputs), datetime.now(UTC))
    media, suffix = PACK_TYPES[kind]
    content = pack_pdf(context) if kind == "pdf" else pack_xlsx(context)
    filename = f"negotiation-pack-agreement-{agreement_id}.{suffix}"
    return Response(content, media_type=media, headers={"Content-Disposition": f'attachment; filename="{filename}"'})
