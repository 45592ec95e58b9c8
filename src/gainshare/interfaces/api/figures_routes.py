"""Uploads of monthly figures, settlements, and the savings dashboard."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, UploadFile

from gainshare.interfaces.api.deps import CurrentActor, Figures, Service
from gainshare.interfaces.api.errors import ERROR_RESPONSES
from gainshare.interfaces.api.models import (
    AgreementId,
    DashboardOut,
    PreviewOut,
    SettleIn,
    SettlementId,
    SettlementOut,
    StatementOut,
    UploadOut,
    VersionNumber,
)

router = APIRouter(responses=ERROR_RESPONSES)
UploadedFile = Annotated[UploadFile, File(description="Figures as CSV, YAML or JSON (see docs/figures).")]


async def _read(file: UploadFile) -> tuple[str, bytes]:
    return file.filename or "upload", await file.read()


@router.post("/agreements/{agreement_id}/uploads/preview", summary="Preview an upload", tags=["uploads"])
async def preview_upload(
    agreement_id: AgreementId, file: UploadedFile, actor: CurrentActor, figures: Figures
) -> PreviewOut:
    """Parses the file and checks it against the agreement's schemes: the rows, and every problem with its row
    and column. Nothing is kept."""
    filename, content = await _read(file)
    return PreviewOut.of(figures.preview(actor, agreement_id, filename, content))


@router.post("/agreements/{agreement_id}/uploads", summary="Commit an upload", tags=["uploads"], status_code=201)
async def commit_upload(
    agreement_id: AgreementId, file: UploadedFile, actor: CurrentActor, figures: Figures
) -> UploadOut:
    """Keeps a clean file as an accepted upload (422 with every problem, and nothing kept, otherwise)."""
    filename, content = await _read(file)
    return UploadOut.of(figures.commit(actor, agreement_id, filename, content))


@router.get("/agreements/{agreement_id}/uploads", summary="The agreement's uploads", tags=["uploads"])
def list_uploads(agreement_id: AgreementId, actor: CurrentActor, service: Service) -> list[UploadOut]:
    """Uploads in the order they were committed."""
    return [UploadOut.of(u) for u in service.list_uploads(actor, agreement_id)]


@router.post(
    "/agreements/{agreement_id}/versions/{number}/settlements/compute",
    summary="Compute a settlement statement",
    tags=["settlements"],
)
def compute_settlement(
    agreement_id: AgreementId, number: VersionNumber, body: SettleIn, actor: CurrentActor, figures: Figures
) -> StatementOut:
    """The statement for one period from an accepted upload, line by line, without posting anything."""
    return StatementOut(statement=figures.compute(actor, agreement_id, number, body.period, body.upload_id))


@router.post(
    "/agreements/{agreement_id}/versions/{number}/settlements",
    summary="Post a settlement to the ledger",
    tags=["settlements"],
)
def post_settlement(
    agreement_id: AgreementId, number: VersionNumber, body: SettleIn, actor: CurrentActor, figures: Figures
) -> SettlementOut:
    """Settles one period of a signed version and posts balanced ledger transactions, once per agreement and
    period. Posting the same version, period and upload again answers the first posting (already_posted);
    anything else for a settled period is 409."""
    outcome = figures.post(actor, agreement_id, number, body.period, body.upload_id)
    return SettlementOut.of(
        outcome.settlement, already_posted=outcome.already_posted, transaction_keys=list(outcome.transaction_keys)
    )


@router.get("/agreements/{agreement_id}/settlements", summary="Posted settlements", tags=["settlements"])
def list_settlements(agreement_id: AgreementId, actor: CurrentActor, service: Service) -> list[SettlementOut]:
    """The agreement's posted settlements, without their statements."""
    return [SettlementOut.of(record) for record in service.list_settlements(actor, agreement_id)]


@router.get(
    "/agreements/{agreement_id}/settlements/{settlement_id}",
    summary="A settlement statement",
    tags=["settlements"],
)
def get_statement(
    agreement_id: AgreementId, settlement_id: SettlementId, actor: CurrentActor, figures: Figures
) -> SettlementOut:
    """The posted settlement with its statement JSON (money as integer pence and decimal strings)."""
    record = figures.statement(actor, agreement_id, settlement_id)
    return SettlementOut.of(record, statement=record.statement)


@router.get("/agreements/{agreement_id}/dashboard", summary="Savings to date against plan", tags=["dashboard"])
def dashboard(agreement_id: AgreementId, actor: CurrentActor, figures: Figures) -> DashboardOut:
    """Per month: baseline, hospital and provision costs, net saving and cumulative net saving, against the
    savings the gain threshold asks for (plan), all in pence, from the latest accepted upload."""
    return DashboardOut.of(figures.dashboard(actor, agreement_id))
