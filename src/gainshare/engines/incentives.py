"""The payment schedule of an incentive scheme, in whole pence, and its ledger transactions.

Arithmetic, in order:

1. Eligible practices are counted on the snapshot date (a practice opened later only if the scheme says so, on its
   first list after opening). Each must be a member (if the scheme says so), of an eligible commissioner, with an
   eligible ODS status on the snapshot date.
2. The scheme total is rate x all eligible patients, rounded half-up to the penny once; it is split between the
   practices by their patients with the largest-remainder method, so the practices' amounts add up to the total.
3. Each practice's amount is split between the stages by their shares, again by largest remainder, so its stages
   add up to its amount.
4. Each (stage, practice) line is paid on its due date, or for a milestone on the later of the due date and the
   sign-off of its evidence; nothing is paid for a milestone until it is signed off. A practice merged into another
   before payment is paid through its successor. A practice that closed before payment receives nothing (or, under
   the pro-rata rule, the share of the stage's period it was open, rounded half-up); the rest is withheld.
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from gainshare.domain.incentives import (
    ClosedPracticeRule,
    Exclusion,
    IncentiveScheme,
    LineStatus,
    OpenedPracticeRule,
    PatientCount,
    PaymentLine,
    PaymentSchedule,
    PayTo,
    PracticeEntitlement,
    SignOff,
    Stage,
)
from gainshare.domain.ledger import Transaction, transfer
from gainshare.domain.money import Money
from gainshare.domain.practices import Practice, PracticeList, PracticeStatus
from gainshare.domain.terms import RoundingMode
from gainshare.engines.rounding import EXACT, largest_remainder, round_pence

PENCE = Decimal(100)


def status_on(practice: Practice, day: date) -> PracticeStatus:
    """The practice's ODS status as it stood on a day, from today's status and its open and close dates."""
    if practice.status is PracticeStatus.PROPOSED:
        return PracticeStatus.PROPOSED
    if practice.open_date is not None and day < practice.open_date:
        return PracticeStatus.PROPOSED
    if practice.close_date is not None and practice.close_date < day:
        return PracticeStatus.CLOSED
    if practice.status is PracticeStatus.CLOSED:
        return PracticeStatus.ACTIVE  # closed since, but open on the day
    return practice.status


@dataclass(frozen=True, slots=True)
class _Counted:
    code: str
    patients: Decimal
    on: date


def payment_schedule(
    scheme: IncentiveScheme,
    counts: Iterable[PatientCount],
    practices: PracticeList | None,
    sign_offs: Iterable[SignOff],
    as_of: date,
) -> PaymentSchedule:
    """Every stage of every eligible practice's entitlement, with who is paid, how much, when and why."""
    by_practice = _counts_by_practice(counts)
    eligible, exclusions = _eligible(scheme, by_practice, practices)
    total_patients = sum((item.patients for item in eligible), Decimal(0))
    with decimal.localcontext(EXACT):
        exact_total = scheme.rate_per_patient * total_patients * PENCE
    total_pence = round_pence(exact_total, RoundingMode.HALF_UP)
    amounts = _split(total_pence, [item.patients for item in eligible])
    entitlements = tuple(
        PracticeEntitlement(item.code, item.patients, item.on, Money(pence))
        for item, pence in zip(eligible, amounts, strict=True)
    )
    signed = _sign_off_dates(sign_offs)
    lines: list[PaymentLine] = []
    for entitlement in entitlements:
        stage_amounts = _split(entitlement.amount.pence, [stage.share for stage in scheme.stages])
        for stage, pence in zip(scheme.stages, stage_amounts, strict=True):
            lines.append(_line(scheme, stage, entitlement.practice_code, Money(pence), signed, practices, as_of))
    return PaymentSchedule(
        scheme_id=scheme.id,
        as_of=as_of,
        total_patients=total_patients,
        total_entitlement=Money(total_pence),
        entitlements=entitlements,
        lines=tuple(lines),
        exclusions=tuple(exclusions),
    )


