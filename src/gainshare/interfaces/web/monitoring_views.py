"""What the monitoring and year-end pages show, assembled from the services' answers: presentation only.

Chart data are decimal strings (never floats); every chart has a table and a text alternative next to it.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from gainshare.domain.distribution import Basis
from gainshare.domain.money import Money
from gainshare.domain.monitoring import AssuranceIcon, PointType, SpcChart, SpcPoint, VariationIcon
from gainshare.engines.plan import PlanBasis
from gainshare.services.monitoring import ALL_PRACTICES, PerformanceRow
from gainshare.services.ports import Notification

# Making Data Count's icon meanings (NHS England, "Making Data Count: getting started", the SPC icons).
VARIATION_TEXT = {
    VariationIcon.COMMON_CAUSE: ("Common cause variation", "C", "common"),
    VariationIcon.IMPROVEMENT_HIGH: ("Special cause variation of an improving nature: higher", "H", "improvement"),
    VariationIcon.IMPROVEMENT_LOW: ("Special cause variation of an improving nature: lower", "L", "improvement"),
    VariationIcon.CONCERN_HIGH: ("Special cause variation of a concerning nature: higher", "H", "concern"),
    VariationIcon.CONCERN_LOW: ("Special cause variation of a concerning nature: lower", "L", "concern"),
    VariationIcon.NEUTRAL_HIGH: ("Special cause variation, neither improving nor concerning: higher", "H", "neutral"),
    VariationIcon.NEUTRAL_LOW: ("Special cause variation, neither improving nor concerning: lower", "L", "neutral"),
}
ASSURANCE_TEXT = {
    AssuranceIcon.CONSISTENT_PASS: ("The system is expected to consistently pass the target", "P", "improvement"),
    AssuranceIcon.CONSISTENT_FAIL: ("The system is expected to consistently fail the target", "F", "concern"),
    AssuranceIcon.INCONSISTENT: (
        "The system may achieve or fail the target, subject to random variation",
        "?",
        "common",
    ),
}
RULE_TEXT = {
    "outside-limits": "a point outside the process limits",
    "trend": "a run of points going up or down (a trend)",
    "two-in-three": "two of three points close to a process limit",
    "shift": "a run of points on one side of the mean (a shift)",
}
POINT_TEXT = {
    PointType.COMMON_CAUSE.value: "common cause",
    PointType.IMPROVEMENT.value: "special cause: improvement",
    PointType.CONCERN.value: "special cause: concern",
    PointType.NEUTRAL_HIGH.value: "special cause: high",
    PointType.NEUTRAL_LOW.value: "special cause: low",
}
COLOURS = {"common": "#768692", "improvement": "#005eb8", "concern": "#ed8b00", "neutral": "#330072"}
MIXES = {
    "list": ("Weighted list", ((Basis.WEIGHTED_LIST, Decimal(1)),)),
    "activity": ("Activity delivered", ((Basis.ACTIVITY, Decimal(1)),)),
    "mix": (
        "Mix: list 50%, activity 30%, performance 20%",
        ((Basis.WEIGHTED_LIST, Decimal("0.5")), (Basis.ACTIVITY, Decimal("0.3")), (Basis.PERFORMANCE, Decimal("0.2"))),
    ),
}


@dataclass(frozen=True, slots=True)
class Icon:
    text: str  # the accessible name and the visible caption
    letter: str
    kind: str  # common, improvement, concern, neutral

    @property
    def colour(self) -> str:
        return COLOURS[self.kind]


def variation_icon(chart: SpcChart) -> Icon:
    return Icon(*VARIATION_TEXT[chart.variation])


def assurance_icon(chart: SpcChart) -> Icon | None:
    return None if chart.assurance is None else Icon(*ASSURANCE_TEXT[chart.assurance])


def notification_text(notification: Notification, scheme_names: dict[str, str] | None = None) -> str:
    """A sentence for a special-cause signal."""
    scheme = (scheme_names or {}).get(notification.scheme, notification.scheme)
    where = f"practice {notification.practice}" if notification.practice else "all practices"
    rule = RULE_TEXT.get(notification.rule, notification.rule)
    kind = POINT_TEXT.get(notification.point_type, notification.point_type)
    return (
        f"{scheme} hospital activity ({where}): {kind}, {rule}, from {notification.month} "
        f"(seen when the actuals reached {notification.detected_in})."
    )


def spc_figure(chart: SpcChart, title: str, change_point: str | None) -> str:
    """A Plotly figure (JSON) of the XmR chart: values, each segment's mean and process limits, special-cause
    points coloured by kind, and the change point marked."""
    labels = [point.label for point in chart.points]
    data: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": title,
            "x": labels,
            "y": [str(point.value) for point in chart.points],
            "line": {"color": COLOURS["common"], "width": 2},
            "marker": {"color": COLOURS["common"], "size": 7},
        }
    ]
    for kind, wanted in (("improvement", PointType.IMPROVEMENT), ("concern", PointType.CONCERN)):
        marked = [point for point in chart.points if point.point_type is wanted]
        if marked:
            data.append(_markers(kind, marked))
    for index, segment in enumerate(chart.segments):
        x = labels[segment.first : segment.first + segment.count]
        first = index == 0
        for name, value, dash in (
            ("Mean", segment.mean, "solid"),
            ("Upper process limit", segment.upper_process_limit, "dash"),
            ("Lower process limit", segment.lower_process_limit, "dash"),
        ):
            data.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "name": name,
                    "legendgroup": name,
                    "showlegend": first,
                    "x": x,
                    "y": [_decimal(value)] * len(x),
                    "line": {"color": "#212b32" if name == "Mean" else "#425563", "dash": dash, "width": 1.5},
                    "hoverinfo": "skip",
                }
            )
    shapes, notes = [], []
    if change_point in labels:
        shapes.append(
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": change_point,
                "x1": change_point,
                "y0": 0,
                "y1": 1,
                "line": {"color": "#007f3b", "width": 2, "dash": "dot"},
            }
        )
        notes.append(
            {
                "x": change_point,
                "y": 1,
                "xref": "x",
                "yref": "paper",
                "text": "Scheme start",
                "showarrow": False,
                "xanchor": "left",
                "yanchor": "bottom",
                "font": {"color": "#007f3b"},
            }
        )
    layout = {
        "margin": {"l": 60, "r": 20, "t": 30, "b": 60},
        "xaxis": {"type": "category", "title": {"text": "Month"}},
        "yaxis": {"title": {"text": "Hospital activity"}, "separatethousands": True, "tickformat": ",.0f"},
        "legend": {"orientation": "h", "y": -0.3},
        "shapes": shapes,
        "annotations": notes,
        "font": {"family": "Arial, Helvetica, sans-serif", "color": "#212b32", "size": 14},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
    }
    return json.dumps({"data": data, "layout": layout, "config": {"displaylogo": False, "responsive": True}})


def _markers(kind: str, points: Sequence[SpcPoint]) -> dict[str, Any]:
    return {
        "type": "scatter",
        "mode": "markers",
        "name": f"Special cause: {kind}",
        "x": [point.label for point in points],
        "y": [str(point.value) for point in points],
        "marker": {"color": COLOURS[kind], "size": 11, "symbol": "circle"},
    }


def _decimal(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))


def two_places(value: Decimal) -> str:
    """A limit or mean for the page: two decimal places, exact (no float on the way)."""
    return _decimal(value)


def spc_summary(chart: SpcChart, change_point: str | None) -> str:
    """The chart in words, for screen readers and anyone who does not read charts."""
    last = chart.segments[-1]
    special = [point for point in chart.points if point.special_cause and point.segment == len(chart.segments) - 1]
    start = f" The scheme started in {change_point}; the limits are recalculated from then." if change_point else ""
    signals = (
        f" {len(special)} point{'s' if len(special) != 1 else ''} since then show special cause variation"
        f" ({', '.join(point.label for point in special)})."
        if special
        else " No point since then shows special cause variation."
    )
    return (
        f"{len(chart.points)} months from {chart.points[0].label} to {chart.points[-1].label}.{start} "
        f"Mean {_decimal(last.mean)}, process limits {_decimal(last.lower_process_limit)} to "
        f"{_decimal(last.upper_process_limit)}.{signals} {VARIATION_TEXT[chart.variation][0]}."
    )


@dataclass(frozen=True, slots=True)
class PerformanceTotals:
    """One scheme or practice to date: costs, net saving and plan summed over the months."""

    name: str
    months: int
    baseline_cost: Money
    hospital_cost: Money
    hub_cost: Money
    net_saving: Money
    plan: Money | None

    @property
    def variance(self) -> Money | None:
        return None if self.plan is None else self.net_saving - self.plan


def performance_totals(rows: Iterable[PerformanceRow], key: str) -> list[PerformanceTotals]:
    """Rows summed to date by 'scheme' (all practices) or 'practice' (each practice)."""
    groups: dict[str, list[PerformanceRow]] = defaultdict(list)
    for row in rows:
        if (key == "scheme") == (row.practice == ALL_PRACTICES):
            groups[getattr(row, key)].append(row)
    result = []
    for name, found in sorted(groups.items()):
        plans = [row.plan_saving for row in found]
        plan = None if any(p is None for p in plans) else Money(sum(p.pence for p in plans if p is not None))
        result.append(
            PerformanceTotals(
                name,
                len({row.month for row in found}),
                Money(sum(row.baseline_cost.pence for row in found)),
                Money(sum(row.hospital_cost.pence for row in found)),
                Money(sum(row.hub_cost.pence for row in found)),
                Money(sum(row.net_saving.pence for row in found)),
                plan,
            )
        )
    return result


def plan_bases(rows: Iterable[PerformanceRow]) -> list[PlanBasis]:
    """The plan bases the rows use (usually one), in a stable order."""
    found = {row.plan_basis for row in rows}
    return [basis for basis in PlanBasis if basis in found]
