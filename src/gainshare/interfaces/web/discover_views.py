"""Discover pages' view helpers: Plotly figures as JSON (numbers as decimal strings, never floats) and URLs.

The figures are drawn by static/discover.js from the element's data-discover-chart attribute (no inline scripts);
a click on a practice's point loads the URL in its customdata (the practice's trend) into the trend panel.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from gainshare.domain.variation import FunnelPoint, PracticeVariation, Significance, VariationResult
from gainshare.services.discover import PracticeTrend

FONT = {"family": "Arial, Helvetica, sans-serif", "color": "#212b32", "size": 14}
STYLE = {  # colour and marker of each funnel status (NHS identity colours; shape as well as colour)
    Significance.HIGH_99_8: ("#d5281b", "triangle-up", 13),
    Significance.HIGH_95: ("#ed8b00", "triangle-up", 11),
    Significance.NOT_SIGNIFICANT: ("#768692", "circle", 9),
    Significance.LOW_95: ("#41b6e6", "triangle-down", 11),
    Significance.LOW_99_8: ("#005eb8", "triangle-down", 13),
}
TAG = {
    Significance.HIGH_99_8: "nhsuk-tag--red",
    Significance.HIGH_95: "nhsuk-tag--orange",
    Significance.NOT_SIGNIFICANT: "nhsuk-tag--grey",
    Significance.LOW_95: "nhsuk-tag--aqua-green",
    Significance.LOW_99_8: "nhsuk-tag--blue",
}


def dataset_url(ods_code: str) -> str:
    return f"/discover/{quote(ods_code)}"


def funnel_url(ods_code: str, service_line: str) -> str:
    return f"{dataset_url(ods_code)}/services/{quote(service_line)}"


def trend_url(ods_code: str, service_line: str, practice_code: str) -> str:
    return f"{funnel_url(ods_code, service_line)}/practices/{quote(practice_code)}"


def decimal_text(value: Decimal, places: int = 4) -> str:
    """A statistic for a chart as a decimal string, rounded for the eye (e.g. '1.2346')."""
    return str(value.quantize(Decimal(1).scaleb(-places)))


def _line(points: tuple[FunnelPoint, ...], upto: Decimal, name: str, dash: str, legend: bool) -> dict[str, Any]:
    shown = [point for point in points if point.expected <= upto]
    return {
        "type": "scatter",
        "mode": "lines",
        "name": name,
        "legendgroup": name,
        "showlegend": legend,
        "hoverinfo": "skip",
        "x": [decimal_text(point.expected, 2) for point in shown],
        "y": [decimal_text(point.ratio) for point in shown],
        "line": {"color": "#4c6272", "width": 1.5, "dash": dash},
    }


def _points(
    practices: list[PracticeVariation], significance: Significance, ods_code: str, service_line: str
) -> dict[str, Any]:
    colour, symbol, size = STYLE[significance]
    labelled = significance in (Significance.HIGH_99_8, Significance.LOW_99_8)  # beyond 99.8%: named on the chart
    return {
        "type": "scatter",
        "mode": "markers+text" if labelled else "markers",
        "name": significance.value,
        "x": [decimal_text(item.expected, 2) for item in practices],
        "y": [decimal_text(item.ratio) for item in practices],
        "text": [item.practice_code for item in practices],
        "textposition": "top center",
        "textfont": {"size": 12, "color": "#212b32"},
        "customdata": [trend_url(ods_code, service_line, item.practice_code) for item in practices],
        "hovertemplate": "%{text}<br>expected %{x}<br>ratio %{y}<extra>" + significance.value + "</extra>",
        "marker": {"color": colour, "symbol": symbol, "size": size, "line": {"color": "#ffffff", "width": 1}},
    }


def funnel_chart(result: VariationResult, ods_code: str) -> str:
    """Practices' standardised ratio against their expected count, with the 95% and 99.8% limits."""
    upto = max(item.expected for item in result.practices) * Decimal("1.08")
    funnel = result.funnel
    data: list[dict[str, Any]] = [
        _line(funnel.upper_99_8, upto, "99.8% limits", "solid", True),
        _line(funnel.lower_99_8, upto, "99.8% limits", "solid", False),
        _line(funnel.upper_95, upto, "95% limits", "dash", True),
        _line(funnel.lower_95, upto, "95% limits", "dash", False),
    ]
    for significance in Significance:
        chosen = [item for item in result.practices if item.significance is significance]
        if chosen:
            data.append(_points(chosen, significance, ods_code, result.service_line))
    ratios = [item.ratio for item in result.practices]
    layout = {
        "margin": {"l": 70, "r": 20, "t": 20, "b": 60},
        "xaxis": {"title": {"text": "Expected count for the practice's age and sex mix"}, "range": ["0", str(upto)]},
        "yaxis": {
            "title": {"text": "Standardised ratio"},
            "range": [
                decimal_text(max(Decimal(0), min(ratios) - Decimal("0.2")), 2),
                decimal_text(max(ratios) + Decimal("0.2"), 2),
            ],
        },
        "shapes": [
            {
                "type": "line",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "y0": 1,
                "y1": 1,
                "line": {"color": "#212b32", "width": 1},
            }
        ],
        "legend": {"orientation": "h", "y": -0.2},
        "hovermode": "closest",
        "font": FONT,
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
    }
    return json.dumps({"data": data, "layout": layout, "config": {"displaylogo": False, "responsive": True}})


def trend_chart(trend: PracticeTrend) -> str:
    """A practice's activity by month against its expected count in each month."""
    months = [f"{item.month:%b %Y}" for item in trend.months]
    data = [
        {
            "type": "bar",
            "name": "Observed",
            "x": months,
            "y": [str(item.observed) for item in trend.months],
            "marker": {"color": "#005eb8"},
        },
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": "Expected for its age and sex mix",
            "x": months,
            "y": [decimal_text(item.expected, 2) for item in trend.months],
            "line": {"color": "#4c6272", "dash": "dash", "width": 3},
        },
    ]
    layout = {
        "margin": {"l": 60, "r": 20, "t": 20, "b": 60},
        "xaxis": {"type": "category", "title": {"text": "Month"}},
        "yaxis": {"title": {"text": "Hospital activity"}, "rangemode": "tozero"},
        "legend": {"orientation": "h", "y": -0.3},
        "font": FONT,
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
    }
    return json.dumps({"data": data, "layout": layout, "config": {"displaylogo": False, "responsive": True}})