def payment_transactions(scheme: IncentiveScheme, schedule: PaymentSchedule) -> tuple[Transaction, ...]:
    """One balanced transaction per payable line: from the commissioner to the practice (or the federation).

    Keys name the scheme, stage and eligible practice, so a line is posted once however often it is computed.
    """
    payer = f"{scheme.commissioner_code}:incentive-payments"
    return tuple(
        transfer(
            payment_key(scheme.id, line.stage_id, line.practice_code),
            f"{scheme.name}: {scheme.stage(line.stage_id).label} for {line.practice_code}",
            payer,
            f"{line.payee_code}:incentive-received",
            line.amount,
        )
        for line in schedule.payable()
    )


def payment_key(scheme_id: str, stage_id: str, practice_code: str) -> str:
    return f"incentive/{scheme_id}/{stage_id}/{practice_code}"


# --- eligibility ------------------------------------------------------------------------------------------------


def _counts_by_practice(counts: Iterable[PatientCount]) -> dict[str, list[PatientCount]]:
    grouped: dict[str, list[PatientCount]] = {}
    for count in counts:
        grouped.setdefault(count.practice_code, []).append(count)
    for items in grouped.values():
        items.sort(key=lambda item: item.counted_on)
    return grouped


def _eligible(
    scheme: IncentiveScheme, counts: Mapping[str, list[PatientCount]], practices: PracticeList | None
) -> tuple[list[_Counted], list[Exclusion]]:
    candidates = sorted(set(scheme.members) | set(counts)) if scheme.members else sorted(counts)
    eligible: list[_Counted] = []
    exclusions: list[Exclusion] = []
    for code in candidates:
        practice = practices.get(code) if practices is not None else None
        result = _assess(scheme, code, practice, counts.get(code, []), practices is not None)
        if isinstance(result, str):
            exclusions.append(Exclusion(code, result))
        else:
            eligible.append(result)
    return eligible, exclusions


def _assess(
    scheme: IncentiveScheme, code: str, practice: Practice | None, counts: list[PatientCount], have_list: bool
) -> _Counted | str:
    """The practice counted for the scheme, or the reason it is not eligible."""
    refusal = _membership_refusal(scheme, code, practice, counts, have_list)
    if refusal:
        return refusal
    opened = practice.open_date if practice is not None else None
    if opened is not None and opened > scheme.snapshot_date:
        return _opened_later(scheme, code, opened, counts)
    if practice is not None:
        status = status_on(practice, scheme.snapshot_date)
        if status not in scheme.eligibility.statuses:
            return f"its ODS status on the snapshot date {scheme.snapshot_date.isoformat()} was {status.name.lower()}"
    on_snapshot = next((count for count in counts if count.counted_on == scheme.snapshot_date), None)
    if on_snapshot is None:
        return f"no list size on the snapshot date {scheme.snapshot_date.isoformat()}"
    return _Counted(code, on_snapshot.patients, on_snapshot.counted_on)


def _membership_refusal(
    scheme: IncentiveScheme, code: str, practice: Practice | None, counts: list[PatientCount], have_list: bool
) -> str:
    rules = scheme.eligibility
    if rules.members_only and code not in scheme.members:
        return "not a member practice of the federation"
    if have_list and practice is None:
        return "not in the ODS practice list"
    if practice is not None:
        commissioner = practice.commissioner_code
    else:
        commissioner = next((count.commissioner_code for count in counts if count.commissioner_code), "")
    if rules.commissioner_codes and commissioner not in rules.commissioner_codes:
        wanted = ", ".join(sorted(rules.commissioner_codes))
        return f"its commissioner {commissioner or '(unknown)'} is not one of the scheme's ({wanted})"
    return ""


def _opened_later(scheme: IncentiveScheme, code: str, opened: date, counts: list[PatientCount]) -> _Counted | str:
    when = f"opened on {opened.isoformat()}, after the list snapshot of {scheme.snapshot_date.isoformat()}"
    if scheme.opened_rule is OpenedPracticeRule.NOT_ELIGIBLE:
        return when
    first = next((count for count in counts if count.counted_on >= opened), None)
    if first is None:
        return f"{when}, and has no list size since"
    return _Counted(code, first.patients, first.counted_on)


