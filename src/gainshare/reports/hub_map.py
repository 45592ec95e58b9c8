"""Maps of a hub-and-spoke layout: a static PNG for reports (matplotlib), a self-contained HTML map (inline SVG and
a few lines of script: no CDN, no tiles unless asked for, so it works offline), and the map's SVG alone
(`map_svg`, no script) for the web app, whose own static script adds panning and zooming.

Practices are dots sized by demand, each joined to its hub by a line; hubs are highlighted; other candidate sites
are hollow. Positions use Web Mercator in the HTML map (so optional slippy-map tiles line up) and an
equirectangular projection with the aspect corrected for latitude in the PNG.
"""

from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gainshare.domain.hubs import GeoPoint, HubPlan, Site
from gainshare.services.hubs import HubReport

HUB_COLOUR = "#d5281b"  # NHS red
PRACTICE_COLOUR = "#005eb8"  # NHS blue
LINE_COLOUR = "#768692"  # NHS mid grey
CANDIDATE_COLOUR = "#425563"
SVG_WIDTH = 900
SVG_HEIGHT = 640
TILE_SIZE = 256
MAX_TILES = 64


@dataclass(frozen=True)
class TileLayer:
    """Slippy-map tiles, e.g. url 'https://tile.openstreetmap.org/{z}/{x}/{y}.png' with its attribution. Only used
    when given: the map needs no network without it."""

    url: str
    attribution: str


def plan_as_dict(report: HubReport) -> dict[str, Any]:
    """The report as JSON-ready data: travel as rounded numbers, money as pence integers and decimal strings."""
    plan = report.plan
    data: dict[str, Any] = {
        "unit": report.unit.value,
        "circuity": report.circuity,
        "curve": [
            {
                "hubs": p.hubs,
                "average_travel": _round(p.average_travel),
                "worst_travel": _round(p.worst_travel),
                "gap": p.gap,
                "sites": list(p.sites),
            }
            for p in report.curve
        ],
        "warnings": [issue.render() for issue in report.warnings],
    }
    if plan is not None:
        data["plan"] = _plan_dict(plan)
    if report.flows is not None:
        data["flows"] = {
            "price_pence": report.flows.price.pence,
            "total_items": report.flows.total_items,
            "inter_practice_pence": report.flows.inter_practice_amount.pence,
            "cells": [
                {
                    "referring": f.referring,
                    "providing": f.providing,
                    "items": f.items,
                    "amount_pence": f.amount.pence,
                    "amount": f.amount.plain(),
                    "internal": f.internal,
                }
                for f in report.flows
            ],
        }
    return data


