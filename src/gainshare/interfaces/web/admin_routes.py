"""Administration pages: the organisations a user administers, their members and roles (add, with a new
account's initial password shown once; remove), and new organisations (system administrators only). The rules
live in AdministrationService; these handlers only read forms and place its problems next to the fields."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response

from gainshare.domain.errors import ConflictError, ForbiddenError, InvalidInputError
from gainshare.domain.issues import Issue, Source
from gainshare.interfaces.web import forms
from gainshare.interfaces.web.admin_deps import Admin
from gainshare.interfaces.web.deps import PageActor
from gainshare.interfaces.web.pages import PageRoute, redirect, render
from gainshare.interfaces.web.views import ROLE_NAMES
from gainshare.services.ports import OrganisationKind, Role
from gainshare.services.workspace import ROLE_KINDS

router = APIRouter(route_class=PageRoute)
ORGANISATION_FIELDS = (
    forms.Field(
        "organisation.ods_code", "ODS code", "For example, QWO for an ICB or Y02345 for a federation", width=10
    ),
    forms.Field("organisation.name", "Name", width=30),
    forms.Field("organisation.kind", "Kind of organisation", kind="radios"),
    forms.Field(
        "organisation.parent", "Federation (practices only)", "The federation's ODS code", width=10, optional=True
    ),
)
MEMBER_FIELDS = (
    forms.Field("user.email", "Email address", "They sign in with it", width=30),
    forms.Field("user.display_name", "Name", "Not needed if they already have an account", width=30),
    forms.Field("membership.role", "Role", kind="select"),
)
KINDS = (("commissioner", "Commissioner (ICB)"), ("federation", "GP federation"), ("practice", "Practice"))
NO_PROBLEMS = forms.PlacedIssues({}, [])


@router.get("/admin")
def admin_home(request: Request, actor: PageActor, admin: Admin) -> Response:
    scope = admin.scope(actor)
    context = {"scope": scope, "kinds": dict(KINDS), "notice": request.query_params.get("done", "")}
    return render(request, "admin/index.html", context)


@router.get("/admin/organisations/new")
def organisation_form(request: Request, actor: PageActor, admin: Admin) -> Response:
    if not admin.scope(actor).system_administrator:
        raise ForbiddenError("only a system administrator creates organisations")
    return _organisation_page(request, {"organisation.kind": "commissioner"}, NO_PROBLEMS)


@router.post("/admin/organisations/new")
def organisation_submit(
    request: Request,
    actor: PageActor,
    admin: Admin,
    ods_code: Annotated[str, Form(alias="organisation.ods_code")] = "",
    name: Annotated[str, Form(alias="organisation.name")] = "",
    kind: Annotated[str, Form(alias="organisation.kind")] = "commissioner",
    parent: Annotated[str, Form(alias="organisation.parent")] = "",
) -> Response:
    values = {"organisation.ods_code": ods_code, "organisation.name": name, "organisation.kind": kind}
    values["organisation.parent"] = parent
    try:
        chosen = OrganisationKind(kind)
        organisation = admin.create_organisation(actor, ods_code, name, chosen, parent)
    except (InvalidInputError, ConflictError, ValueError) as error:
        placed = forms.place(_issues(error, "organisation.ods_code"), ORGANISATION_FIELDS)
        return _organisation_page(request, values, placed, 422)
    return redirect(f"/admin/organisations/{organisation.id}?done=created")


def _organisation_page(
    request: Request, values: dict[str, str], placed: forms.PlacedIssues, status_code: int = 200
) -> Response:
    context = {"fields": {f.path: f for f in ORGANISATION_FIELDS}, "values": values, "placed": placed, "kinds": KINDS}
    return render(request, "admin/organisation_new.html", context, status_code)


@router.get("/admin/organisations/{organisation_id}")
def organisation_page(request: Request, organisation_id: int, actor: PageActor, admin: Admin) -> Response:
    organisation = admin.organisation(actor, organisation_id)
    context = {
        "organisation": organisation,
        "members": admin.members(actor, organisation_id),
        "role_names": ROLE_NAMES,
        "notice": request.query_params.get("done", ""),
        "kinds": dict(KINDS),
    }
    return render(request, "admin/organisation.html", context)


@router.get("/admin/organisations/{organisation_id}/members/new")
def member_form(request: Request, organisation_id: int, actor: PageActor, admin: Admin) -> Response:
    return _member_page(request, admin, actor, organisation_id, {}, NO_PROBLEMS)


@router.post("/admin/organisations/{organisation_id}/members/new")
def member_submit(
    request: Request,
    organisation_id: int,
    actor: PageActor,
    admin: Admin,
    email: Annotated[str, Form(alias="user.email")] = "",
    display_name: Annotated[str, Form(alias="user.display_name")] = "",
    role: Annotated[str, Form(alias="membership.role")] = "",
) -> Response:
    values = {"user.email": email, "user.display_name": display_name, "membership.role": role}
    try:
        chosen = Role(role) if role in {r.value for r in Role} else None
        added = admin.add_member(actor, organisation_id, email, display_name, chosen)
    except (InvalidInputError, ConflictError) as error:
        placed = forms.place(_issues(error, "user.email"), MEMBER_FIELDS)
        return _member_page(request, admin, actor, organisation_id, values, placed, 422)
    organisation = admin.organisation(actor, organisation_id)
    context = {"organisation": organisation, "added": added, "role_name": ROLE_NAMES[added.membership.role]}
    return render(request, "admin/member_added.html", context)


def _member_page(
    request: Request,
    admin: Admin,
    actor: PageActor,
    organisation_id: int,
    values: dict[str, str],
    placed: forms.PlacedIssues,
    status_code: int = 200,
) -> Response:
    organisation = admin.organisation(actor, organisation_id)
    roles = [(role.value, ROLE_NAMES[role]) for role in Role if organisation.kind in ROLE_KINDS[role]]
    context: dict[str, Any] = {
        "organisation": organisation,
        "fields": {f.path: f for f in MEMBER_FIELDS},
        "values": values,
        "placed": placed,
        "roles": roles,
    }
    return render(request, "admin/member_new.html", context, status_code)


@router.post("/admin/organisations/{organisation_id}/members/{user_id}/remove")
def member_remove(
    organisation_id: int, user_id: int, actor: PageActor, admin: Admin, role: Annotated[str, Form()] = ""
) -> Response:
    admin.remove_member(actor, organisation_id, user_id, _role(role))
    return redirect(f"/admin/organisations/{organisation_id}?done=removed")


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise InvalidInputError([Issue("membership.role", "choose a role")]) from None


def _issues(error: Exception, conflict_path: str) -> list[Issue]:
    """The service's problems with their codes as key paths (the fields are named by them); a conflict or a bad
    choice is put on `conflict_path`."""
    if isinstance(error, InvalidInputError):
        return [Issue(issue.code, issue.message, Source(clause=issue.code)) for issue in error.issues]
    if isinstance(error, ConflictError):
        return [Issue("conflict", str(error), Source(clause=conflict_path))]
    return [Issue("organisation.kind", "choose the kind of organisation", Source(clause="organisation.kind"))]
