"""Incentive schemes that pay practices to federate, as data; and the payment schedules computed from them.

A scheme pays a rate per registered (or weighted) patient, counted on a list-size snapshot date, in stages: an
up-front share and milestone shares across years. A milestone stage is paid only when its conditions are evidenced
and the evidence is signed off. The engine (gainshare.engines.incentives) turns a scheme, the practices and their
list sizes into a schedule of payments in whole pence; this module holds the values only (standard library only).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import Enum

from gainshare.domain.issues import Issue, Source
from gainshare.domain.money import Money, format_rate, total
from gainshare.domain.practices import PracticeStatus


class PatientBasis(Enum):
    REGISTERED = "registered"
    WEIGHTED = "weighted"


class PayTo(Enum):
    PRACTICES = "practices"
    FEDERATION = "federation"


class ClosedPracticeRule(Enum):
    """What a practice that closes (and is not merged) after the snapshot receives of later stages."""

    NO_PAYMENT_AFTER_CLOSURE = "no_payment_after_closure"
    PRO_RATA = "pro_rata"  # the share of the stage's period the practice was open


class OpenedPracticeRule(Enum):
    """Whether a practice that opens after the snapshot date takes part."""

    NOT_ELIGIBLE = "not_eligible"
    FIRST_LIST_AFTER_OPENING = "first_list_after_opening"  # counted on its first list size after it opened


@dataclass(frozen=True, slots=True)
class Condition:
    id: str
    text: str


@dataclass(frozen=True, slots=True)
class Stage:
    """One instalment: a share of each practice's entitlement, due on a date; gated when it has conditions."""

    id: str
    label: str
    share: Decimal
    due: date
    conditions: tuple[Condition, ...] = ()

    @property
    def is_milestone(self) -> bool:
        return bool(self.conditions)


@dataclass(frozen=True, slots=True)
class Eligibility:
    statuses: frozenset[PracticeStatus] = frozenset({PracticeStatus.ACTIVE})
    commissioner_codes: frozenset[str] = frozenset()  # empty: any commissioner
    members_only: bool = True  # only practices listed as members of the federation


@dataclass(frozen=True, slots=True)
class Merger:
    """Practices that merged into a successor on a date (the successor may be one of them)."""

    predecessors: tuple[str, ...]
    successor: str
    on: date


@dataclass(frozen=True, slots=True)
class Closure:
    practice_code: str
    on: date  # the last day the practice was open


@dataclass(frozen=True, slots=True)
class PatientCount:
    """Registered (or weighted) patients of a practice counted on a date."""

    practice_code: str
    counted_on: date
    patients: Decimal
    commissioner_code: str = ""


@dataclass(frozen=True, slots=True)
class SignOff:
    """A milestone's evidence signed off, for one practice or (practice_code None) for every practice."""

    stage_id: str
    practice_code: str | None
    on: date


@dataclass(frozen=True, slots=True)
class IncentiveScheme:
    id: str
    name: str
    commissioner_code: str
    rate_per_patient: Decimal  # pounds per patient over the whole scheme
    snapshot_date: date
    stages: tuple[Stage, ...]
    basis: PatientBasis = PatientBasis.REGISTERED
    start: date | None = None  # start of the first stage's period; default the snapshot date
    federation_code: str = ""
    federation_name: str = ""
    pay_to: PayTo = PayTo.PRACTICES
    eligibility: Eligibility = Eligibility()
    members: frozenset[str] = frozenset()
    closed_rule: ClosedPracticeRule = ClosedPracticeRule.NO_PAYMENT_AFTER_CLOSURE
    opened_rule: OpenedPracticeRule = OpenedPracticeRule.NOT_ELIGIBLE
    mergers: tuple[Merger, ...] = ()
    closures: tuple[Closure, ...] = ()
    notes: str = ""

    @property
    def period_start(self) -> date:
        return self.start or self.snapshot_date

    def stage(self, stage_id: str) -> Stage:
        for stage in self.stages:
            if stage.id == stage_id:
                return stage
        raise KeyError(f"scheme {self.id!r} has no stage {stage_id!r}")

    def stage_period(self, stage: Stage) -> tuple[date, date]:
        """The stage's period: from the day after the previous stage's due date (or the start) to its due date."""
        ordered = sorted(self.stages, key=lambda item: item.due)
        index = ordered.index(stage)
        if index == 0:
            return self.period_start, stage.due
        previous = ordered[index - 1].due
        return date.fromordinal(previous.toordinal() + 1), stage.due


def check_scheme(scheme: IncentiveScheme, name: str = "") -> list[Issue]:
    """Problems that make a scheme unusable, naming the clause: shares must add up to 100% exactly, and so on."""
    issues: list[Issue] = []

    def problem(code: str, message: str, clause: str) -> None:
        issues.append(Issue(f"incentive.{code}", message, Source(file=name or None, clause=clause)))

    if scheme.rate_per_patient <= 0:
        problem("rate", "the rate per patient must be more than zero", "rate_per_patient")
    if not scheme.stages:
        problem("stages", "a scheme needs at least one stage", "stages")
    shares = sum((stage.share for stage in scheme.stages), Decimal(0))
    if scheme.stages and shares != 1:
        problem("shares", f"the stage shares add up to {format_rate(shares)}, not 100%", "stages")
    issues.extend(_stage_issues(scheme, name))
    if scheme.pay_to is PayTo.FEDERATION and not scheme.federation_code:
        problem("federation", "a scheme that pays the federation must name it (federation.ods_code)", "federation")
    if scheme.eligibility.members_only and not scheme.members:
        problem("members", "eligibility.members_only needs the list of member practices", "members")
    issues.extend(_merger_issues(scheme, name))
    return issues


