"""Payments on account of a forecast share, their revision when the forecast changes, and the year-end true-up.

Each instalment states the cumulative share of the forecast provider share due by its date. The amount due
at an instalment is that cumulative amount (rounded once to the penny, never below zero) less what earlier
instalments paid, never negative: a forecast that falls does not claw money back before the year end; the
true-up does. Revising a schedule keeps the instalments already paid (due before the revision date) and
redraws the rest.
"""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from gainshare.domain.errors import InvalidInputError
from gainshare.domain.issues import Issue, Source
from gainshare.domain.money import Money, format_rate
from gainshare.domain.payments import InstalmentChange, InstalmentDue, PaymentSchedule, ScheduleRevision, TrueUp
from gainshare.domain.terms import Instalment, PaymentsOnAccount, RoundingMode
from gainshare.engines.rounding import round_pence


def payment_schedule(
    terms: PaymentsOnAccount, forecast_share: Money, mode: RoundingMode = RoundingMode.HALF_UP
) -> PaymentSchedule:
    """The amount due at each instalment for a forecast provider share."""
    return _draw(terms, forecast_share, {}, mode)


def revise_schedule(
    previous: PaymentSchedule,
    terms: PaymentsOnAccount,
    forecast_share: Money,
    as_of: date,
    reason: str,
    mode: RoundingMode = RoundingMode.HALF_UP,
) -> ScheduleRevision:
    """Redraw a schedule for a revised forecast on a day: instalments due before it are paid and stay."""
    paid = {instalment.due: instalment.amount for instalment in previous.instalments if instalment.due < as_of}
    schedule = _draw(terms, forecast_share, paid, mode)
    before = {instalment.due: instalment.amount for instalment in previous.instalments}
    prefix = f"Forecast share revised from {previous.forecast_share} to {forecast_share} ({reason})"
    changes = tuple(
        InstalmentChange(item.due, before.get(item.due, Money(0)), item.amount, f"{prefix}: {item.explanation}")
        for item in schedule.instalments
        if item.amount != before.get(item.due, Money(0))
    )
    return ScheduleRevision(as_of, reason, previous.forecast_share, forecast_share, changes, schedule)


def true_up(final_share: Money, schedule: PaymentSchedule) -> TrueUp:
    """The year-end balance: the final share less everything paid on account (negative: recovered)."""
    paid = schedule.total()
    amount = final_share - paid
    direction = "paid to the provider" if amount.pence >= 0 else "recovered from the provider"
    text = f"Final share {final_share} less {paid} paid on account: {abs(amount)} {direction}."
    return TrueUp(final_share, paid, amount, text)


def _draw(terms: PaymentsOnAccount, forecast: Money, paid: dict[date, Money], mode: RoundingMode) -> PaymentSchedule:
    instalments = _instalments(terms)
    rows: list[InstalmentDue] = []
    paid_before = Money(0)
    for due, percent in instalments:
        cumulative = Money(max(0, round_pence(percent * forecast.pence, mode)))
        fixed = due in paid
        amount = paid[due] if fixed else max(Money(0), cumulative - paid_before)
        rows.append(
            InstalmentDue(
                due,
                percent,
                cumulative,
                paid_before,
                amount,
                fixed,
                _explain(percent, cumulative, paid_before, amount, fixed),
            )
        )
        paid_before = paid_before + amount
    return PaymentSchedule(terms.clause, forecast, tuple(rows))


def _explain(percent: Decimal, cumulative: Money, paid_before: Money, amount: Money, fixed: bool) -> str:
    if fixed:
        return f"{amount} already paid; not recalculated."
    text = f"{format_rate(percent)} of the forecast share due by now is {cumulative}; {paid_before} paid before"
    if paid_before > cumulative:
        return f"{text}, so nothing is due and the {paid_before - cumulative} paid ahead is settled at the true-up."
    return f"{text}, so {amount} is due."


def _instalments(terms: PaymentsOnAccount) -> list[tuple[date, Decimal]]:
    parsed: list[tuple[date, Decimal]] = []
    issues: list[Issue] = []
    for index, instalment in enumerate(terms.instalments):
        where = Source(clause=f"{terms.clause}.instalments[{index}]")
        try:
            parsed.append((date.fromisoformat(instalment.due), instalment.percent))
        except ValueError:
            issues.append(Issue("payments.due", f"{instalment.due!r} is not a date (YYYY-MM-DD)", where))
        issues.extend(_percent_issues(instalment, where))
    parsed.sort()
    issues.extend(_order_issues(parsed, terms.clause))
    if issues:
        raise InvalidInputError(issues)
    return parsed


def _percent_issues(instalment: Instalment, where: Source) -> list[Issue]:
    if Decimal(0) <= instalment.percent <= Decimal(1):
        return []
    return [Issue("payments.percent", f"cumulative share {instalment.percent} is not between 0% and 100%", where)]


def _order_issues(parsed: list[tuple[date, Decimal]], clause: str) -> list[Issue]:
    issues: list[Issue] = []
    for (day, percent), (later_day, later_percent) in itertools.pairwise(parsed):
        if day == later_day:
            issues.append(Issue("payments.due", f"two instalments fall due on {day}", Source(clause=clause)))
        elif later_percent < percent:
            text = f"cumulative share falls from {format_rate(percent)} to {format_rate(later_percent)} on {later_day}"
            issues.append(Issue("payments.percent", text, Source(clause=clause)))
    return issues
