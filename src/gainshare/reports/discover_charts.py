"""Static funnel plots for documents (PDF): matplotlib to SVG, embedded as a data: URL (documents fetch nothing).

The web pages draw the same figures with Plotly in the browser (interfaces/web/discover_views.py); this is the
print version. Matplotlib takes floats: the points are statistics (ratios, expected counts), never money.
"""

from __future__ import annotations

import base64
import io

from gainshare.domain.variation import FunnelPoint, Significance, VariationResult

COLOURS = {  # NHS identity colours
    Significance.HIGH_99_8: "#d5281b",
    Significance.HIGH_95: "#ed8b00",
    Significance.NOT_SIGNIFICANT: "#768692",
    Significance.LOW_95: "#41b6e6",
    Significance.LOW_99_8: "#005eb8",
}
MARKERS = {
    Significance.HIGH_99_8: "^",
    Significance.HIGH_95: "^",
    Significance.NOT_SIGNIFICANT: "o",
    Significance.LOW_95: "v",
    Significance.LOW_99_8: "v",
}


def _xy(points: tuple[FunnelPoint, ...]) -> tuple[list[float], list[float]]:
    return [float(p.expected) for p in points], [float(p.ratio) for p in points]


def funnel_svg(result: VariationResult, width_inches: float = 7.0, height_inches: float = 3.6) -> str:
    """The funnel plot of one service line as SVG text (text drawn as paths, so no font is needed to read it)."""
    from matplotlib.backends.backend_svg import FigureCanvasSVG  # noqa: PLC0415  (documents only)
    from matplotlib.figure import Figure  # noqa: PLC0415

    figure = Figure(figsize=(width_inches, height_inches))
    FigureCanvasSVG(figure)
    axes = figure.add_subplot()
    funnel = result.funnel
    largest = max(float(p.expected) for p in result.practices) * 1.08
    for points, style, label in (
        (funnel.upper_99_8, "-", "99.8% limits"), (funnel.lower_99_8, "-", None),
        (funnel.upper_95, "--", "95% limits"), (funnel.lower_95, "--", None),
    ):  # fmt: skip
        xs, ys = _xy(tuple(p for p in points if float(p.expected) <= largest))
        axes.plot(xs, ys, style, color="#4c6272", linewidth=1, label=label)
    axes.axhline(1.0, color="#212b32", linewidth=0.8)
    for significance in Significance:
        chosen = [p for p in result.practices if p.significance is significance]
        if chosen:
            axes.scatter(
                [float(p.expected) for p in chosen], [float(p.ratio) for p in chosen], s=28,
                color=COLOURS[significance], marker=MARKERS[significance], label=significance.value, zorder=3,
            )  # fmt: skip
    for item in result.outliers:
        if item.significance in (Significance.HIGH_99_8, Significance.LOW_99_8):
            axes.annotate(item.practice_code, (float(item.expected), float(item.ratio)), fontsize=7,
                          xytext=(4, 3), textcoords="offset points")  # fmt: skip
    ratios = [float(p.ratio) for p in result.practices]
    axes.set_xlim(0, largest)
    axes.set_ylim(max(0.0, min(ratios) - 0.25), max(ratios) + 0.25)
    axes.set_xlabel("Expected count (for the practice's age and sex mix)")
    axes.set_ylabel("Standardised ratio")
    axes.grid(color="#d8dde0", linewidth=0.5)
    axes.legend(fontsize=7, loc="upper right", ncol=2, frameon=False)
    figure.tight_layout()
    out = io.StringIO()
    figure.savefig(out, format="svg")
    return out.getvalue()


def svg_data_url(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
