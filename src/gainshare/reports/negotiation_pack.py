"""The negotiation pack: each term set's simulated outcomes, the frontier, the assumptions and their sources, and
the recommended terms with the reason; as PDF (WeasyPrint, charts drawn by matplotlib as PNG) and Excel.

Money comes in as whole pence from the simulation service and stays Money here; charts convert pounds to floats
only to place pixels.
"""

from __future__ import annotations

import base64
import io
import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from xlsxwriter.workbook import Workbook

from gainshare import __version__
from gainshare.domain.agreement import Agreement
from gainshare.domain.assumptions import Assumptions, Beta, Distribution, Fixed, LogNormal, Normal, Triangular, Uniform
from gainshare.domain.money import Money, format_rate
from gainshare.domain.parties import PartyRole
from gainshare.engines.simulation.frontier import Frontier, GridPoint
from gainshare.engines.simulation.outcomes import Histogram, Summary, TermsSummary, Tornado
from gainshare.reports import excel, formatting
from gainshare.reports.html import render
from gainshare.reports.pdf import html_to_pdf
from gainshare.services.negotiation import Comparison, FrontierReport, SimulationReport
from gainshare.services.negotiation_workspace import NegotiationResults

MONEY_SUFFIXES = ("price", "cost", "setup", "running_per_year")
TORNADO_BARS = 12  # the largest swings in the chart; the table has them all
FRONTIER_ROWS = 20  # in the PDF; the workbook has every term set tried


@dataclass(frozen=True, slots=True)
class AssumptionRow:
    variable: str
    distribution: str
    source: str


@dataclass(frozen=True, slots=True)
class Metric:
    label: str
    kind: str  # "money" or "rate"
    pick: Callable[[TermsSummary], int | float]


@dataclass(frozen=True)
class NegotiationPack:
    agreement: Agreement
    provider: str
    commissioner: str
    generated: datetime
    seed: int
    scenarios: int
    simulation: SimulationReport
    term_sets: tuple[tuple[str, TermsSummary], ...]
    frontier: Frontier
    assumptions: tuple[AssumptionRow, ...]

    @property
    def recommended(self) -> GridPoint | None:
        return self.frontier.recommended

    @property
    def efficient(self) -> list[GridPoint]:
        """The frontier's terms nearest the recommended terms' expected split (at most FRONTIER_ROWS)."""
        points = [point for point in self.frontier.points if point.efficient]
        target = self.recommended.provider_expected_share if self.recommended is not None else 0
        nearest = sorted(points, key=lambda point: abs(point.provider_expected_share - target))[:FRONTIER_ROWS]
        return sorted(nearest, key=lambda point: point.provider_expected_share)

    def metrics(self) -> list[Metric]:
        provider, commissioner = self.provider, self.commissioner
        return [
            Metric("Expected net saving", "money", lambda s: s.net_saving.mean),
            Metric(f"{provider}: expected share", "money", lambda s: s.provider_share.mean),
            Metric(f"{provider}: share P5", "money", lambda s: s.provider_share.p5),
            Metric(f"{provider}: share P95", "money", lambda s: s.provider_share.p95),
            Metric(f"{provider}: expected net after own costs", "money", lambda s: s.provider_net.mean),
            Metric(f"{provider}: chance of a loss after own costs", "rate", lambda s: s.provider_net.loss_probability),
            Metric(f"{provider}: 5% value at risk", "money", lambda s: s.provider_net.value_at_risk),
            Metric(f"{commissioner}: expected retained saving", "money", lambda s: s.commissioner_retained.mean),
            Metric(f"{commissioner}: retained P5", "money", lambda s: s.commissioner_retained.p5),
            Metric(f"{commissioner}: retained P95", "money", lambda s: s.commissioner_retained.p95),
            Metric(f"{commissioner}: chance of a loss", "rate", lambda s: s.commissioner_retained.loss_probability),
            Metric(f"{commissioner}: 5% value at risk", "money", lambda s: s.commissioner_retained.value_at_risk),
            Metric("Chance a period meets the gain threshold", "rate", lambda s: s.threshold_probability),
        ]


