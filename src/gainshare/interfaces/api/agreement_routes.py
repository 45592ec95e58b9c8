"""Organisations, agreements and their versions: create, read, save drafts, propose, sign, diff, audit."""

from __future__ import annotations

from fastapi import APIRouter

from gainshare.interfaces.api.deps import CurrentActor, Service
from gainshare.interfaces.api.errors import ERROR_RESPONSES
from gainshare.interfaces.api.models import (
    AgreementId,
    AgreementIn,
    AgreementOut,
    AuditOut,
    BalancesOut,
    ClauseChangeOut,
    DiffOut,
    DraftIn,
    NumberQuery,
    OrganisationOut,
    ProposeIn,
    SignIn,
    VersionNumber,
    VersionOut,
    VersionSummaryOut,
)

router = APIRouter(responses=ERROR_RESPONSES)


@router.get("/organisations", summary="My organisations", tags=["organisations"])
def list_organisations(actor: CurrentActor, service: Service) -> list[OrganisationOut]:
    """Organisations the signed-in user belongs to (a practice viewer also sees the practice's federation)."""
    return [OrganisationOut.of(o) for o in service.my_organisations(actor)]


@router.get("/agreements", summary="Agreements shared with me", tags=["agreements"])
def list_agreements(actor: CurrentActor, service: Service) -> list[AgreementOut]:
    """Agreements that any of the user's organisations is a party to."""
    return [AgreementOut.of(a) for a in service.list_agreements(actor)]


@router.post("/agreements", summary="Start an agreement", tags=["agreements"], status_code=201)
def create_agreement(body: AgreementIn, actor: CurrentActor, service: Service) -> VersionOut:
    """Creates the agreement and its draft version 1 from the text. Commissioner finance or a federation
    manager of one of the two parties only; the text's party ODS codes must match the organisations."""
    version = service.create_agreement(actor, body.title, body.commissioner_id, body.provider_id, body.content)
    return VersionOut.full(version, [])


@router.get("/agreements/{agreement_id}", summary="One agreement", tags=["agreements"])
def get_agreement(agreement_id: AgreementId, actor: CurrentActor, service: Service) -> AgreementOut:
    """The agreement's parties and title (its text is in its versions)."""
    return AgreementOut.of(service.get_agreement(actor, agreement_id))


@router.get("/agreements/{agreement_id}/versions", summary="The agreement's versions", tags=["versions"])
def list_versions(agreement_id: AgreementId, actor: CurrentActor, service: Service) -> list[VersionSummaryOut]:
    """Every version by number, without the text."""
    return [VersionSummaryOut.of(v) for v in service.list_versions(actor, agreement_id)]


@router.get("/agreements/{agreement_id}/versions/{number}", summary="One version with its text", tags=["versions"])
def get_version(agreement_id: AgreementId, number: VersionNumber, actor: CurrentActor, service: Service) -> VersionOut:
    """The version's text, status, lock_version (send it back when saving) and signatures."""
    version = service.get_version(actor, agreement_id, number)
    return VersionOut.full(version, service.signatures(actor, agreement_id, number))


@router.post("/agreements/{agreement_id}/draft", summary="Save a draft", tags=["versions"])
def save_draft(agreement_id: AgreementId, body: DraftIn, actor: CurrentActor, service: Service) -> VersionOut:
    """Saves text edited from the latest version. A draft or proposed latest version is changed in place (and
    is a draft again); a signed one is kept and the text becomes a new draft version. 409 when someone else
    saved in between (the lock_version moved): reload and edit again. Nothing is ever silently overwritten."""
    version = service.save_draft(actor, agreement_id, body.based_on, body.lock_version, body.content)
    return VersionOut.full(version, [])


@router.post("/agreements/{agreement_id}/versions/{number}/propose", summary="Propose a draft", tags=["versions"])
def propose(
    agreement_id: AgreementId, number: VersionNumber, body: ProposeIn, actor: CurrentActor, service: Service
) -> VersionOut:
    """Moves a draft to proposed, ready for both organisations to sign. 409 on a stale lock_version."""
    version = service.propose(actor, agreement_id, number, body.lock_version)
    return VersionOut.full(version, service.signatures(actor, agreement_id, number))


@router.post("/agreements/{agreement_id}/versions/{number}/sign", summary="Sign a version", tags=["versions"])
def sign(
    agreement_id: AgreementId, number: VersionNumber, body: SignIn, actor: CurrentActor, service: Service
) -> VersionOut:
    """Signs the proposed text (named by its sha256) for one of the parties: commissioner finance for the
    commissioner, a federation manager for the federation. Once both have signed, the version is frozen."""
    version = service.sign(actor, agreement_id, number, body.organisation_id, body.content_sha256)
    return VersionOut.full(version, service.signatures(actor, agreement_id, number))


@router.get("/agreements/{agreement_id}/diff", summary="Differences between two versions", tags=["versions"])
def diff(
    agreement_id: AgreementId,
    from_number: NumberQuery,
    to_number: NumberQuery,
    actor: CurrentActor,
    service: Service,
) -> DiffOut:
    """Clause by clause: what was added, removed or changed from one version (`from_number`) to another."""
    changes = service.diff(actor, agreement_id, from_number, to_number)
    return DiffOut(
        agreement_id=agreement_id,
        from_number=from_number,
        to_number=to_number,
        changes=[ClauseChangeOut(clause=c.clause, kind=c.kind, before=c.before, after=c.after) for c in changes],
    )


@router.get("/agreements/{agreement_id}/ledger", summary="Ledger balances", tags=["settlements"])
def ledger(agreement_id: AgreementId, actor: CurrentActor, service: Service) -> BalancesOut:
    """Balances by account over the agreement's posted transactions, in pence (debits positive)."""
    balances = service.ledger_balances(actor, agreement_id)
    return BalancesOut(balances_pence={account: amount.pence for account, amount in balances.items()})


@router.get("/agreements/{agreement_id}/audit", summary="Audit log", tags=["audit"])
def audit(agreement_id: AgreementId, actor: CurrentActor, service: Service) -> list[AuditOut]:
    """Every change to the agreement, oldest first: who, when, what."""
    return [AuditOut.of(entry) for entry in service.audit_trail(actor, agreement_id)]
