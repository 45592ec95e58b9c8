"""The home page's inbox grouped by chart: counts per chart and per agreement, unread before read, scheme-wide
charts before practices', the latest unread signal described, and a count of the charts not listed."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from gainshare.interfaces.web.inbox_views import build_inbox
from gainshare.services.monitoring import InboxItem
from gainshare.services.ports import Notification

NOW = datetime(2026, 4, 1, tzinfo=UTC)
IDS = itertools.count(1)


def _item(agreement: int, practice: str, month: str, *, read: bool = False, scheme: str = "anticoag") -> InboxItem:
    notification = Notification(
        next(IDS),
        agreement,
        scheme,
        practice,
        "shift",
        month,
        "special-cause-concern",
        "2026-03",
        NOW,
        read,
    )
    return InboxItem(agreement, f"Agreement {agreement}", notification)


def test_one_entry_per_chart_unread_and_scheme_wide_first() -> None:
    items = [
        _item(1, "Z00001", "2025-06"),
        _item(1, "Z00001", "2025-09"),
        _item(1, "Z00001", "2025-10", read=True),
        _item(1, "", "2025-07", read=True),
        _item(1, "", "2025-08"),
        _item(2, "", "2025-05", read=True),
        _item(2, "Z00002", "2025-05", scheme="ecg"),
    ]
    inbox = build_inbox(items)
    assert (inbox.unread, inbox.unread_charts, inbox.charts, inbox.more) == (4, 3, 4, 0)
    first, second = inbox.agreements
    assert (first.agreement_id, first.unread, first.unread_charts) == (1, 3, 2)
    assert (second.agreement_id, second.unread, second.unread_charts) == (2, 1, 1)
    assert [(c.practice, c.signals, c.unread) for c in first.charts] == [("", 2, 1), ("Z00001", 3, 2)]
    assert [(c.scheme, c.practice, c.unread) for c in second.charts] == [("ecg", "Z00002", 1), ("anticoag", "", 0)]
    practice = first.charts[1]
    assert practice.latest.month == "2025-09"  # the latest unread, not the later one already read
    assert practice.latest_text.startswith("special cause: concern, a run of points on one side of the mean")
    assert practice.name == "anticoag hospital activity, practice Z00001"
    assert practice.href == "/agreements/1/monitoring/spc?scheme=anticoag&practice=Z00001"
    assert first.charts[0].href == "/agreements/1/monitoring/spc?scheme=anticoag"


def test_only_the_first_charts_are_listed() -> None:
    items = [_item(1, f"Z{n:05d}", "2025-06") for n in range(12)] + [_item(1, "", "2025-06", read=True)]
    inbox = build_inbox(items, shown=8)
    [agreement] = inbox.agreements
    assert len(agreement.charts) == 8 and inbox.more == 5 and inbox.charts == 13
    assert [c.practice for c in agreement.charts] == [f"Z{n:05d}" for n in range(8)]
    assert build_inbox([]).agreements == ()