def build_pack(
    simulation: SimulationReport,
    comparison: Comparison,
    frontier: FrontierReport,
    assumptions: Assumptions,
    sources: Mapping[str, str],
    generated: datetime,
) -> NegotiationPack:
    """The pack from the three analyses (run on the same seed) and where each assumption came from."""
    agreement = simulation.agreement

    def side(role: PartyRole) -> str:
        return " and ".join(party.name for party in agreement.parties_with_role(role)) or role.value

    rows = tuple(
        AssumptionRow(name, describe(name, distribution), sources.get(name, assumptions.source))
        for name, distribution in assumptions.variables()
    )
    return NegotiationPack(
        agreement,
        side(PartyRole.PROVIDER),
        side(PartyRole.COMMISSIONER),
        generated,
        simulation.seed,
        simulation.summary.scenarios,
        simulation,
        comparison.rows,
        frontier.frontier,
        rows,
    )


def pack_context(results: NegotiationResults, generated: datetime) -> NegotiationPack:
    """The pack of a run on the Negotiate page: each estimate's source as the page stated it."""
    inputs = results.inputs
    sources = {f"{s.scheme}.{key}": estimate.source for s in inputs.schemes for key, estimate in s.values.items()}
    sources.update({key: estimate.source for key, estimate in inputs.general.items()})
    return build_pack(results.simulation, results.comparison, results.frontier, results.assumptions, sources, generated)


# --- words ----------------------------------------------------------------------------------------------------


def _value(name: str, value: float) -> str:
    if name.endswith(MONEY_SUFFIXES):
        return formatting.money(Money(round(value)))
    if name.endswith("baseline_activity"):
        return f"{value:,.0f}"
    return format_rate(Decimal(repr(round(value, 6))))


def describe(name: str, distribution: Distribution) -> str:
    """A distribution in words, money in pounds: 'triangular: low £20.00, most likely £21.50, high £23.00'."""
    v: Callable[[float], str] = lambda value: _value(name, value)  # noqa: E731
    match distribution:
        case Fixed(value=value):
            return f"fixed: {v(value)}"
        case Normal(mean=mean, sd=sd, minimum=low, maximum=high):
            bounds = "".join(
                [f", at least {v(low)}" if low is not None else "", f", at most {v(high)}" if high is not None else ""]
            )
            return f"normal: mean {v(mean)}, sd {v(sd)}{bounds}"
        case LogNormal(mean=mean, sd=sd):
            return f"lognormal: mean {v(mean)}, sd {v(sd)}"
        case Triangular(low=low, mode=mode, high=high):
            return f"triangular: low {v(low)}, most likely {v(mode)}, high {v(high)}"
        case Uniform(low=low, high=high):
            return f"uniform: {v(low)} to {v(high)}"
        case Beta(alpha=alpha, beta=beta, low=low, high=high):
            mean = low + (high - low) * alpha / (alpha + beta)
            return f"beta({alpha:g}, {beta:g}) from {v(low)} to {v(high)}: mean {v(mean)}"


def terms_text(point: GridPoint | None) -> str:
    if point is None:
        return "none of the terms tried"
    threshold = f"a gain threshold of {format_rate(point.threshold)} of baseline" if point.threshold else "no threshold"
    cap = f"a cap of {format_rate(point.cap)} of baseline" if point.cap is not None else "no cap"
    return f"the federation's share {format_rate(point.share)}, {threshold}, {cap}"


# --- PDF --------------------------------------------------------------------------------------------------------


def pack_pdf(pack: NegotiationPack) -> bytes:
    return html_to_pdf(pack_html(pack))