def _split(total_pence: int, weights: list[Decimal]) -> list[int]:
    if not weights:
        return []
    if sum(weights, Decimal(0)) == 0:
        return [0] * len(weights)
    return largest_remainder(total_pence, weights)


# --- lines --------------------------------------------------------------------------------------------------------


def _sign_off_dates(sign_offs: Iterable[SignOff]) -> dict[tuple[str, str | None], date]:
    earliest: dict[tuple[str, str | None], date] = {}
    for item in sign_offs:
        key = (item.stage_id, item.practice_code)
        earliest[key] = min(item.on, earliest.get(key, item.on))
    return earliest


def _signed_on(stage: Stage, code: str, signed: Mapping[tuple[str, str | None], date]) -> date | None:
    dates = [day for day in (signed.get((stage.id, code)), signed.get((stage.id, None))) if day is not None]
    return min(dates) if dates else None


def _line(
    scheme: IncentiveScheme,
    stage: Stage,
    code: str,
    entitlement: Money,
    signed: Mapping[tuple[str, str | None], date],
    practices: PracticeList | None,
    as_of: date,
) -> PaymentLine:
    signed_on = _signed_on(stage, code, signed) if stage.is_milestone else None
    awaiting = stage.is_milestone and signed_on is None
    pay_date = None if awaiting else max(stage.due, signed_on or stage.due)
    reference = pay_date or max(stage.due, as_of)  # the earliest it could be paid
    recipient, merged_note = _successor(scheme, code, reference)
    amount, closed_note = _after_closure(scheme, stage, recipient, entitlement, reference, practices)
    payee = scheme.federation_code if scheme.pay_to is PayTo.FEDERATION else recipient
    notes = [note for note in (merged_note, closed_note) if note]
    if awaiting:
        status = LineStatus.AWAITING_SIGN_OFF
        notes.insert(0, "awaiting sign-off of the evidence: " + "; ".join(c.text for c in stage.conditions))
    elif not amount:
        status, pay_date = LineStatus.WITHHELD, None
    elif pay_date is not None and pay_date > as_of:
        status = LineStatus.SCHEDULED
    else:
        status = LineStatus.PRO_RATA if amount != entitlement else LineStatus.PAYABLE
    return PaymentLine(stage.id, code, payee, entitlement, amount, stage.due, pay_date, status, "; ".join(notes))


def _successor(scheme: IncentiveScheme, code: str, on: date) -> tuple[str, str]:
    """The practice that holds `code`'s list on a day, following mergers in date order."""
    current = code
    steps: list[str] = []
    for merger in sorted(scheme.mergers, key=lambda item: item.on):
        if merger.on <= on and current in merger.predecessors and merger.successor != current:
            steps.append(f"merged into {merger.successor} on {merger.on.isoformat()}")
            current = merger.successor
    note = f"{code} " + ", then ".join(steps) + f"; paid to {current}" if steps else ""
    return current, note


def _closure_date(scheme: IncentiveScheme, code: str, practices: PracticeList | None) -> date | None:
    for closure in scheme.closures:
        if closure.practice_code == code:
            return closure.on
    practice = practices.get(code) if practices is not None else None
    return practice.close_date if practice is not None else None


def _after_closure(
    scheme: IncentiveScheme,
    stage: Stage,
    recipient: str,
    entitlement: Money,
    reference: date,
    practices: PracticeList | None,
) -> tuple[Money, str]:
    """The amount left after the recipient's closure (if it closed before the payment), and why."""
    closed = _closure_date(scheme, recipient, practices)
    if closed is None or closed >= reference:
        return entitlement, ""
    what = f"{recipient} closed on {closed.isoformat()}, before payment on {reference.isoformat()}"
    if scheme.closed_rule is ClosedPracticeRule.NO_PAYMENT_AFTER_CLOSURE:
        return Money(0), f"{what}: nothing is paid after closure"
    start, end = scheme.stage_period(stage)
    days = (end - start).days + 1
    open_days = max(0, min((closed - start).days + 1, days))
    with decimal.localcontext(EXACT):
        exact = Decimal(entitlement.pence) * open_days / days
    amount = Money(round_pence(exact, RoundingMode.HALF_UP))
    return amount, f"{what}: pro rata {open_days} of {days} days of the stage's period"
