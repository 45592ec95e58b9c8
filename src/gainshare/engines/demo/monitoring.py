"""The demo federation's monitoring files as rows: a term year's monthly actuals per scheme and practice, the
inter-practice referrals to the hub practices, and the practices' list sizes for the distribution.

Rows are plain dicts in the column order of the CSV formats of adapters.monitoring_files.
"""

from __future__ import annotations

from typing import Any

from gainshare.domain.money import Money
from gainshare.engines.demo.federation import DemoFederation


def _term_months(federation: DemoFederation, year: int) -> range:
    start = federation.parameters.activity.scheme_start_index + 12 * year
    if year < 0 or start + 12 > len(federation.months):
        raise ValueError(f"the demo data have no complete term year {year + 1}")
    return range(start, start + 12)


def _label(federation: DemoFederation, month: int) -> str:
    day = federation.months[month]
    return f"{day.year:04d}-{day.month:02d}"


def actuals_rows(federation: DemoFederation, year: int = 0) -> list[dict[str, Any]]:
    """Monthly actuals of the term's year (0: the first): per month, scheme and practice, hospital activity then
    and in the same month of the baseline year, and the practice's patients' hub activity."""
    start = federation.parameters.activity.scheme_start_index
    hospital, hub = federation.activity.hospital, federation.activity.hub
    rows: list[dict[str, Any]] = []
    for month in _term_months(federation, year):
        baseline_month = start - 12 + (month - start) % 12
        for line_index, line in enumerate(federation.lines):
            for index, practice in enumerate(federation.practices):
                rows.append(
                    {
                        "month": _label(federation, month),
                        "scheme": line.id,
                        "practice": practice.code,
                        "baseline_activity": int(hospital[index, line_index, baseline_month]),
                        "hospital_activity": int(hospital[index, line_index, month]),
                        "hub_activity": int(hub[index, line_index, month]),
                    }
                )
    return rows


def referral_rows(federation: DemoFederation, year: int = 0, line_index: int = 0) -> list[dict[str, Any]]:
    """Inter-practice referrals of one service line: each practice's hub appointments seen at its hub practice
    (its own hub's patients are not referrals), priced at the line's hub price."""
    activity = federation.activity
    price = Money(int(activity.hub_prices_pence[line_index])).plain()
    rows: list[dict[str, Any]] = []
    for month in _term_months(federation, year):
        for index, practice in enumerate(federation.practices):
            host = int(activity.hub_of[index])
            items = int(activity.hub[index, line_index, month])
            if host != index and items:
                rows.append(
                    {
                        "referring_practice": practice.code,
                        "providing_practice": federation.practices[host].code,
                        "month": _label(federation, month),
                        "items": items,
                        "price_per_item": price,
                    }
                )
    return rows


def weight_rows(federation: DemoFederation, year: int = 0) -> list[dict[str, Any]]:
    """Each practice's registered list at the end of the term year, as its weighted list."""
    last = _term_months(federation, year)[-1]
    return [
        {"practice": practice.code, "weighted_list": int(federation.list_sizes[index, last])}
        for index, practice in enumerate(federation.practices)
    ]
