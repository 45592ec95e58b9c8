"""Administration (organisations, members and roles) and the audit log, a page at a time or as CSV."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi import Path as PathParam

from gainshare.interfaces.api.admin_models import (
    AddedMemberOut,
    AgreementChoicesOut,
    AuditPageOut,
    MemberIn,
    MemberOut,
    OrganisationIn,
    RoleName,
)
from gainshare.interfaces.api.deps import CurrentActor, workspace
from gainshare.interfaces.api.errors import ERROR_RESPONSES
from gainshare.interfaces.api.models import MAX_ID, AgreementId, OrganisationOut
from gainshare.reports.audit_csv import audit_csv
from gainshare.services.administration import AdministrationService
from gainshare.services.audit_log import MAX_PAGE_SIZE, PAGE_SIZE, AuditLogService, AuditPage
from gainshare.services.ports import OrganisationKind, Role

router = APIRouter(responses=ERROR_RESPONSES)
OrganisationId = Annotated[int, PathParam(ge=1, le=MAX_ID, description="The organisation.")]
UserId = Annotated[int, PathParam(ge=1, le=MAX_ID, description="The user.")]
RoleParam = Annotated[RoleName, PathParam(description="The role to remove.")]
ActionQuery = Annotated[str | None, Query(max_length=100, description="Only entries with this action.")]
PageQuery = Annotated[int, Query(ge=1, le=MAX_ID, description="The page, from 1 (past the last: the last).")]
SizeQuery = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Entries per page.")]
CSV_TYPE = "text/csv; charset=utf-8"
CSV_ANSWER: dict[int | str, dict[str, Any]] = {  # the OpenAPI answer of both audit-log.csv routes
    200: {"content": {"text/csv": {}}, "description": "Every matching entry, newest first."}
}


def administration(request: Request) -> AdministrationService:
    return workspace(request).administration


def audit_log(request: Request) -> AuditLogService:
    return workspace(request).audit_log


Admin = Annotated[AdministrationService, Depends(administration)]
Audit = Annotated[AuditLogService, Depends(audit_log)]


@router.get("/counterparties", summary="Who I can start an agreement with", tags=["organisations"])
def counterparties(actor: CurrentActor, admin: Admin) -> AgreementChoicesOut:
    """For commissioner finance: every federation; for a federation manager: every commissioner (names and ODS
    codes are public). Also the user's own organisations where they may start one. Empty for other roles."""
    return AgreementChoicesOut.of(admin.agreement_choices(actor))


@router.post("/organisations", summary="Create an organisation", tags=["administration"], status_code=201)
def create_organisation(body: OrganisationIn, actor: CurrentActor, admin: Admin) -> OrganisationOut:
    """System administrators only. The ODS code is checked and must be new (409 if taken); a practice may name
    its federation by ODS code."""
    kind = OrganisationKind(body.kind)
    return OrganisationOut.of(
        admin.create_organisation(actor, body.ods_code, body.name, kind, body.federation_ods_code)
    )


@router.get("/organisations/{organisation_id}/members", summary="Members and roles", tags=["administration"])
def list_members(organisation_id: OrganisationId, actor: CurrentActor, admin: Admin) -> list[MemberOut]:
    """The organisation's members and their roles, for its administrators and system administrators."""
    return [MemberOut.of(member) for member in admin.members(actor, organisation_id)]


@router.post(
    "/organisations/{organisation_id}/members", summary="Add a member", tags=["administration"], status_code=201
)
def add_member(organisation_id: OrganisationId, body: MemberIn, actor: CurrentActor, admin: Admin) -> AddedMemberOut:
    """Gives someone a role (409 if they hold it already). If the email has no account, one is created with a
    random initial password returned in this answer only (only its Argon2 hash is kept): hand it over safely."""
    added = admin.add_member(actor, organisation_id, body.email, body.display_name, Role(body.role))
    return AddedMemberOut.of(added)


@router.delete(
    "/organisations/{organisation_id}/members/{user_id}/roles/{role}",
    summary="Remove a role",
    tags=["administration"],
    status_code=204,
)
def remove_member(
    organisation_id: OrganisationId, user_id: UserId, role: RoleParam, actor: CurrentActor, admin: Admin
) -> Response:
    """Takes the role away (the account stays). 409 for the organisation's last administrator."""
    admin.remove_member(actor, organisation_id, user_id, Role(role))
    return Response(status_code=204)


@router.get("/organisations/{organisation_id}/audit-log", summary="Organisation audit log", tags=["audit"])
def organisation_log(
    organisation_id: OrganisationId,
    actor: CurrentActor,
    audit: Audit,
    action: ActionQuery = None,
    page: PageQuery = 1,
    page_size: SizeQuery = PAGE_SIZE,
) -> AuditPageOut:
    """Changes to the organisation and its members, and to every agreement it is a party to, newest first.
    For its administrators and system administrators."""
    return AuditPageOut.of(audit.for_organisation(actor, organisation_id, action, page, page_size))


@router.get(
    "/organisations/{organisation_id}/audit-log.csv",
    summary="Organisation audit log as CSV",
    tags=["audit"],
    response_class=Response,
    responses=CSV_ANSWER,
)
def organisation_log_csv(
    organisation_id: OrganisationId, actor: CurrentActor, audit: Audit, action: ActionQuery = None
) -> Response:
    """Every entry matching the filter (not one page): id, at_utc, actor_id, actor, action, entity, agreement_id,
    details (JSON)."""
    return _csv(
        audit.for_organisation(actor, organisation_id, action, page_size=None), f"organisation-{organisation_id}"
    )


@router.get("/agreements/{agreement_id}/audit-log", summary="Agreement audit log, a page at a time", tags=["audit"])
def agreement_log(
    agreement_id: AgreementId,
    actor: CurrentActor,
    audit: Audit,
    action: ActionQuery = None,
    page: PageQuery = 1,
    page_size: SizeQuery = PAGE_SIZE,
) -> AuditPageOut:
    """The agreement's changes, newest first, with the names of the people who made them; for anyone who may
    read the agreement."""
    return AuditPageOut.of(audit.for_agreement(actor, agreement_id, action, page, page_size))


@router.get(
    "/agreements/{agreement_id}/audit-log.csv",
    summary="Agreement audit log as CSV",
    tags=["audit"],
    response_class=Response,
    responses=CSV_ANSWER,
)
def agreement_log_csv(
    agreement_id: AgreementId, actor: CurrentActor, audit: Audit, action: ActionQuery = None
) -> Response:
    """Every entry matching the filter (not one page), as for the organisation's CSV."""
    return _csv(audit.for_agreement(actor, agreement_id, action, page_size=None), f"agreement-{agreement_id}")


def _csv(page: AuditPage, name: str) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="audit-log-{name}.csv"'}
    return Response(audit_csv(page), media_type=CSV_TYPE, headers=headers)
