"""Special-cause notifications of an agreement's SPC charts, read or unread for the signed-in user."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from gainshare.bootstrap import Workspace
from gainshare.interfaces.api.deps import CurrentActor, workspace
from gainshare.interfaces.api.errors import ERROR_RESPONSES
from gainshare.interfaces.api.models import AgreementId, MarkedReadOut, NotificationOut

router = APIRouter(responses=ERROR_RESPONSES)
Year = Annotated[Workspace, Depends(workspace)]


@router.get("/agreements/{agreement_id}/notifications", summary="Special-cause notifications", tags=["notifications"])
def list_notifications(agreement_id: AgreementId, actor: CurrentActor, year: Year) -> list[NotificationOut]:
    """Every special-cause signal raised on the agreement's SPC charts, oldest first, each read or unread for the
    signed-in user (reading is per user)."""
    return [NotificationOut.of(n) for n in year.monitoring.notifications(actor, agreement_id)]


@router.post(
    "/agreements/{agreement_id}/notifications/read", summary="Mark all notifications read", tags=["notifications"]
)
def mark_all_read(agreement_id: AgreementId, actor: CurrentActor, year: Year) -> MarkedReadOut:
    """Marks every notification of the agreement read for the signed-in user only (other users keep theirs
    unread), and answers how many were unread. Doing it again marks nothing."""
    return MarkedReadOut(marked=year.monitoring.mark_all_read(actor, agreement_id))
