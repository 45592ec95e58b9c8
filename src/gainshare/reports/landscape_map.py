"""A static PNG of HSJ's 2015 survey of CCGs on incentivising federation, by the ICB that covers each CCG today.

The map is schematic, and says so on its face: one equal tile per ICB, grouped by NHS England region and placed
roughly where the region lies (gainshare/data/icb_tiles.csv); distances and areas mean nothing. Each CCG the survey
names is a dot on its ICB's tile, coloured by its answer; a ring marks the three MCP vanguards. ICBs with no
surveyed CCG are pale. The survey asked 63 CCGs with delegated primary care commissioning, not every CCG, so a pale
tile means "not asked or not named", never "not incentivising".
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gainshare.adapters.icb_tiles import IcbTile
from gainshare.domain.incentives import SurveyEntry, SurveyStatus

STATUS_COLOURS = {
    SurveyStatus.PLANNING: "#005eb8",  # NHS blue
    SurveyStatus.NOT_PLANNING: "#da291c",  # NHS red
    SurveyStatus.FEDERATED: "#009639",  # NHS green
}
STATUS_LABELS = {
    SurveyStatus.PLANNING: "planning to incentivise practices to federate",
    SurveyStatus.NOT_PLANNING: "not planning to",
    SurveyStatus.FEDERATED: "most or all practices already federated",
}
REGION_COLOURS = {  # pale fills, one per NHS England region
    "Y56": "#e8edee",
    "Y58": "#f3e6d3",
    "Y59": "#e2efda",
    "Y60": "#f7e1e6",
    "Y61": "#e4e2f3",
    "Y62": "#d9ecf2",
    "Y63": "#f6f0cc",
}
TEXT = "#212b32"
MUTED = "#768692"
DOTS_PER_ROW = 4
CAPTION = (
    "Schematic, not to scale: one equal tile per ICB (July 2022), grouped by NHS England region and placed roughly "
    "where the region lies. Each dot is a CCG named in HSJ's 2015 survey of the 63 CCGs with delegated primary care "
    "commissioning, drawn on the ICB that covers its practices today; a ring marks an MCP vanguard. Pale tiles: no "
    "surveyed CCG (not asked, or not named). Regions: NHS England ODS practice list (epraccur)."
)


@dataclass(frozen=True, slots=True)
class TileCounts:
    tile: IcbTile
    entries: tuple[SurveyEntry, ...]

    def count(self, status: SurveyStatus) -> int:
        return sum(1 for entry in self.entries if entry.status is status)


def tile_counts(tiles: Iterable[IcbTile], entries: Iterable[SurveyEntry]) -> tuple[TileCounts, ...]:
    """The survey's CCGs on each ICB's tile (in survey order); ValueError if a CCG's ICB has no tile."""
    by_icb: dict[str, list[SurveyEntry]] = {}
    for entry in entries:
        by_icb.setdefault(entry.icb_code, []).append(entry)
    result = tuple(TileCounts(tile, tuple(by_icb.pop(tile.icb_code, []))) for tile in tiles)
    if by_icb:
        raise ValueError(f"no tile for the ICB(s) {', '.join(sorted(by_icb))}")
    return result


def render_landscape_png(
    tiles: Iterable[IcbTile], entries: Iterable[SurveyEntry], path: Path, *, dpi: int = 150
) -> Path:
    """Draw the tile map to path (PNG) and return the path."""
    from matplotlib.figure import Figure  # noqa: PLC0415 (matplotlib loads only when an image is drawn)

    counted = tile_counts(tiles, entries)
    columns = max(item.tile.col for item in counted) + 1
    rows = max(item.tile.row for item in counted) + 1
    figure = Figure(figsize=(columns * 1.05 + 0.6, rows * 0.95 + 2.4), layout="constrained")
    axes = figure.add_subplot()
    for item in counted:
        _draw_tile(axes, item, rows)
    _legend(axes, counted)
    axes.set_xlim(-0.1, columns + 0.1)
    axes.set_ylim(-0.1, rows + 0.1)
    axes.set_aspect("equal")
    axes.axis("off")
    total = sum(len(item.entries) for item in counted)
    axes.set_title(
        f"Incentivising GP federation: HSJ's 2015 survey of CCGs ({total} named), by today's ICB",
        fontsize=11,
        color=TEXT,
        loc="left",
    )
    figure.supxlabel(textwrap.fill(CAPTION, 118), x=0.01, ha="left", fontsize=6.5, color=MUTED)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=dpi)
    return path


