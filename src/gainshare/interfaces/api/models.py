"""Request and response bodies of the JSON API. Money is integer pence (fields ending _pence); never floats."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import Path as PathParam
from fastapi import Query
from pydantic import BaseModel, ConfigDict, Field

from gainshare.interfaces.api.errors import IssueOut, issue_out
from gainshare.services.figures_uploads import Dashboard, MonthSavings, UploadPreview
from gainshare.services.ports import (
    AgreementRecord,
    AgreementVersion,
    AuditEntry,
    Membership,
    Notification,
    Organisation,
    SettlementRecord,
    Signature,
    Upload,
    User,
)

MAX_ID = 2**31 - 1  # ids, version numbers and lock versions fit a 32-bit column on every database
AgreementId = Annotated[int, PathParam(ge=1, le=MAX_ID, description="The agreement.")]
VersionNumber = Annotated[int, PathParam(ge=1, le=MAX_ID, description="The version number, from 1.")]
SettlementId = Annotated[int, PathParam(ge=1, le=MAX_ID, description="The settlement.")]
NumberQuery = Annotated[int, Query(ge=1, le=MAX_ID, description="A version number.")]


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginIn(BaseModel):
    """Email and password of a workspace user."""

    email: str = Field(max_length=320, description="The user's email address.")
    password: str = Field(max_length=1024, description="The user's password.")


class CsrfOut(Out):
    """The session's CSRF token: send it as the X-CSRF-Token header on every POST."""

    csrf_token: str = Field(description="Token for the X-CSRF-Token header (or the csrf_token form field).")


class MembershipOut(Out):
    """A role the user holds in an organisation."""

    organisation_id: int = Field(description="The organisation.")
    role: str = Field(description="commissioner_finance, federation_manager, practice_viewer or administrator.")

    @classmethod
    def of(cls, membership: Membership) -> MembershipOut:
        return cls(organisation_id=membership.organisation_id, role=membership.role.value)


class MeOut(Out):
    """The signed-in user, their roles, and the session's CSRF token."""

    id: int = Field(description="User id.")
    email: str = Field(description="Email address.")
    display_name: str = Field(description="Name shown to other users.")
    memberships: list[MembershipOut] = Field(description="Roles by organisation.")
    csrf_token: str = Field(description="Token for the X-CSRF-Token header.")
    password_change_required: bool = Field(
        description="True when an administrator chose the password: until it is changed (POST "
        "/api/account/password) every other route answers 403 password_change_required."
    )

    @classmethod
    def of(cls, user: User, memberships: list[Membership], csrf_token: str) -> MeOut:
        return cls(
            id=user.id,
            email=user.email,
            display_name=user.display_name,
            memberships=[MembershipOut.of(m) for m in memberships],
            csrf_token=csrf_token,
            password_change_required=user.password_change_required,
        )


class PasswordChangeIn(BaseModel):
    """The signed-in user's current password and the new one they choose."""

    current_password: str = Field(max_length=1024, description="The password the user signed in with.")
    new_password: str = Field(
        max_length=1024,
        description="At least 12 characters, not the email address, different from the current password.",
    )


class OrganisationOut(Out):
    """An organisation: a commissioner (ICB), a GP federation, or a member practice."""

    id: int = Field(description="Organisation id.")
    ods_code: str = Field(description="ODS organisation code.")
    name: str = Field(description="Name.")
    kind: str = Field(description="commissioner, federation or practice.")
    parent_id: int | None = Field(description="A practice's federation.")

    @classmethod
    def of(cls, organisation: Organisation) -> OrganisationOut:
        return cls(
            id=organisation.id,
            ods_code=organisation.ods_code,
            name=organisation.name,
            kind=organisation.kind.value,
            parent_id=organisation.parent_id,
        )


class AgreementIn(BaseModel):
    """A new agreement between a commissioner and a federation, starting from the text of version 1."""

    title: str = Field(min_length=1, max_length=300, description="Title shown in lists.")
    commissioner_id: int = Field(ge=1, le=MAX_ID, description="The commissioner organisation.")
    provider_id: int = Field(ge=1, le=MAX_ID, description="The federation organisation.")
    content: str = Field(max_length=1_000_000, description="The agreement file text (YAML or JSON).")


