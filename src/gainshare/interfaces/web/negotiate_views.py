"""What the Negotiate page shows: Plotly figures (JSON for the data-plotly attribute; money as decimal strings of
pounds, never floats) and the rows of the tables beneath them, from the negotiation service's answers."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from gainshare.domain.money import Money, format_rate
from gainshare.domain.parties import PartyRole
from gainshare.engines.simulation.frontier import GridPoint
from gainshare.engines.simulation.outcomes import Histogram, Summary, TermsSummary
from gainshare.services.negotiation_workspace import (
    GENERAL_FIELDS,
    POINTS,
    SCHEME_FIELDS,
    NegotiationInputs,
    NegotiationResults,
    Variable,
    field_name,
)

BLUE, GREEN, GREY, DARK, WARM = "#005eb8", "#007f3b", "#768692", "#212b32", "#ed8b00"
FONT = {"family": "Arial, Helvetica, sans-serif", "color": DARK, "size": 14}
CONFIG = {"displaylogo": False, "responsive": True}


def _figure(data: list[dict[str, Any]], layout: dict[str, Any]) -> str:
    base = {"font": FONT, "paper_bgcolor": "#ffffff", "plot_bgcolor": "#ffffff", "margin": {"l": 80, "r": 20, "t": 20}}
    return json.dumps({"data": data, "layout": {**base, **layout}, "config": CONFIG})


def pounds(pence: int) -> str:
    return Money(pence).plain()


@dataclass(frozen=True, slots=True)
class FormField:
    name: str
    id: str
    label: str


@dataclass(frozen=True, slots=True)
class FormRow:
    """One variable's three inputs in the form, with its unit, hint and the source of the default."""

    variable: Variable
    fields: tuple[FormField, ...]
    source: str


@dataclass(frozen=True, slots=True)
class FormGroup:
    title: str
    rows: tuple[FormRow, ...]


def field_id(name: str) -> str:
    return "f-" + re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-")


def form_groups(inputs: NegotiationInputs) -> list[FormGroup]:
    groups = []
    for scheme in inputs.schemes:
        rows = tuple(_row(scheme.scheme, v, scheme.values[v.key].source) for v in SCHEME_FIELDS)
        groups.append(FormGroup(f"{scheme.name} ({scheme.scheme})", rows))
    rows = tuple(_row("general", v, inputs.general[v.key].source) for v in GENERAL_FIELDS)
    groups.append(FormGroup("Quality and the federation's own costs", rows))
    return groups


def _row(prefix: str, variable: Variable, source: str) -> FormRow:
    labels = {"low": "Low", "likely": "Most likely", "high": "High"}
    fields = tuple(
        FormField(
            field_name(prefix, variable, point),
            field_id(field_name(prefix, variable, point)),
            f"{labels[point]}",
        )
        for point in POINTS
    )
    return FormRow(variable, fields, source)


def sides(results: NegotiationResults) -> tuple[str, str]:
    """The two sides' names: the provider and the commissioner."""
    agreement = results.agreement

    def name(role: PartyRole) -> str:
        return " and ".join(party.name for party in agreement.parties_with_role(role)) or role.value

    return name(PartyRole.PROVIDER), name(PartyRole.COMMISSIONER)


def histogram_chart(histogram: Histogram, colour: str, title: str) -> str:
    """Bars at each bin's middle (pounds, as decimal strings) with the count of scenarios."""
    middles = [pounds((low + high) // 2) for low, high in zip(histogram.edges, histogram.edges[1:], strict=False)]
    data = [
        {
            "type": "bar",
            "name": title,
            "x": middles,
            "y": list(histogram.counts),
            "marker": {"color": colour},
            "hovertemplate": "£%{x:,.0f}: %{y} scenarios<extra></extra>",
        }
    ]
    layout = {
        "bargap": 0.05,
        "height": 320,
        "margin": {"l": 70, "r": 20, "t": 10, "b": 60},
        "xaxis": {"tickprefix": "£", "tickformat": ",.0f", "title": {"text": title}},
        "yaxis": {"title": {"text": "Scenarios"}},
    }
    return _figure(data, layout)


@dataclass(frozen=True, slots=True)
class BinRow:
    low: Money
    high: Money
    count: int


def histogram_rows(histogram: Histogram) -> list[BinRow]:
    return [
        BinRow(Money(low), Money(high), count)
        for low, high, count in zip(histogram.edges, histogram.edges[1:], histogram.counts, strict=False)
    ]


@dataclass(frozen=True, slots=True)
class SummaryRow:
    label: str
    summary: Summary


def summary_rows(summary: TermsSummary, provider: str, commissioner: str) -> list[SummaryRow]:
    return [
        SummaryRow("Net saving (all schemes)", summary.net_saving),
        SummaryRow(f"{provider}: share", summary.provider_share),
        SummaryRow(f"{provider}: net after its own costs", summary.provider_net),
        SummaryRow(f"{commissioner}: retained saving", summary.commissioner_retained),
    ]


def tornado_chart(results: NegotiationResults) -> str:
    """Horizontal bars from the low to the high outcome of the federation's net position, largest swing on top."""
    found = results.simulation.tornado
    bars = list(reversed(found.bars))
    low = [min(bar.provider_net_low, bar.provider_net_high) for bar in bars]
    high = [max(bar.provider_net_low, bar.provider_net_high) for bar in bars]
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "y": [bar.variable for bar in bars],
            "x": [pounds(top - bottom) for bottom, top in zip(low, high, strict=True)],
            "base": [pounds(bottom) for bottom in low],
            "marker": {"color": BLUE},
            "name": "Federation's net position",
            "hovertemplate": "%{y}: £%{base:,.0f} to £%{x:,.0f} wide<extra></extra>",
        }
    ]
    layout = {
        "height": 140 + 36 * len(bars),
        "margin": {"l": 260, "r": 20, "t": 10, "b": 60},
        "xaxis": {
            "tickprefix": "£",
            "tickformat": ",.0f",
            "title": {"text": "Federation's net position over the term"},
        },
        "yaxis": {"automargin": True},
        "shapes": [
            {
                "type": "line",
                "x0": pounds(found.provider_net_base),
                "x1": pounds(found.provider_net_base),
                "yref": "paper",
                "y0": 0,
                "y1": 1,
                "line": {"color": DARK, "width": 2, "dash": "dash"},
            }
        ],
    }
    return _figure(data, layout)