def _plan_dict(plan: HubPlan) -> dict[str, Any]:
    return {
        "service_line": plan.service_line,
        "hubs": list(plan.hubs),
        "method": plan.method.value,
        "proven_optimal": plan.proven_optimal,
        "objective": _round(plan.objective),
        "lower_bound": _round(plan.lower_bound),
        "gap": plan.gap,
        "months": plan.months,
        "average_travel": _round(plan.average_travel),
        "worst_travel": _round(plan.worst_travel),
        "loads": [
            {
                "hub": load.hub,
                "practices": load.practices,
                "items": load.items,
                "sessions_needed_per_month": load.sessions_needed,
                "sessions_available_per_month": load.sessions_available,
            }
            for load in plan.loads
        ],
        "assignments": [
            {"practice": a.practice, "hub": a.hub, "items": a.items, "travel": _round(a.travel)}
            for a in plan.assignments
        ],
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


@dataclass(frozen=True)
class _Layout:
    """Everything a map draws, located."""

    practices: list[tuple[Site, GeoPoint, int]]  # site, where, items
    hubs: list[tuple[Site, GeoPoint]]
    others: list[tuple[Site, GeoPoint]]  # candidate sites not chosen
    lines: list[tuple[GeoPoint, GeoPoint]]
    title: str


def _layout(report: HubReport) -> _Layout:
    plan = report.plan
    if plan is None:
        raise ValueError("the report has no plan to map: ask for a number of hubs")
    sites = {site.code: site for site in report.candidates}
    practices = {site.code: site for site in report.practices}
    hubs = [(site, site.point) for site in (sites[code] for code in plan.hubs) if site.point is not None]
    others = [
        (s, s.point)
        for s in report.candidates
        if s.code not in plan.hubs and s.code not in practices and s.point is not None
    ]  # a practice that is a candidate is already drawn as a practice
    located: list[tuple[Site, GeoPoint, int]] = []
    lines: list[tuple[GeoPoint, GeoPoint]] = []
    for assignment in plan.assignments:
        practice, hub = practices[assignment.practice], sites[assignment.hub]
        if practice.point is None:
            continue
        located.append((practice, practice.point, assignment.items))
        if hub.point is not None:
            lines.append((practice.point, hub.point))
    unit = plan.unit.value
    title = (
        f"{plan.service_line}: {len(plan.hubs)} hub{'s' if len(plan.hubs) != 1 else ''}, "
        f"average travel {plan.average_travel:.1f} {unit}, worst {plan.worst_travel:.1f} {unit}"
    )
    return _Layout(located, hubs, others, lines, title)


def render_png(report: HubReport, path: Path, *, dpi: int = 150) -> Path:
    """A static map image of the plan: lines from each practice to its hub, hubs highlighted."""
    from matplotlib.figure import Figure  # noqa: PLC0415 (matplotlib loads only when an image is drawn)

    layout = _layout(report)
    figure = Figure(figsize=_figure_size(layout))
    axes = figure.subplots()
    for start, end in layout.lines:
        axes.plot([start.lon, end.lon], [start.lat, end.lat], color=LINE_COLOUR, linewidth=0.8, zorder=1)
    largest = max((items for _, _, items in layout.practices), default=1) or 1
    axes.scatter(
        [p.lon for _, p, _ in layout.practices],
        [p.lat for _, p, _ in layout.practices],
        s=[10 + 140 * items / largest for _, _, items in layout.practices],
        color=PRACTICE_COLOUR,
        alpha=0.8,
        edgecolors="white",
        linewidths=0.5,
        zorder=2,
        label="practice (size: demand)",
    )
    if layout.others:
        axes.scatter(
            [p.lon for _, p in layout.others],
            [p.lat for _, p in layout.others],
            s=40,
            facecolors="none",
            edgecolors=CANDIDATE_COLOUR,
            linewidths=0.8,
            zorder=2,
            label="candidate site not chosen",
        )
    axes.scatter(
        [p.lon for _, p in layout.hubs],
        [p.lat for _, p in layout.hubs],
        s=220,
        marker="*",
        color=HUB_COLOUR,
        edgecolors="black",
        linewidths=0.6,
        zorder=3,
        label="hub",
    )
    for site, point in layout.hubs:
        axes.annotate(
            site.code,
            (point.lon, point.lat),
            xytext=(6, 6),
            textcoords="offset points",
            fontsize=8,
            fontweight="bold",
            zorder=4,
        )
    _frame(axes, layout)
    axes.set_title(layout.title, fontsize=10)
    axes.legend(loc="best", fontsize=8, framealpha=0.9)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=dpi)
    return path


def _points(layout: _Layout) -> list[GeoPoint]:
    return [p for _, p, _ in layout.practices] + [p for _, p in layout.hubs] + [p for _, p in layout.others]


def _figure_size(layout: _Layout) -> tuple[float, float]:
    """About 8 inches on the long side, shaped like the area mapped (plus room for the title and axes)."""
    lats, lons = [p.lat for p in _points(layout)], [p.lon for p in _points(layout)]
    height = max(max(lats) - min(lats), 0.01)
    width = max((max(lons) - min(lons)) * math.cos(math.radians((min(lats) + max(lats)) / 2)), 0.01)
    ratio = min(max(height / width, 0.5), 2.0)
    return (8.0, 8.0 * ratio + 0.8) if ratio <= 1 else (8.0 / ratio + 1.0, 8.0)


