"""Year end: prior-period adjustments of a posted period whose actuals were revised after it was posted."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from gainshare.bootstrap import Workspace
from gainshare.interfaces.api.deps import CurrentActor, workspace
from gainshare.interfaces.api.errors import ERROR_RESPONSES
from gainshare.interfaces.api.models import AgreementId
from gainshare.interfaces.api.yearend_models import AdjustmentOut, AdjustmentStateOut, PendingAdjustmentOut, Period

router = APIRouter(responses=ERROR_RESPONSES)
Year = Annotated[Workspace, Depends(workspace)]


@router.get(
    "/agreements/{agreement_id}/year-end/{period}/adjustment",
    summary="What a prior-period adjustment would post",
    tags=["year-end"],
)
def get_adjustment(agreement_id: AgreementId, period: Period, actor: CurrentActor, year: Year) -> AdjustmentStateOut:
    """Whether the period is posted at the year end, what an adjustment would post now if its actuals were revised
    since (each party's share, the statement lines that moved and each distribution recipient: posted, now and the
    difference; the months revised; the balanced transactions), and the adjustments posted. Reads only."""
    pending = year.yearend.adjustment(actor, agreement_id, period)
    return AdjustmentStateOut(
        period=period,
        posted=year.yearend.posting(actor, agreement_id, period) is not None,
        pending=None if pending is None else PendingAdjustmentOut.of(pending),
        adjustments=[AdjustmentOut.of(a) for a in year.yearend.adjustments(actor, agreement_id, period)],
    )


@router.post(
    "/agreements/{agreement_id}/year-end/{period}/adjustments",
    summary="Post the prior-period adjustment",
    tags=["year-end"],
)
def post_adjustment(agreement_id: AgreementId, period: Period, actor: CurrentActor, year: Year) -> AdjustmentOut:
    """Posts the difference between the period as posted (with its earlier adjustments) and as its actuals settle it
    now, once: never rewriting what was posted. Both parties sign the revised statement first, as they signed the
    statement first posted (409 otherwise). Posting again with nothing left to adjust answers the last adjustment
    (already_posted); a period not posted, or with nothing to adjust, is 409."""
    return AdjustmentOut.posting(year.signoff.post_adjustment(actor, agreement_id, period))
