"""Agreement pages: list, overview, the form editor and the YAML editor, version history with a side-by-side diff,
and sign-off. Every change goes through WorkspaceService (scoping, locking, audit and signing rules live there)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response

from gainshare.domain.errors import ConflictError, InvalidInputError
from gainshare.engines.clauses import agreement_clauses
from gainshare.interfaces.web import forms
from gainshare.interfaces.web.deps import PageActor, Service
from gainshare.interfaces.web.pages import PageRoute, redirect, render
from gainshare.interfaces.web.views import AgreementRow, agreement_row, agreement_rows, signable_for, status_tag
from gainshare.services.ports import AgreementVersion, VersionStatus
from gainshare.services.workspace import Actor, WorkspaceService

router = APIRouter(route_class=PageRoute)


def _clauses(service: WorkspaceService, version: AgreementVersion) -> list[tuple[str, str]]:
    try:
        terms = service.parser.parse(version.content, f"version {version.number}")
    except InvalidInputError:
        return []
    return agreement_clauses(terms)


@router.get("/agreements")
def agreement_list(request: Request, actor: PageActor, service: Service) -> Response:
    return render(request, "agreements.html", {"rows": agreement_rows(service, actor)})


@router.get("/agreements/{agreement_id}")
def agreement_overview(request: Request, agreement_id: int, actor: PageActor, service: Service) -> Response:
    row = agreement_row(service, actor, agreement_id)
    versions = service.list_versions(actor, agreement_id)
    context = {"row": row, "versions": versions, "status_tag": status_tag, "section": "overview"}
    return render(request, "agreement.html", context)


@router.get("/agreements/{agreement_id}/versions/{number}")
def version_page(request: Request, agreement_id: int, number: int, actor: PageActor, service: Service) -> Response:
    row = agreement_row(service, actor, agreement_id)
    version = service.get_version(actor, agreement_id, number)
    signatures = service.signatures(actor, agreement_id, number)
    _user, memberships = service.profile(actor)
    names = {row.commissioner.id: row.commissioner.name, row.provider.id: row.provider.name}
    is_latest = version.number == row.latest.number
    can_sign = version.status is VersionStatus.PROPOSED and is_latest
    context = {
        "row": row,
        "version": version,
        "status": status_tag(version.status),
        "is_latest": is_latest,
        "signatures": [(names.get(s.organisation_id, ""), s) for s in signatures],
        "people": service.people(actor, agreement_id),
        "sign_for": signable_for(memberships, row, signatures) if can_sign else [],
        "can_edit": _can_edit(memberships, row),
        "clauses": _clauses(service, version),
        "section": "versions",
        "notice": request.query_params.get("done", ""),
    }
    return render(request, "version.html", context)


def _can_edit(memberships: Any, row: AgreementRow) -> bool:
    editors = {"commissioner_finance": row.commissioner.id, "federation_manager": row.provider.id}
    return any(editors.get(m.role.value) == m.organisation_id for m in memberships)


@router.post("/agreements/{agreement_id}/versions/{number}/propose")
def propose(
    agreement_id: int, number: int, actor: PageActor, service: Service, lock_version: Annotated[int, Form()]
) -> Response:
    service.propose(actor, agreement_id, number, lock_version)
    return redirect(f"/agreements/{agreement_id}/versions/{number}?done=proposed")


@router.post("/agreements/{agreement_id}/versions/{number}/sign")
def sign(
    agreement_id: int,
    number: int,
    actor: PageActor,
    service: Service,
    organisation_id: Annotated[int, Form()],
    content_sha256: Annotated[str, Form()],
) -> Response:
    service.sign(actor, agreement_id, number, organisation_id, content_sha256)
    return redirect(f"/agreements/{agreement_id}/versions/{number}?done=signed")


@router.get("/agreements/{agreement_id}/versions")
def history(request: Request, agreement_id: int, actor: PageActor, service: Service) -> Response:
    row = agreement_row(service, actor, agreement_id)
    versions = service.list_versions(actor, agreement_id)
    before = max(1, row.latest.number - 1)
    context = {
        "row": row,
        "versions": versions,
        "status_tag": status_tag,
        "section": "versions",
        **_diff_context(service, actor, agreement_id, before, row.latest.number),
    }
    return render(request, "versions.html", context)


def _diff_context(
    service: WorkspaceService, actor: Actor, agreement_id: int, before: int, after: int
) -> dict[str, Any]:
    changes = service.diff(actor, agreement_id, before, after) if before != after else []
    return {"diff_from": before, "diff_to": after, "changes": changes}


@router.get("/agreements/{agreement_id}/diff")
def diff(
    request: Request, agreement_id: int, actor: PageActor, service: Service, before: int = 1, after: int = 1
) -> Response:
    """The comparison alone for htmx (HX-Request), else the whole history page with that comparison."""
    row = agreement_row(service, actor, agreement_id)
    context = {"row": row, "status_tag": status_tag, **_diff_context(service, actor, agreement_id, before, after)}
    if request.headers.get("HX-Request") == "true":
        return render(request, "_diff.html", context)
    versions = service.list_versions(actor, agreement_id)
    return render(request, "versions.html", {**context, "versions": versions, "section": "versions"})


# --- editors ------------------------------------------------------------------------------------------------


@router.get("/agreements/{agreement_id}/edit")
def edit_form(request: Request, agreement_id: int, actor: PageActor, service: Service) -> Response:
    row = agreement_row(service, actor, agreement_id)
    service.require_editable(actor, agreement_id)
    data = forms.parse_text(row.latest.content)
    sections = forms.sections(data)
    values = {field.path: forms.value_at(data, field.path) for field in forms.fields(sections)}
    stamp = (row.latest.number, row.latest.lock_version)
    return _edit_page(request, row, stamp, sections, values, forms.PlacedIssues({}, []))


def _edit_page(
    request: Request,
    row: AgreementRow,
    stamp: tuple[int, int],
    sections: list[forms.Section],
    values: dict[str, str],
    placed: forms.PlacedIssues,
    status_code: int = 200,
) -> Response:
    context = {
        "row": row,
        "sections": sections,
        "values": values,
        "placed": placed,
        "section": "edit",
        "based_on": stamp[0],
        "lock_version": stamp[1],
        "frozen": row.latest.status is VersionStatus.SIGNED,
    }
    return render(request, "edit.html", context, status_code)


@router.post("/agreements/{agreement_id}/edit")
async def edit_submit(request: Request, agreement_id: int, actor: PageActor, service: Service) -> Response:
    posted = {key: value for key, value in (await request.form()).items() if isinstance(value, str)}
    row = agreement_row(service, actor, agreement_id)
    based_on, lock = _int(posted.get("based_on")), _int(posted.get("lock_version"))
    data = forms.parse_text(_version_text(service, actor, agreement_id, based_on))
    sections = forms.sections(data)
    content = forms.apply(data, forms.fields(sections), posted)
    try:
        version = service.save_draft(actor, agreement_id, based_on, lock, content)
    except InvalidInputError as error:
        placed = forms.place(error.issues, forms.fields(sections))
        values = {field.path: posted.get(field.path, "") for field in forms.fields(sections)}
        return _edit_page(request, row, (based_on, lock), sections, values, placed, status_code=422)
    return redirect(f"/agreements/{agreement_id}/versions/{version.number}?done=saved")


def _int(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        raise ConflictError("the form is out of date: open the editor again") from None


def _version_text(service: WorkspaceService, actor: Actor, agreement_id: int, number: int) -> str:
    return service.get_version(actor, agreement_id, number).content


@router.get("/agreements/{agreement_id}/yaml")
def yaml_form(request: Request, agreement_id: int, actor: PageActor, service: Service) -> Response:
    row = agreement_row(service, actor, agreement_id)
    service.require_editable(actor, agreement_id)
    return _yaml_page(request, row, (row.latest.number, row.latest.lock_version), row.latest.content, [])


def _yaml_page(
    request: Request,
    row: AgreementRow,
    stamp: tuple[int, int],
    content: str,
    problems: list[tuple[str, str]],
    status_code: int = 200,
) -> Response:
    context = {
        "row": row,
        "based_on": stamp[0],
        "lock_version": stamp[1],
        "content": content,
        "problems": problems,
        "section": "edit",
        "frozen": row.latest.status is VersionStatus.SIGNED,
    }
    return render(request, "yaml.html", context, status_code)


@router.post("/agreements/{agreement_id}/yaml")
def yaml_submit(
    request: Request,
    agreement_id: int,
    actor: PageActor,
    service: Service,
    content: Annotated[str, Form()] = "",
    based_on: Annotated[str, Form()] = "",
    lock_version: Annotated[str, Form()] = "",
) -> Response:
    row = agreement_row(service, actor, agreement_id)
    stamp = (_int(based_on), _int(lock_version))
    try:
        version = service.save_draft(actor, agreement_id, stamp[0], stamp[1], content)
    except InvalidInputError as error:
        problems = [(_yaml_where(issue.source.row, issue.source.clause), issue.message) for issue in error.issues]
        return _yaml_page(request, row, stamp, content, problems, status_code=422)
    return redirect(f"/agreements/{agreement_id}/versions/{version.number}?done=saved")


def _yaml_where(line: int | None, clause: str | None) -> str:
    if line is not None:
        return f"Line {line}"
    return clause or "The agreement"