def pack_html(pack: NegotiationPack) -> str:
    charts = {
        "provider_net": _png(_histogram_figure(pack.simulation.distributions.provider_net, "#005eb8", pack.provider)),
        "commissioner": _png(
            _histogram_figure(pack.simulation.distributions.commissioner_retained, "#007f3b", pack.commissioner)
        ),
        "tornado": _png(_tornado_figure(pack.simulation.tornado)),
        "comparison": _png(_comparison_figure(pack)),
        "frontier": _png(_frontier_figure(pack.frontier)),
    }
    return render(
        "negotiation_pack.html",
        pack=pack,
        charts=charts,
        summary_rows=_summary_rows(pack),
        terms_text=terms_text,
        generator=f"gainshare {__version__}",
        money_of=lambda pence: formatting.money(Money(pence)),
        percent=lambda value: f"{value:.1%}",
    )


def _summary_rows(pack: NegotiationPack) -> list[tuple[str, Summary]]:
    summary = pack.simulation.summary
    return [
        ("Net saving (all schemes)", summary.net_saving),
        (f"{pack.provider}: share", summary.provider_share),
        (f"{pack.provider}: net after its own costs", summary.provider_net),
        (f"{pack.commissioner}: retained saving", summary.commissioner_retained),
    ]


def _pounds(pence: int) -> float:
    return float(Money(pence).as_decimal_pounds())  # for pixels only


def _axes(width: float = 7.0, height: float = 2.8) -> tuple[Any, Any]:
    import matplotlib  # noqa: PLC0415  (only document writers need it)

    matplotlib.use("Agg")
    from matplotlib import pyplot  # noqa: PLC0415

    figure, axes = pyplot.subplots(figsize=(width, height), dpi=150)
    axes.spines[["top", "right"]].set_visible(False)
    axes.xaxis.set_major_formatter(_pounds_formatter())
    return figure, axes


def _pounds_formatter() -> Any:
    from matplotlib.ticker import FuncFormatter  # noqa: PLC0415

    return FuncFormatter(lambda value, _: _short_pounds(value))


def _short_pounds(value: float) -> str:
    sign = "-" if value < 0 else ""
    size = abs(value)
    if size >= 1_000_000:
        return f"{sign}£{size / 1_000_000:.1f}m"
    if size >= 1_000:
        return f"{sign}£{size / 1_000:.0f}k"
    return f"{sign}£{size:.0f}"


def _png(figure: Any) -> str:
    from matplotlib import pyplot  # noqa: PLC0415

    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png")
    pyplot.close(figure)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _histogram_figure(histogram: Histogram, colour: str, label: str) -> Any:
    figure, axes = _axes()
    edges = [_pounds(edge) for edge in histogram.edges]
    widths = [high - low for low, high in itertools.pairwise(edges)]
    axes.bar(edges[:-1], histogram.counts, width=widths, align="edge", color=colour, edgecolor="white")
    if edges[0] < 0 < edges[-1]:
        axes.axvline(0, color="#212b32", linewidth=1)  # where a loss starts
    axes.set_xlabel(label)
    axes.set_ylabel("Scenarios")
    return figure


def _tornado_figure(tornado: Tornado) -> Any:
    bars = list(reversed(tornado.bars[:TORNADO_BARS]))
    figure, axes = _axes(7.0, 1.0 + 0.25 * max(len(bars), 1))
    lows = [_pounds(min(bar.provider_net_low, bar.provider_net_high)) for bar in bars]
    highs = [_pounds(max(bar.provider_net_low, bar.provider_net_high)) for bar in bars]
    axes.barh(
        [bar.variable for bar in bars],
        [high - low for low, high in zip(lows, highs, strict=True)],
        left=lows,
        color="#005eb8",
    )
    axes.axvline(_pounds(tornado.provider_net_base), color="#212b32", linestyle="--", linewidth=1)
    axes.set_xlabel("Federation's net position over the term")
    axes.tick_params(axis="y", labelsize=7)
    return figure