def _frame(axes: Any, layout: _Layout) -> None:
    points = _points(layout)
    lats, lons = [p.lat for p in points], [p.lon for p in points]
    pad_lat = max((max(lats) - min(lats)) * 0.08, 0.005)
    pad_lon = max((max(lons) - min(lons)) * 0.08, 0.005)
    axes.set_xlim(min(lons) - pad_lon, max(lons) + pad_lon)
    axes.set_ylim(min(lats) - pad_lat, max(lats) + pad_lat)
    axes.set_aspect(1 / math.cos(math.radians((min(lats) + max(lats)) / 2)))
    axes.set_xlabel("longitude", fontsize=8)
    axes.set_ylabel("latitude", fontsize=8)
    axes.tick_params(labelsize=7)
    axes.grid(color="#e8edee", linewidth=0.5)


# --- HTML ---------------------------------------------------------------------------------------------------------


def _mercator(point: GeoPoint) -> tuple[float, float]:
    """World pixel coordinates at zoom 0 (0..256)."""
    x = (point.lon + 180.0) / 360.0 * TILE_SIZE
    sin = math.sin(math.radians(max(min(point.lat, 85.0), -85.0)))
    y = (0.5 - math.log((1 + sin) / (1 - sin)) / (4 * math.pi)) * TILE_SIZE
    return x, y


@dataclass(frozen=True)
class _View:
    """Maps zoom-0 world pixels to SVG pixels."""

    x0: float
    y0: float
    scale: float

    def at(self, point: GeoPoint) -> tuple[float, float]:
        x, y = _mercator(point)
        return round((x - self.x0) * self.scale, 1), round((y - self.y0) * self.scale, 1)


def _view(layout: _Layout) -> _View:
    points = _points(layout)
    xs, ys = zip(*(_mercator(p) for p in points), strict=True)
    width, height = max(max(xs) - min(xs), 1e-6), max(max(ys) - min(ys), 1e-6)
    scale = min((SVG_WIDTH - 80) / width, (SVG_HEIGHT - 80) / height)
    x0 = (min(xs) + max(xs)) / 2 - SVG_WIDTH / 2 / scale
    y0 = (min(ys) + max(ys)) / 2 - SVG_HEIGHT / 2 / scale
    return _View(x0, y0, scale)


def map_svg(report: HubReport, *, tiles: TileLayer | None = None, element_id: str = "map") -> str:
    """The map alone: one <svg> element (role img, labelled by its title), no script and no styles of its own.

    Practices are `circle.practice` (one per practice with a location), hubs `g.hub`, candidate sites not chosen
    `circle.candidate`, spokes lines in `g.spokes`; each marker has a <title> tooltip. Tiles only if given.
    """
    layout = _layout(report)
    view = _view(layout)
    body = [_tiles(view, tiles) if tiles else "", _lines_svg(layout, view), _points_svg(layout, view, report)]
    title = html.escape(layout.title)
    return (
        f'<svg id="{html.escape(element_id)}" xmlns="http://www.w3.org/2000/svg" width="{SVG_WIDTH}" '
        f'height="{SVG_HEIGHT}" viewBox="0 0 {SVG_WIDTH} {SVG_HEIGHT}" role="img" aria-label="{title}">'
        f'<g class="layer">{"".join(part for part in body if part)}</g></svg>'
    )


