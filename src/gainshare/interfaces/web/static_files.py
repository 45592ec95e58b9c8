"""Static files: NHS.UK frontend and htmx from node_modules (installed by `npm ci` at build time), plotly.js from
the plotly wheel, and this package's own small script and styles. Nothing comes from a CDN."""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from gainshare.config import Settings

log = logging.getLogger("gainshare.web")
OWN = Path(__file__).parent / "static"


def plotly_folder() -> Path:
    """The plotly wheel's package_data folder (it holds plotly.min.js)."""
    spec = importlib.util.find_spec("plotly")
    if spec is None or spec.origin is None:
        raise RuntimeError("the plotly package is not installed: pip install -e '.[dev]'")
    return Path(spec.origin).parent / "package_data"


def folders(settings: Settings) -> dict[str, Path]:
    """URL prefix -> folder. /assets is where the NHS.UK stylesheet looks for its icons."""
    nhsuk = settings.frontend_dist / "nhsuk"
    return {
        "/assets": nhsuk / "assets",
        "/static/nhsuk": nhsuk,
        "/static/htmx": settings.frontend_dist.parents[1] / "htmx.org" / "dist",
        "/static/plotly": plotly_folder(),
        "/static/app": OWN,
    }


def mount_static(app: FastAPI, settings: Settings) -> None:
    for prefix, folder in folders(settings).items():
        if not folder.is_dir():
            log.warning("%s is missing: run `npm ci` in the repository (pages will have no styles)", folder)
        app.mount(prefix, StaticFiles(directory=folder, check_dir=False), name=prefix.strip("/").replace("/", "-"))