def _draw_tile(axes: Any, item: TileCounts, rows: int) -> None:
    from matplotlib.patches import FancyBboxPatch  # noqa: PLC0415

    tile = item.tile
    x, y = tile.col, rows - 1 - tile.row  # row 0 at the top
    surveyed = bool(item.entries)
    box = FancyBboxPatch(
        (x + 0.04, y + 0.04),
        0.92,
        0.92,
        boxstyle="round,pad=0,rounding_size=0.08",
        facecolor=REGION_COLOURS.get(tile.region_code, "#eeeeee"),
        edgecolor="#425563" if surveyed else "#d8dde0",
        linewidth=0.9 if surveyed else 0.5,
        alpha=1.0 if surveyed else 0.45,
    )
    axes.add_patch(box)
    colour = TEXT if surveyed else MUTED
    axes.text(x + 0.5, y + 0.9, tile.icb_code, ha="center", va="top", fontsize=6.5, weight="bold", color=colour)
    label = textwrap.fill(tile.label, 13, break_long_words=False)
    axes.text(x + 0.5, y + 0.72, label, ha="center", va="top", fontsize=5.2, color=colour, linespacing=0.95)
    for index, entry in enumerate(item.entries):
        row, column = divmod(index, DOTS_PER_ROW)
        in_row = min(DOTS_PER_ROW, len(item.entries) - row * DOTS_PER_ROW)
        dot_x = x + 0.5 + (column - (in_row - 1) / 2) * 0.19
        dot_y = y + 0.27 - row * 0.17
        colour = STATUS_COLOURS[entry.status]
        axes.scatter([dot_x], [dot_y], s=30, color=colour, edgecolors="white", linewidths=0.8, zorder=3)
        if entry.mcp_vanguard:
            axes.scatter([dot_x], [dot_y], s=85, facecolors="none", edgecolors=TEXT, linewidths=1.0, zorder=4)


def _legend(axes: Any, counted: tuple[TileCounts, ...]) -> None:
    from matplotlib.lines import Line2D  # noqa: PLC0415
    from matplotlib.patches import Patch  # noqa: PLC0415

    handles: list[Any] = []
    for status, colour in STATUS_COLOURS.items():
        number = sum(item.count(status) for item in counted)
        label = f"{STATUS_LABELS[status]} ({number})"
        handles.append(Line2D([], [], marker="o", linestyle="", color=colour, markeredgecolor="white", label=label))
    vanguards = sum(1 for item in counted for entry in item.entries if entry.mcp_vanguard)
    handles.append(
        Line2D([], [], marker="o", linestyle="", markerfacecolor="none", markeredgecolor=TEXT, markersize=8,
               label=f"ring: an MCP vanguard ({vanguards})")
    )  # fmt: skip
    regions = {item.tile.region_code: item.tile.region_name for item in counted}
    for code in sorted(regions, key=lambda key: regions[key]):
        handles.append(Patch(facecolor=REGION_COLOURS.get(code, "#eeeeee"), edgecolor="#425563", label=regions[code]))
    axes.legend(
        handles=handles, loc="upper left", bbox_to_anchor=(0.0, 0.99), fontsize=6.5, frameon=False, title="Key",
        title_fontsize=7, alignment="left",
    )  # fmt: skip