def _comparison_figure(pack: NegotiationPack) -> Any:
    figure, axes = _axes(7.0, 3.0)
    names = [name for name, _ in pack.term_sets]
    width = 0.38
    for offset, (label, pick, colour) in enumerate(
        (
            (f"{pack.provider}: net after own costs", "provider_net", "#005eb8"),
            (f"{pack.commissioner}: retained", "commissioner_retained", "#007f3b"),
        )
    ):
        values = [getattr(summary, pick) for _, summary in pack.term_sets]
        means = [_pounds(value.mean) for value in values]
        errors = [
            [mean - _pounds(value.p5) for mean, value in zip(means, values, strict=True)],
            [_pounds(value.p95) - mean for mean, value in zip(means, values, strict=True)],
        ]
        positions = [index + (offset - 0.5) * width for index in range(len(names))]
        axes.bar(positions, means, width=width, color=colour, label=label, yerr=errors, capsize=3)
    axes.set_xticks(range(len(names)), names, fontsize=7)
    axes.yaxis.set_major_formatter(_pounds_formatter())
    axes.legend(fontsize=7, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2)
    axes.set_ylabel("Expected (P5 to P95)")
    return figure


def _frontier_figure(frontier: Frontier) -> Any:
    figure, axes = _axes(7.0, 3.2)
    groups: Sequence[tuple[str, list[GridPoint], dict[str, Any]]] = (
        (
            "Not feasible",
            [p for p in frontier.points if not p.feasible],
            {"facecolors": "none", "edgecolors": "#768692"},
        ),
        ("Feasible", [p for p in frontier.points if p.feasible and not p.efficient], {"color": "#005eb8"}),
        ("On the frontier", [p for p in frontier.points if p.efficient], {"color": "#007f3b", "marker": "D"}),
    )
    for label, points, style in groups:
        if points:
            axes.scatter(
                [_pounds(p.provider_expected_net) for p in points],
                [p.provider_loss_probability * 100 for p in points],
                s=18,
                label=label,
                **style,
            )
    if frontier.recommended is not None:
        point = frontier.recommended
        axes.scatter(
            [_pounds(point.provider_expected_net)],
            [point.provider_loss_probability * 100],
            s=160,
            marker="*",
            color="#ed8b00",
            label="Recommended",
            zorder=3,
        )
    axes.set_xlabel("Federation's expected net position")
    axes.set_ylabel("Chance of a loss (%)")
    axes.set_ylim(bottom=0, top=max(1.0, *(p.provider_loss_probability * 110 for p in frontier.points)))
    axes.legend(fontsize=7, frameon=False)
    return figure


# --- Excel ------------------------------------------------------------------------------------------------------


def pack_xlsx(pack: NegotiationPack) -> bytes:
    buffer = io.BytesIO()
    workbook = Workbook(buffer, {"in_memory": True})
    styles = excel.formats(workbook)
    _summary_sheet(workbook, styles, pack)
    _terms_sheet(workbook, styles, pack)
    _frontier_sheet(workbook, styles, pack)
    _assumptions_sheet(workbook, styles, pack)
    workbook.close()
    return buffer.getvalue()


def _write_money(sheet: excel.Sheet, row: int, col: int, pence: int) -> None:
    sheet.ws.write_number(row, col, excel.pounds(Money(pence)), sheet.f.money)


def _summary_sheet(workbook: Workbook, styles: excel.Formats, pack: NegotiationPack) -> None:
    sheet = excel.Sheet(workbook, "Summary", styles, (46, 18, 18, 18, 18, 14, 16))
    sheet.title(f"Negotiation pack: {pack.agreement.title}")
    sheet.note(
        f"{pack.scenarios:,} simulated scenarios, seed {pack.seed}; generated {formatting.timestamp(pack.generated)}."
        " Estimates, not settlements."
    )
    sheet.heading("Recommended terms")
    sheet.note(terms_text(pack.recommended))
    sheet.note(pack.frontier.reason)
    sheet.heading("Outcomes over the term under the agreement's terms")
    sheet.headers("Outcome", "Expected", "P5", "Median", "P95", "Chance of a loss", "5% value at risk")
    for label, summary in _summary_rows(pack):
        sheet.ws.write_string(sheet.row, 0, label, styles.text)
        for col, pence in enumerate((summary.mean, summary.p5, summary.p50, summary.p95), start=1):
            _write_money(sheet, sheet.row, col, pence)
        sheet.ws.write_number(sheet.row, 5, summary.loss_probability, styles.rate)
        _write_money(sheet, sheet.row, 6, summary.value_at_risk)
        sheet.row += 1


