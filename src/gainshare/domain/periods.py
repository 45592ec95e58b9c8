"""Settlement periods: financial years (April to March) or other spans inside an agreement's term."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date
from functools import lru_cache


@dataclass(frozen=True, slots=True, order=True)
class Period:
    start: date
    end: date  # inclusive
    id: str

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def contains_period(self, other: Period) -> bool:
        return self.start <= other.start and other.end <= self.end


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    return date(year, month_index % 12 + 1, 1)


def month_end(day: date) -> date:
    return date.fromordinal(add_months(day, 1).toordinal() - 1)


def month_period(year: int, month: int) -> Period:
    start = date(year, month, 1)
    return Period(start, month_end(start), f"{year:04d}-{month:02d}")


def financial_year_label(start: date) -> str:
    """date(2025, 4, 1) -> '2025-26'."""
    return f"{start.year}-{(start.year + 1) % 100:02d}"


def whole_months_between(earlier: date, later: date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


@lru_cache(maxsize=1024)
def split_term(start: date, end: date, months_per_period: int) -> tuple[Period, ...]:
    """Consecutive periods of N months from the term start; the last one stops at the term end."""
    periods: list[Period] = []
    cursor = start
    while cursor <= end:
        following = add_months(cursor, months_per_period)
        last_day = min(date.fromordinal(following.toordinal() - 1), end)
        periods.append(Period(cursor, last_day, _label(cursor, months_per_period)))
        cursor = following
    return tuple(periods)


@lru_cache(maxsize=1024)
def _starts(start: date, end: date, months_per_period: int) -> tuple[date, ...]:
    return tuple(period.start for period in split_term(start, end, months_per_period))


def locate(start: date, end: date, months_per_period: int, span: Period) -> Period | None:
    """The period of a split term that wholly contains a span, if any (binary search)."""
    index = bisect_right(_starts(start, end, months_per_period), span.start) - 1
    if index < 0:
        return None
    period = split_term(start, end, months_per_period)[index]
    return period if period.contains_period(span) else None


def _label(start: date, months: int) -> str:
    if months == 12 and start.month == 4 and start.day == 1:
        return financial_year_label(start)
    if months == 12:
        return f"Y{start.year:04d}-{start.month:02d}"
    if months == 1:
        return f"{start.year:04d}-{start.month:02d}"
    return f"{start.year:04d}-{start.month:02d}+{months}m"


def parse_period_label(label: str) -> Period | None:
    """'2025-04' -> that month; '2025-26' -> that financial year; anything else -> None."""
    parts = label.strip().split("-")
    if len(parts) != 2 or not all(part.isdigit() for part in parts) or len(parts[0]) != 4:
        return None
    year, second = int(parts[0]), int(parts[1])
    if len(parts[1]) == 2 and second == (year + 1) % 100 and not 1 <= second <= 12:
        return Period(date(year, 4, 1), date(year + 1, 3, 31), label.strip())
    if len(parts[1]) == 2 and 1 <= second <= 12:
        return month_period(year, second)
    return None
