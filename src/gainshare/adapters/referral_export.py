"""CSV of netted inter-practice referral statements for the payment system: one row per practice per month.

Amounts are decimal strings in pounds ('1234.50'), never floats; `net_amount` is positive when the practice
receives it from the federation's clearing account and negative when it pays it in.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import TextIO

from gainshare.domain.referrals import MonthlyNetting, PracticeStatement

COLUMNS = (
    "month",
    "practice",
    "items_referred_out",
    "amount_referred_out",
    "items_received",
    "amount_received",
    "net_amount",
    "action",
)


def write_statements_csv(nettings: Iterable[MonthlyNetting], out: TextIO) -> int:
    """Write the header and one row per statement; returns the number of rows written."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    rows = 0
    for netting in nettings:
        for statement in netting.statements:
            writer.writerow(_row(statement))
            rows += 1
    return rows


def statements_csv(nettings: Iterable[MonthlyNetting]) -> str:
    buffer = io.StringIO()
    write_statements_csv(nettings, buffer)
    return buffer.getvalue()


def _row(statement: PracticeStatement) -> tuple[str, ...]:
    net = statement.net
    action = "receive" if net.pence > 0 else "pay" if net.pence < 0 else "none"
    return (
        statement.month,
        statement.practice,
        str(statement.items_out),
        statement.amount_out.plain(),
        str(statement.items_in),
        statement.amount_in.plain(),
        net.plain(),
        action,
    )