def comparison_chart(results: NegotiationResults) -> str:
    """Expected outcomes per term set, the P5 to P95 range as error bars."""
    rows = results.comparison.rows
    names = [name for name, _ in rows]
    provider, commissioner = sides(results)

    def series(label: str, pick: str, colour: str) -> dict[str, Any]:
        values = [getattr(summary, pick) for _, summary in rows]
        return {
            "type": "bar",
            "name": label,
            "x": names,
            "y": [pounds(value.mean) for value in values],
            "error_y": {
                "type": "data",
                "symmetric": False,
                "array": [pounds(value.p95 - value.mean) for value in values],
                "arrayminus": [pounds(value.mean - value.p5) for value in values],
                "color": DARK,
            },
            "marker": {"color": colour},
        }

    data = [
        series(f"{provider}: net after its own costs", "provider_net", BLUE),
        series(f"{commissioner}: retained saving", "commissioner_retained", GREEN),
    ]
    layout = {
        "barmode": "group",
        "height": 380,
        "margin": {"l": 90, "r": 20, "t": 10, "b": 90},
        "yaxis": {"tickprefix": "£", "tickformat": ",.0f", "title": {"text": "Expected over the term (P5 to P95)"}},
        "legend": {"orientation": "h", "y": -0.25},
    }
    return _figure(data, layout)


def frontier_chart(results: NegotiationResults) -> str:
    """Every term set tried: the federation's expected net position against its chance of a loss."""
    found = results.frontier.frontier
    groups = (
        ("Meets neither side's limits", [p for p in found.points if not p.feasible], GREY, "circle-open"),
        ("Feasible", [p for p in found.points if p.feasible and not p.efficient], BLUE, "circle"),
        ("On the frontier", [p for p in found.points if p.efficient], GREEN, "diamond"),
    )
    data = [_points(name, points, colour, symbol, 9) for name, points, colour, symbol in groups if points]
    if found.recommended is not None:
        data.append(_points("Recommended", [found.recommended], WARM, "star", 18))
    limit = found.constraints.provider_max_loss_probability
    top = max([limit * 1.5, *(point.provider_loss_probability * 1.1 for point in found.points)])
    layout = {
        "height": 420,
        "margin": {"l": 80, "r": 20, "t": 10, "b": 110},
        "xaxis": {"tickprefix": "£", "tickformat": ",.0f", "title": {"text": "Federation's expected net position"}},
        "yaxis": {"tickformat": ".0%", "title": {"text": "Federation's chance of a loss"}, "range": [0, f"{top:.4f}"]},
        "legend": {"orientation": "h", "y": -0.3},
        "shapes": [
            {
                "type": "line",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "y0": f"{limit:.4f}",
                "y1": f"{limit:.4f}",
                "line": {"color": "#d5281b", "width": 2, "dash": "dash"},
            }
        ],
        "annotations": [
            {
                "xref": "paper",
                "x": 1,
                "y": f"{limit:.4f}",
                "xanchor": "right",
                "yanchor": "bottom",
                "text": "The federation's limit",
                "showarrow": False,
                "font": {"color": "#d5281b"},
            }
        ],
    }
    return _figure(data, layout)


def _points(name: str, points: list[GridPoint], colour: str, symbol: str, size: int) -> dict[str, Any]:
    return {
        "type": "scatter",
        "mode": "markers",
        "name": name,
        "x": [pounds(point.provider_expected_net) for point in points],
        "y": [f"{point.provider_loss_probability:.4f}" for point in points],
        "text": [terms_text(point) for point in points],
        "hovertemplate": "%{text}<extra></extra>",
        "marker": {"color": colour, "symbol": symbol, "size": size, "line": {"color": colour, "width": 2}},
    }


def terms_text(point: GridPoint) -> str:
    threshold = f"threshold {format_rate(point.threshold)}" if point.threshold else "no threshold"
    cap = f"cap {format_rate(point.cap)}" if point.cap is not None else "no cap"
    return f"share {format_rate(point.share)}, {threshold}, {cap}"


def frontier_rows(results: NegotiationResults) -> list[GridPoint]:
    """The frontier's points, by the federation's expected share."""
    return sorted(
        (point for point in results.frontier.frontier.points if point.efficient),
        key=lambda point: point.provider_expected_share,
    )


def percent(value: float) -> str:
    return f"{value:.1%}"