def render_html(report: HubReport, path: Path, *, tiles: TileLayer | None = None) -> Path:
    """A self-contained interactive map (drag to pan, wheel to zoom, hover for details); tiles only if given."""
    layout = _layout(report)
    view = _view(layout)
    body = [_tiles(view, tiles) if tiles else "", _lines_svg(layout, view), _points_svg(layout, view, report)]
    attribution = f"<p class='attribution'>Map tiles: {html.escape(tiles.attribution)}</p>" if tiles else ""
    document = _PAGE.format(
        title=html.escape(layout.title),
        width=SVG_WIDTH,
        height=SVG_HEIGHT,
        svg="\n".join(part for part in body if part),
        legend=_LEGEND,
        table=_hub_table(report),
        attribution=attribution,
        data=html.escape(json.dumps(plan_as_dict(report)), quote=False),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(document, encoding="utf-8")
    return path


def _lines_svg(layout: _Layout, view: _View) -> str:
    parts = []
    for start, end in layout.lines:
        (x1, y1), (x2, y2) = view.at(start), view.at(end)
        parts.append(f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}"/>')
    return f'<g class="spokes" stroke="{LINE_COLOUR}" stroke-width="1.2">{"".join(parts)}</g>'


def _points_svg(layout: _Layout, view: _View, report: HubReport) -> str:
    plan = report.plan
    assert plan is not None
    by_practice = {a.practice: a for a in plan.assignments}
    unit = plan.unit.value
    largest = max((items for _, _, items in layout.practices), default=1) or 1
    parts = []
    for site, point, items in layout.practices:
        x, y = view.at(point)
        a = by_practice[site.code]
        tip = f"{site.code} {site.name}: {items:,} items to hub {a.hub}, {a.travel:.1f} {unit}"
        radius = round(3 + 7 * math.sqrt(items / largest), 1)
        parts.append(
            f'<circle class="practice" cx="{x}" cy="{y}" r="{radius}"><title>{html.escape(tip)}</title></circle>'
        )
    for site, point in layout.others:
        x, y = view.at(point)
        tip = f"{site.code} {site.name}: candidate site, not chosen"
        parts.append(f'<circle class="candidate" cx="{x}" cy="{y}" r="6"><title>{html.escape(tip)}</title></circle>')
    loads = {load.hub: load for load in plan.loads}
    for site, point in layout.hubs:
        x, y = view.at(point)
        load = loads[site.code]
        tip = f"hub {site.code} {site.name}: {load.practices} practices, {load.items:,} items"
        parts.append(
            f'<g class="hub"><rect x="{x - 8}" y="{y - 8}" width="16" height="16" rx="3"><title>{html.escape(tip)}'
            f'</title></rect><text x="{x + 11}" y="{y - 9}">{html.escape(site.code)}</text></g>'
        )
    return "".join(parts)


def _tiles(view: _View, tiles: TileLayer) -> str:
    zoom = max(0, min(18, round(math.log2(view.scale))))
    factor = 2**zoom
    size = TILE_SIZE * view.scale / factor
    first_x, first_y = math.floor(view.x0 * factor / TILE_SIZE), math.floor(view.y0 * factor / TILE_SIZE)
    last_x = math.floor((view.x0 + SVG_WIDTH / view.scale) * factor / TILE_SIZE)
    last_y = math.floor((view.y0 + SVG_HEIGHT / view.scale) * factor / TILE_SIZE)
    images: list[str] = []
    for tx in range(first_x, last_x + 1):
        for ty in range(max(first_y, 0), min(last_y, factor - 1) + 1):
            if len(images) >= MAX_TILES:
                break
            url = tiles.url.format(z=zoom, x=tx % factor, y=ty)
            x = round((tx * TILE_SIZE / factor - view.x0) * view.scale, 1)
            y = round((ty * TILE_SIZE / factor - view.y0) * view.scale, 1)
            images.append(f'<image href="{html.escape(url)}" x="{x}" y="{y}" width="{size:.1f}" height="{size:.1f}"/>')
    return f'<g class="tiles" opacity="0.8">{"".join(images)}</g>'


def _hub_table(report: HubReport) -> str:
    plan = report.plan
    assert plan is not None
    rows = "".join(
        f"<tr><td>{html.escape(load.hub)}</td><td>{load.practices}</td><td>{load.items:,}</td>"
        f"<td>{'' if load.sessions_needed is None else load.sessions_needed}</td>"
        f"<td>{'unlimited' if load.sessions_available is None else load.sessions_available}</td></tr>"
        for load in plan.loads
    )
    return (
        "<table><thead><tr><th>Hub</th><th>Practices</th><th>Items</th><th>Sessions needed a month</th>"
        f"<th>Sessions available</th></tr></thead><tbody>{rows}</tbody></table>"
    )


_LEGEND = (
    '<div class="legend"><span><svg width="14" height="14"><rect x="1" y="1" width="12" height="12" rx="2" '
    f'fill="{HUB_COLOUR}"/></svg> hub</span><span><svg width="14" height="14"><circle cx="7" cy="7" r="5" '
    f'fill="{PRACTICE_COLOUR}"/></svg> practice (size: demand)</span><span><svg width="14" height="14">'
    f'<circle cx="7" cy="7" r="5" fill="none" stroke="{CANDIDATE_COLOUR}"/></svg> candidate not chosen</span></div>'
)

_PAGE = (
    """<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: Arial, Helvetica, sans-serif; color: #212b32; margin: 1.5rem; }}
h1 {{ font-size: 1.2rem; }}
#map {{ border: 1px solid #d8dde0; background: #f0f4f5; cursor: grab; touch-action: none; max-width: 100%; }}
.practice {{ fill: """
    + PRACTICE_COLOUR
    + """; fill-opacity: 0.8; stroke: #fff; stroke-width: 1; }}
.candidate {{ fill: none; stroke: """
    + CANDIDATE_COLOUR
    + """; stroke-width: 1.5; }}
.hub rect {{ fill: """
    + HUB_COLOUR
    + """; stroke: #000; stroke-width: 1; }}
.hub text {{ font-size: 12px; font-weight: bold; paint-order: stroke; stroke: #fff; stroke-width: 3px; }}
.legend span {{ margin-right: 1.5rem; font-size: 0.9rem; }}
table {{ border-collapse: collapse; margin-top: 1rem; }}
th, td {{ border-bottom: 1px solid #d8dde0; padding: 0.3rem 0.8rem; text-align: right; }}
th:first-child, td:first-child {{ text-align: left; }}
.attribution {{ font-size: 0.75rem; color: #4c6272; }}
</style>
</head>
<body>
<h1>{title}</h1>
{legend}
<svg id="map" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}"
 role="img" aria-label="{title}">
<g id="layer">
{svg}
</g>
</svg>
{attribution}
{table}
<script type="application/json" id="plan-data">{data}</script>
<script>
(function () {{
  var svg = document.getElementById("map"), box = [0, 0, {width}, {height}], drag = null;
  function show() {{ svg.setAttribute("viewBox", box.join(" ")); }}
  function at(event) {{
    var r = svg.getBoundingClientRect();
    return [box[0] + (event.clientX - r.left) / r.width * box[2], box[1] + (event.clientY - r.top) / r.height * box[3]];
  }}
  svg.addEventListener("wheel", function (event) {{
    event.preventDefault();
    var p = at(event), f = event.deltaY < 0 ? 0.8 : 1.25;
    box = [p[0] - (p[0] - box[0]) * f, p[1] - (p[1] - box[1]) * f, box[2] * f, box[3] * f];
    show();
  }}, {{ passive: false }});
  svg.addEventListener("pointerdown", function (event) {{ drag = at(event); svg.setPointerCapture(event.pointerId); }});
  svg.addEventListener("pointermove", function (event) {{
    if (!drag) return;
    var p = at(event);
    box[0] -= p[0] - drag[0]; box[1] -= p[1] - drag[1];
    show();
  }});
  svg.addEventListener("pointerup", function () {{ drag = null; }});
}})();
</script>
</body>
</html>
"""
)
