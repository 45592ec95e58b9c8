"""The landscape page (any signed-in user): HSJ's 2015 survey of the 63 CCGs with delegated primary care
commissioning on incentivising GP federation, as a filterable table (status, ICB, sub-ICB location, notes) and a
schematic tile map of today's ICBs (reports/landscape_map.py, a PNG drawn once per process from packaged data)."""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

from fastapi import APIRouter, Request, Response

from gainshare.adapters.icb_tiles import load_icb_tiles
from gainshare.adapters.landscape import load_landscape, select
from gainshare.domain.incentives import SurveyEntry, SurveyStatus
from gainshare.interfaces.web.deps import PageActor
from gainshare.interfaces.web.pages import PageRoute, render
from gainshare.reports.landscape_map import CAPTION, STATUS_LABELS

router = APIRouter(route_class=PageRoute)
STATUS_NAMES = {
    SurveyStatus.PLANNING: "Planning to incentivise",
    SurveyStatus.NOT_PLANNING: "Not planning to",
    SurveyStatus.FEDERATED: "Already federated",
}


@router.get("/landscape")
def landscape(request: Request, _actor: PageActor, status: str = "", icb: str = "") -> Response:
    entries = load_landscape()
    chosen = next((s for s in SurveyStatus if s.value == status), None)
    icbs = sorted({(entry.icb_code, entry.icb_name) for entry in entries}, key=lambda item: item[1])
    wanted = icb.strip().upper() if any(code == icb.strip().upper() for code, _ in icbs) else None
    shown = select(entries, chosen, wanted)
    context = {
        "entries": shown,
        "total": len(entries),
        "counts": [(s, STATUS_NAMES[s], STATUS_LABELS[s], _count(entries, s)) for s in SurveyStatus],
        "statuses": [(s.value, STATUS_NAMES[s]) for s in SurveyStatus],
        "icbs": icbs,
        "status": chosen.value if chosen else "",
        "icb": wanted or "",
        "status_names": STATUS_NAMES,
        "caption": CAPTION,
        "section": "landscape",
    }
    return render(request, "landscape/landscape.html", context)


@router.get("/landscape/map.png")
def landscape_map(_actor: PageActor) -> Response:
    return Response(_map_png(), media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})


def _count(entries: tuple[SurveyEntry, ...], status: SurveyStatus) -> int:
    return sum(1 for entry in entries if entry.status is status)


@functools.cache
def _map_png() -> bytes:
    """The tile map of the packaged survey and tiles, drawn once (the data ships with the package)."""
    from gainshare.reports.landscape_map import render_landscape_png  # noqa: PLC0415 (matplotlib on first use)

    with tempfile.TemporaryDirectory(prefix="gainshare-landscape-") as folder:
        path = render_landscape_png(load_icb_tiles(), load_landscape(), Path(folder) / "landscape.png", dpi=110)
        return path.read_bytes()