def _stage_issues(scheme: IncentiveScheme, name: str) -> list[Issue]:
    issues: list[Issue] = []
    seen: set[str] = set()
    for index, stage in enumerate(scheme.stages):
        where = f"stages[{index}]"
        if stage.id in seen:
            message = f"the stage id {stage.id!r} is used twice"
            issues.append(Issue("incentive.stage_id", message, Source(file=name or None, clause=f"{where}.id")))
        seen.add(stage.id)
        if stage.share <= 0:
            message = "a stage's share must be more than zero"
            issues.append(Issue("incentive.share", message, Source(file=name or None, clause=f"{where}.share")))
        if stage.due < scheme.period_start:
            message = "a stage cannot be due before the scheme starts"
            issues.append(Issue("incentive.due", message, Source(file=name or None, clause=f"{where}.due")))
    return issues


def _merger_issues(scheme: IncentiveScheme, name: str) -> list[Issue]:
    issues: list[Issue] = []
    merged_away: dict[str, date] = {}
    for index, merger in enumerate(scheme.mergers):
        clause = f"mergers[{index}]"
        if not merger.predecessors:
            message = "a merger needs the practices it merges"
            issues.append(Issue("incentive.merger", message, Source(file=name or None, clause=clause)))
        for code in merger.predecessors:
            if code == merger.successor:
                continue
            if code in merged_away:
                message = f"practice {code} is merged away twice"
                issues.append(Issue("incentive.merger", message, Source(file=name or None, clause=clause)))
            merged_away[code] = merger.on
    return issues


class LineStatus(Enum):
    PAYABLE = "payable"  # due on or before the as-of date, and signed off if a milestone
    SCHEDULED = "scheduled"  # not yet due, and needs no sign-off (or is signed off already)
    AWAITING_SIGN_OFF = "awaiting sign-off"  # a milestone whose evidence is not signed off
    PRO_RATA = "pro rata"  # the practice closed during the stage's period: part is payable
    WITHHELD = "withheld"  # the practice closed before payment: nothing is paid


@dataclass(frozen=True, slots=True)
class PaymentLine:
    """One stage of one eligible practice's entitlement: who receives it, how much, when, and why."""

    stage_id: str
    practice_code: str  # the practice eligible at the snapshot (or opening)
    payee_code: str  # who is paid: the practice, its successor after a merger, or the federation
    entitlement: Money  # this stage's share of the practice's entitlement
    amount: Money  # what is (or will be) paid; less than the entitlement only for closed practices
    due: date
    pay_date: date | None  # None while awaiting sign-off, or when withheld
    status: LineStatus
    reason: str = ""

    @property
    def withheld(self) -> Money:
        return self.entitlement - self.amount


@dataclass(frozen=True, slots=True)
class Exclusion:
    practice_code: str
    reason: str


@dataclass(frozen=True, slots=True)
class PracticeEntitlement:
    practice_code: str
    patients: Decimal
    counted_on: date
    amount: Money


@dataclass(frozen=True, slots=True)
class PaymentSchedule:
    scheme_id: str
    as_of: date
    total_patients: Decimal
    total_entitlement: Money
    entitlements: tuple[PracticeEntitlement, ...]
    lines: tuple[PaymentLine, ...]
    exclusions: tuple[Exclusion, ...] = ()
    issues: tuple[Issue, ...] = field(default=())

    def lines_with(self, *statuses: LineStatus) -> tuple[PaymentLine, ...]:
        return tuple(line for line in self.lines if line.status in statuses)

    def payable(self) -> tuple[PaymentLine, ...]:
        """Lines to pay by the as-of date (including the open part of pro-rata lines)."""
        return tuple(line for line in self.lines_with(LineStatus.PAYABLE, LineStatus.PRO_RATA) if line.amount)

    @property
    def total_payable(self) -> Money:
        return total([line.amount for line in self.payable()])

    @property
    def total_withheld(self) -> Money:
        return total([line.withheld for line in self.lines])

    def by_payee(self) -> dict[str, Money]:
        amounts: dict[str, int] = {}
        for line in self.lines:
            amounts[line.payee_code] = amounts.get(line.payee_code, 0) + line.amount.pence
        return {code: Money(amounts[code]) for code in sorted(amounts)}

    def by_stage(self) -> dict[str, Money]:
        amounts: dict[str, int] = {}
        for line in self.lines:
            amounts[line.stage_id] = amounts.get(line.stage_id, 0) + line.entitlement.pence
        return {stage: Money(pence) for stage, pence in amounts.items()}


# --- The landscape: which commissioners incentivised federation (the 2015 HSJ survey) -----------------------------


class SurveyStatus(Enum):
    PLANNING = "planning"  # planning to incentivise practices to federate
    NOT_PLANNING = "not-planning"
    FEDERATED = "federated"  # most or all practices already in federations


@dataclass(frozen=True, slots=True)
class SurveyEntry:
    """One CCG of the survey, with its ODS code then and the sub-ICB location and ICB that cover it now."""

    survey_name: str  # as the article spells it
    status: SurveyStatus
    mcp_vanguard: bool
    ccg_code: str
    ccg_name: str  # the ODS name of the CCG in 2015
    successor_chain: str  # dated steps: merged CCGs, then the sub-ICB location
    sub_icb_code: str
    sub_icb_name: str
    icb_code: str
    icb_name: str
    name_note: str = ""  # why the article's name differs from the ODS name, if it does
    scheme_note: str = ""  # what the article says the CCG does