class AgreementOut(Out):
    """An agreement between two organisations; its text lives in versions."""

    id: int = Field(description="Agreement id.")
    title: str = Field(description="Title.")
    commissioner_id: int = Field(description="The commissioner organisation.")
    provider_id: int = Field(description="The federation organisation.")
    created_by: int = Field(description="User who started it.")
    created_at: datetime = Field(description="When it was started.")

    @classmethod
    def of(cls, record: AgreementRecord) -> AgreementOut:
        return cls(
            id=record.id,
            title=record.title,
            commissioner_id=record.commissioner_id,
            provider_id=record.provider_id,
            created_by=record.created_by,
            created_at=record.created_at,
        )


class VersionSummaryOut(Out):
    """A version without its text."""

    agreement_id: int = Field(description="The agreement.")
    number: int = Field(description="Version number, from 1.")
    status: str = Field(description="draft, proposed or signed (frozen).")
    content_sha256: str = Field(description="sha256 of the text; what a signature signs.")
    lock_version: int = Field(description="Send it back when saving or proposing (optimistic locking).")
    created_by: int = Field(description="User who created the version.")
    created_at: datetime = Field(description="When the version was created.")

    @classmethod
    def of(cls, version: AgreementVersion) -> VersionSummaryOut:
        return cls(
            agreement_id=version.agreement_id,
            number=version.number,
            status=version.status.value,
            content_sha256=version.content_sha256,
            lock_version=version.lock_version,
            created_by=version.created_by,
            created_at=version.created_at,
        )


class SignatureOut(Out):
    """One organisation's sign-off of a version's text."""

    organisation_id: int = Field(description="The organisation signing.")
    user_id: int = Field(description="Who signed for it.")
    content_sha256: str = Field(description="The text signed.")
    signed_at: datetime = Field(description="When.")

    @classmethod
    def of(cls, signature: Signature) -> SignatureOut:
        return cls(
            organisation_id=signature.organisation_id,
            user_id=signature.user_id,
            content_sha256=signature.content_sha256,
            signed_at=signature.signed_at,
        )


class VersionOut(VersionSummaryOut):
    """A version with its text and signatures."""

    content: str = Field(description="The agreement file text.")
    signatures: list[SignatureOut] = Field(description="Sign-offs so far.")

    @classmethod
    def full(cls, version: AgreementVersion, signatures: list[Signature]) -> VersionOut:
        summary = VersionSummaryOut.of(version).model_dump()
        return cls(**summary, content=version.content, signatures=[SignatureOut.of(s) for s in signatures])


class DraftIn(BaseModel):
    """Text edited from version `based_on` as it stood at `lock_version`."""

    based_on: int = Field(ge=1, le=MAX_ID, description="The version number the edit started from (the latest).")
    lock_version: int = Field(ge=0, le=MAX_ID, description="That version's lock_version when it was read.")
    content: str = Field(max_length=1_000_000, description="The new agreement file text.")


class ProposeIn(BaseModel):
    """Propose a draft for signing."""

    lock_version: int = Field(ge=0, le=MAX_ID, description="The draft's lock_version when it was read.")


class SignIn(BaseModel):
    """Sign a proposed version's text for one of the agreement's organisations."""

    organisation_id: int = Field(
        ge=1, le=MAX_ID, description="The organisation you sign for (yours, a party to the agreement)."
    )
    content_sha256: str = Field(max_length=64, description="sha256 of the text you read (content_sha256).")


class ClauseChangeOut(Out):
    """One clause added, removed or changed between two versions."""

    clause: str = Field(description="Clause key path, e.g. sharing.gains.provider_share.")
    kind: str = Field(description="added, removed or changed.")
    before: str | None = Field(description="The value before (None when added).")
    after: str | None = Field(description="The value after (None when removed).")


class DiffOut(Out):
    """Clause-by-clause differences from one version to another."""

    agreement_id: int = Field(description="The agreement.")
    from_number: int = Field(description="Version compared from.")
    to_number: int = Field(description="Version compared to.")
    changes: list[ClauseChangeOut] = Field(description="The changed clauses, in clause order.")


