"""Months of the demo: first-of-month dates, financial years and working days, without reading the clock."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
from numpy.typing import NDArray

from gainshare.domain.periods import add_months, financial_year_label

EPOCH = date(1970, 1, 1)
SATURDAY = 5


def month_starts(first: date, count: int) -> tuple[date, ...]:
    """`count` first-of-month dates from `first` (which must be a first of the month)."""
    if first.day != 1:
        raise ValueError(f"{first} is not the first day of a month")
    return tuple(add_months(first, offset) for offset in range(count))


def month_of_year(months: tuple[date, ...]) -> NDArray[np.int64]:
    """1 for January ... 12 for December, per month."""
    return np.array([month.month for month in months], dtype=np.int64)


def financial_year_index(months: tuple[date, ...]) -> NDArray[np.int64]:
    """0 for the financial year (April to March) of the first month, 1 for the next, ..."""
    first = _fy_start_year(months[0])
    return np.array([_fy_start_year(month) - first for month in months], dtype=np.int64)


def financial_year_labels(months: tuple[date, ...]) -> tuple[str, ...]:
    """The distinct financial-year labels ('2023-24', ...) the months touch, in order."""
    labels: list[str] = []
    for month in months:
        label = financial_year_label(date(_fy_start_year(month), 4, 1))
        if label not in labels:
            labels.append(label)
    return tuple(labels)


def _fy_start_year(day: date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def working_days(months: tuple[date, ...]) -> tuple[NDArray[np.int32], NDArray[np.int64]]:
    """Every weekday in the months as days since 1970-01-01, and where each month's weekdays start.

    Returns (days, offsets): month i's weekdays are days[offsets[i]:offsets[i + 1]]; offsets has len(months)+1.
    Bank holidays are not modelled.
    """
    days: list[int] = []
    offsets = [0]
    for month in months:
        following = add_months(month, 1)
        day = month
        while day < following:
            if day.weekday() < SATURDAY:
                days.append((day - EPOCH).days)
            day += timedelta(days=1)
        offsets.append(len(days))
    return np.asarray(days, dtype=np.int32), np.asarray(offsets, dtype=np.int64)
