"""The home page's inbox: special-cause notifications grouped by SPC chart (agreement, scheme, practice), with the
number of unread signals on each, the latest signal in words, and per agreement the counts that "Mark all as read"
clears. Presentation only: the services' answers, grouped and sorted for the page.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from gainshare.interfaces.web.monitoring_views import POINT_TEXT, RULE_TEXT
from gainshare.services.monitoring import ALL_PRACTICES, InboxItem
from gainshare.services.ports import Notification

SHOWN = 8  # charts listed on the home page; a sentence counts the rest


@dataclass(frozen=True, slots=True)
class ChartSignals:
    """One SPC chart's notifications for the user: how many, how many unread, and the latest (unread if any)."""

    agreement_id: int
    agreement_title: str
    scheme: str
    practice: str  # ALL_PRACTICES for the scheme-wide chart
    signals: int
    unread: int
    latest: Notification

    @property
    def key(self) -> tuple[int, str, str]:
        return (self.agreement_id, self.scheme, self.practice)

    @property
    def name(self) -> str:
        where = f"practice {self.practice}" if self.practice else "all practices"
        return f"{self.scheme} hospital activity, {where}"

    @property
    def latest_text(self) -> str:
        signal = self.latest
        kind = POINT_TEXT.get(signal.point_type, signal.point_type)
        rule = RULE_TEXT.get(signal.rule, signal.rule)
        return f"{kind}, {rule}, from {signal.month} (seen when the actuals reached {signal.detected_in})."

    @property
    def href(self) -> str:
        query = {"scheme": self.scheme} | ({"practice": self.practice} if self.practice else {})
        return f"/agreements/{self.agreement_id}/monitoring/spc?{urlencode(query)}"

    def group_key(self) -> tuple[bool, bool]:
        """Unread before read, scheme-wide before practices'."""
        return (self.unread == 0, self.practice != ALL_PRACTICES)


@dataclass(frozen=True, slots=True)
class AgreementSignals:
    """One agreement's part of the inbox: its counts, and those of its charts the page lists."""

    agreement_id: int
    title: str
    unread: int  # unread signals
    unread_charts: int  # charts with an unread signal
    charts: tuple[ChartSignals, ...]  # listed on the page (the first SHOWN charts overall)


@dataclass(frozen=True, slots=True)
class Inbox:
    agreements: tuple[AgreementSignals, ...]
    unread: int  # unread signals on every agreement
    unread_charts: int  # charts with an unread signal
    charts: int  # charts with any signal
    more: int  # charts with signals not listed


def charts_with_signals(items: Iterable[InboxItem]) -> list[ChartSignals]:
    """One entry per chart, as the page lists them: unread before read, scheme-wide before practices', then the
    most recently detected first, then by agreement, scheme and practice."""
    grouped: dict[tuple[int, str, str], list[InboxItem]] = {}
    for item in items:
        key = (item.agreement_id, item.notification.scheme, item.notification.practice)
        grouped.setdefault(key, []).append(item)
    charts = sorted((_chart(found) for found in grouped.values()), key=lambda c: (c.agreement_title, *c.key))
    charts.sort(key=lambda chart: chart.latest.detected_in, reverse=True)  # stable sorts: the earlier order stays
    return sorted(charts, key=ChartSignals.group_key)


def _chart(items: Sequence[InboxItem]) -> ChartSignals:
    signals = [item.notification for item in items]
    unread = [signal for signal in signals if not signal.read]
    latest = max(unread or signals, key=lambda signal: (signal.month, signal.id))
    first = items[0]
    return ChartSignals(
        first.agreement_id,
        first.agreement_title,
        latest.scheme,
        latest.practice,
        len(signals),
        len(unread),
        latest,
    )


def build_inbox(items: Iterable[InboxItem], shown: int = SHOWN) -> Inbox:
    """The inbox: every agreement with signals (those with unread ones first), each with its listed charts."""
    charts = charts_with_signals(items)
    listed = charts[:shown]
    order = dict.fromkeys(chart.agreement_id for chart in charts)  # sorted charts: unread agreements come first
    agreements = tuple(_agreement([c for c in charts if c.agreement_id == found], listed) for found in order)
    return Inbox(
        agreements,
        sum(agreement.unread for agreement in agreements),
        sum(agreement.unread_charts for agreement in agreements),
        len(charts),
        len(charts) - len(listed),
    )


def _agreement(charts: Sequence[ChartSignals], listed: Sequence[ChartSignals]) -> AgreementSignals:
    first = charts[0]
    return AgreementSignals(
        first.agreement_id,
        first.agreement_title,
        sum(chart.unread for chart in charts),
        sum(1 for chart in charts if chart.unread),
        tuple(chart for chart in listed if chart.agreement_id == first.agreement_id),
    )