class SchemeRowOut(Out):
    """One parsed figures row."""

    row: int | None = Field(description="Row in the file (CSV: 2 is the first data row; YAML: item number).")
    period: str = Field(description="The span the row covers, e.g. 2025-04.")
    scheme: str = Field(description="Scheme id.")
    baseline_activity: str | None = Field(description="Decimal string.")
    actual_activity: str | None = Field(description="Decimal string.")
    provision_activity: str | None = Field(description="Decimal string.")
    baseline_cost_pence: int | None = Field(description="Given directly, in pence.")
    actual_cost_pence: int | None = Field(description="Given directly, in pence.")
    provision_cost_pence: int | None = Field(description="Given directly, in pence.")


class PreviewOut(Out):
    """What an upload would add: the parsed rows and every problem (nothing is kept by a preview)."""

    filename: str = Field(description="The uploaded file's name.")
    sha256: str = Field(description="sha256 of the bytes.")
    ok: bool = Field(description="True when there are no problems and the upload can be committed.")
    rows: list[SchemeRowOut] = Field(description="Parsed rows (empty when the file cannot be read).")
    issues: list[IssueOut] = Field(description="Problems, each naming row and column.")

    @classmethod
    def of(cls, preview: UploadPreview) -> PreviewOut:
        return cls(
            filename=preview.filename,
            sha256=preview.sha256,
            ok=preview.ok,
            rows=[_row(row) for row in preview.rows],
            issues=[issue_out(issue) for issue in preview.issues],
        )


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _pence(value: Any) -> int | None:
    return None if value is None else int(value.pence)


def _row(row: Any) -> SchemeRowOut:
    return SchemeRowOut(
        row=row.source_row,
        period=row.span.id,
        scheme=row.scheme,
        baseline_activity=_text(row.baseline_activity),
        actual_activity=_text(row.actual_activity),
        provision_activity=_text(row.provision_activity),
        baseline_cost_pence=_pence(row.baseline_cost),
        actual_cost_pence=_pence(row.actual_cost),
        provision_cost_pence=_pence(row.provision_cost),
    )


class UploadOut(Out):
    """A committed upload of figures."""

    id: int = Field(description="Upload id.")
    agreement_id: int = Field(description="The agreement.")
    filename: str = Field(description="File name as uploaded.")
    sha256: str = Field(description="sha256 of the bytes.")
    row_count: int = Field(description="Figures rows.")
    status: str = Field(description="received, accepted or rejected.")
    uploaded_by: int = Field(description="Who uploaded it.")
    uploaded_at: datetime = Field(description="When.")

    @classmethod
    def of(cls, upload: Upload) -> UploadOut:
        return cls(
            id=upload.id,
            agreement_id=upload.agreement_id,
            filename=upload.filename,
            sha256=upload.sha256,
            row_count=upload.row_count,
            status=upload.status.value,
            uploaded_by=upload.uploaded_by,
            uploaded_at=upload.uploaded_at,
        )


class SettleIn(BaseModel):
    """Settle one period of a signed version from an accepted upload."""

    period: str = Field(max_length=40, description="Settlement period id, e.g. 2025-26.")
    upload_id: int = Field(ge=1, le=MAX_ID, description="The accepted upload holding the figures.")


class StatementOut(Out):
    """A settlement statement as computed (not posted): lines with pence and decimal strings."""

    statement: dict[str, Any] = Field(description="The statement; money as integer pence plus decimal strings.")


class SettlementOut(Out):
    """A settlement posted to the ledger."""

    id: int = Field(description="Settlement id.")
    version_id: int = Field(description="The signed version's id.")
    period: str = Field(description="Settlement period id.")
    net_saving_pence: int = Field(description="Net saving to the commissioner, pence.")
    baseline_cost_pence: int = Field(description="Adjusted baseline cost, pence.")
    upload_id: int | None = Field(description="The upload whose figures were settled.")
    created_by: int = Field(description="Who posted it.")
    created_at: datetime = Field(description="When.")
    already_posted: bool = Field(False, description="True when this answers an earlier identical posting.")
    transaction_keys: list[str] = Field(default_factory=list, description="Ledger transactions posted now.")
    statement: dict[str, Any] | None = Field(None, description="The statement (on the statement route).")

    @classmethod
    def of(cls, record: SettlementRecord, **extra: Any) -> SettlementOut:
        return cls(
            id=record.id,
            version_id=record.version_id,
            period=record.period,
            net_saving_pence=record.net_saving.pence,
            baseline_cost_pence=record.baseline_cost.pence,
            upload_id=record.upload_id,
            created_by=record.created_by,
            created_at=record.created_at,
            **extra,
        )