def _terms_sheet(workbook: Workbook, styles: excel.Formats, pack: NegotiationPack) -> None:
    sheet = excel.Sheet(workbook, "Term sets", styles, (52, *(22,) * len(pack.term_sets)))
    sheet.title("Term sets side by side (the same scenarios for each)")
    sheet.headers("Outcome over the term", *(name for name, _ in pack.term_sets))
    for metric in pack.metrics():
        sheet.ws.write_string(sheet.row, 0, metric.label, styles.text)
        for col, (_, summary) in enumerate(pack.term_sets, start=1):
            value = metric.pick(summary)
            if metric.kind == "money":
                _write_money(sheet, sheet.row, col, int(value))
            else:
                sheet.ws.write_number(sheet.row, col, float(value), styles.rate)
        sheet.row += 1


def _frontier_sheet(workbook: Workbook, styles: excel.Formats, pack: NegotiationPack) -> None:
    sheet = excel.Sheet(workbook, "Frontier", styles, (10, 11, 10, 18, 18, 12, 18, 12, 12, 10, 11, 12, 34))
    sheet.title("Every term set tried, with each side's constraints")
    sheet.headers(
        "Share",
        "Threshold",
        "Cap",
        "Federation expected share",
        "Federation expected net",
        "Federation P(loss)",
        "Commissioner expected retained",
        "Commissioner P(loss)",
        "P(threshold met)",
        "Feasible",
        "On the frontier",
        "Recommended",
        "Fails",
    )
    for point in pack.frontier.points:
        row = sheet.row
        sheet.ws.write_number(row, 0, excel.number(point.share), styles.rate)
        sheet.ws.write_number(row, 1, excel.number(point.threshold), styles.rate)
        if point.cap is None:
            sheet.ws.write_string(row, 2, "none", styles.text)
        else:
            sheet.ws.write_number(row, 2, excel.number(point.cap), styles.rate)
        _write_money(sheet, row, 3, point.provider_expected_share)
        _write_money(sheet, row, 4, point.provider_expected_net)
        sheet.ws.write_number(row, 5, point.provider_loss_probability, styles.rate)
        _write_money(sheet, row, 6, point.commissioner_expected_retained)
        sheet.ws.write_number(row, 7, point.commissioner_loss_probability, styles.rate)
        sheet.ws.write_number(row, 8, point.threshold_probability, styles.rate)
        flags = (point.feasible, point.efficient, point is pack.recommended)
        for col, flag in enumerate(flags, start=9):
            sheet.ws.write_string(row, col, "yes" if flag else "", styles.text)
        sheet.ws.write_string(row, 12, "; ".join(point.failures), styles.wrap)
        sheet.row += 1
    sheet.ws.autofilter(1, 0, sheet.row - 1, 12)
    sheet.ws.freeze_panes(2, 0)


def _assumptions_sheet(workbook: Workbook, styles: excel.Formats, pack: NegotiationPack) -> None:
    sheet = excel.Sheet(workbook, "Assumptions", styles, (36, 60, 80))
    sheet.title("Assumptions and their sources")
    sheet.headers("Variable", "Distribution", "Source")
    for item in pack.assumptions:
        sheet.ws.write_string(sheet.row, 0, item.variable, styles.text)
        sheet.ws.write_string(sheet.row, 1, item.distribution, styles.wrap)
        sheet.ws.write_string(sheet.row, 2, item.source, styles.wrap)
        sheet.row += 1