class BalancesOut(Out):
    """Ledger balances of one agreement, by account (debits positive), pence."""

    balances_pence: dict[str, int] = Field(description="Account -> balance in pence.")


class MonthOut(Out):
    """One month of savings to date against the plan."""

    month: str = Field(description="YYYY-MM.")
    baseline_cost_pence: int = Field(description="Adjusted baseline cost, pence.")
    actual_cost_pence: int = Field(description="Hospital cost, pence.")
    provision_cost_pence: int = Field(description="Out-of-hospital provision cost, pence.")
    net_saving_pence: int = Field(description="Net saving in the month, pence.")
    cumulative_net_saving_pence: int = Field(description="Net saving to date, pence.")
    plan_pence: int | None = Field(description="Savings the gain threshold asks for in the month, pence.")
    cumulative_plan_pence: int | None = Field(description="Plan to date, pence.")

    @classmethod
    def of(cls, month: MonthSavings) -> MonthOut:
        return cls(
            month=month.month,
            baseline_cost_pence=month.baseline_cost.pence,
            actual_cost_pence=month.actual_cost.pence,
            provision_cost_pence=month.provision_cost.pence,
            net_saving_pence=month.net_saving.pence,
            cumulative_net_saving_pence=month.cumulative_net_saving.pence,
            plan_pence=None if month.plan is None else month.plan.pence,
            cumulative_plan_pence=None if month.cumulative_plan is None else month.cumulative_plan.pence,
        )


class DashboardOut(Out):
    """Savings to date against plan, per month, from the latest accepted upload."""

    agreement_id: int = Field(description="The agreement.")
    version: int | None = Field(description="Version whose prices were used (newest signed, else latest).")
    upload_id: int | None = Field(description="Upload whose figures were used (None: no upload yet).")
    months: list[MonthOut] = Field(description="Months in order.")

    @classmethod
    def of(cls, dashboard: Dashboard) -> DashboardOut:
        return cls(
            agreement_id=dashboard.agreement_id,
            version=dashboard.version,
            upload_id=dashboard.upload_id,
            months=[MonthOut.of(m) for m in dashboard.months],
        )


class AuditOut(Out):
    """One audit log entry (never changed or removed)."""

    id: int = Field(description="Entry id.")
    actor_id: int | None = Field(description="User, or None for the system.")
    at: datetime = Field(description="When.")
    action: str = Field(description="What happened, e.g. version.signed_by.")
    entity: str = Field(description="What it happened to, e.g. agreement/1/version/2.")
    details: dict[str, Any] = Field(description="Details of the change.")

    @classmethod
    def of(cls, entry: AuditEntry) -> AuditOut:
        return cls(
            id=entry.id,
            actor_id=entry.actor_id,
            at=entry.at,
            action=entry.action,
            entity=entry.entity,
            details=entry.details,
        )


class NotificationOut(Out):
    """A special-cause signal on one of the agreement's SPC charts, raised once."""

    id: int = Field(description="Notification id.")
    agreement_id: int = Field(description="The agreement.")
    scheme: str = Field(description="The scheme id.")
    practice: str = Field(description="The practice's ODS code; empty for the scheme-wide chart.")
    rule: str = Field(description="outside-limits, trend, two-in-three or shift.")
    month: str = Field(description="The first month of the run of points the rule marks, e.g. 2025-06.")
    point_type: str = Field(description="special-cause-improvement, -concern, -neutral-high or -neutral-low.")
    detected_in: str = Field(description="The latest month of the actuals when the signal was first seen.")
    created_at: datetime = Field(description="When.")
    read: bool = Field(description="Whether the signed-in user has read it.")

    @classmethod
    def of(cls, notification: Notification) -> NotificationOut:
        return cls(
            id=notification.id,
            agreement_id=notification.agreement_id,
            scheme=notification.scheme,
            practice=notification.practice,
            rule=notification.rule,
            month=notification.month,
            point_type=notification.point_type,
            detected_in=notification.detected_in,
            created_at=notification.created_at,
            read=notification.read,
        )


class MarkedReadOut(Out):
    """How many notifications were marked read."""

    marked: int = Field(description="Notifications that were unread for the signed-in user and are read now.")
