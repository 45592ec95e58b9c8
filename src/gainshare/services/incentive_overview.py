"""An incentive scheme as its pages show it: the payment schedule per practice and in total as of today, the
milestones with their evidence and sign-offs per practice, the payments approved, and what the user may do.

The rules stay in IncentiveService (who may do what, the conflict-of-interest check) and engines/incentives.py (the
schedule); this module gathers their answers, with the member practices' list sizes on the snapshot date from
PracticeData (services/practice_data.py), so that the pages and the approval use the same counts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from gainshare.domain.incentives import IncentiveScheme, LineStatus, PatientCount, PaymentLine, PaymentSchedule, Stage
from gainshare.domain.money import Money, total
from gainshare.engines.incentives import payment_key
from gainshare.services.incentives import ApprovedPayments, IncentiveService
from gainshare.services.ports import EvidenceRecord, PaymentRecord, Role, SchemeRecord, SignOffRecord
from gainshare.services.practice_data import PracticeData
from gainshare.services.workspace import Actor, WorkspaceService


@dataclass(frozen=True, slots=True)
class PracticeRow:
    """One practice's line of the schedule: its patients, entitlement and each stage's line."""

    code: str
    name: str
    patients: int
    entitlement: Money
    lines: tuple[PaymentLine | None, ...]  # by stage, in the scheme's order

    @property
    def payable(self) -> Money:
        return total([line.amount for line in self.lines if line is not None and _is_payable(line)])


@dataclass(frozen=True, slots=True)
class Milestone:
    stage: Stage
    evidence: tuple[EvidenceRecord, ...]
    sign_offs: tuple[SignOffRecord, ...]

    def signed_for(self, practice_code: str) -> SignOffRecord | None:
        return next((s for s in self.sign_offs if s.practice_code in (None, practice_code)), None)

    def evidenced_for(self, practice_code: str) -> bool:
        """Every condition has evidence for the practice (its own, or the federation's for every practice)."""
        covered = {e.condition_id for e in self.evidence if e.practice_code in (None, practice_code)}
        return all(condition.id in covered for condition in self.stage.conditions)


@dataclass(frozen=True, slots=True)
class StagePayments:
    """The payments approved for one stage: how many, how much, and the approvals (who, when, any flags)."""

    stage: Stage
    payments: tuple[PaymentRecord, ...]

    @property
    def amount(self) -> Money:
        return total([_paid(payment) for payment in self.payments])

    @property
    def approvals(self) -> tuple[tuple[int, datetime, tuple[str, ...]], ...]:
        seen: dict[tuple[int, datetime], tuple[str, ...]] = {}
        for payment in self.payments:
            seen.setdefault((payment.approved_by, payment.approved_at), payment.conflict_flags)
        return tuple((who, when, flags) for (who, when), flags in seen.items())


@dataclass(frozen=True, slots=True)
class SchemeOverview:
    record: SchemeRecord
    scheme: IncentiveScheme
    schedule: PaymentSchedule
    practices: tuple[PracticeRow, ...]
    milestones: tuple[Milestone, ...]
    payments: tuple[PaymentRecord, ...]
    people: dict[int, str]  # user id -> name, for who submitted, signed or approved
    counts_known: bool
    can_submit: bool  # federation manager of the federation, or commissioner finance
    can_decide: bool  # commissioner finance of the commissioner: sign off and approve

    @property
    def stage_totals(self) -> tuple[Money, ...]:
        by_stage = self.schedule.by_stage()
        return tuple(by_stage.get(stage.id, Money(0)) for stage in self.scheme.stages)

    @property
    def total_paid(self) -> Money:
        return total([_paid(payment) for payment in self.payments])

    @property
    def awaiting_approval(self) -> Money:
        """Payable by today but not yet approved."""
        done = {payment.transaction.key for payment in self.payments}
        lines = self.schedule.payable()
        keys = [payment_key(self.scheme.id, line.stage_id, line.practice_code) for line in lines]
        return total([line.amount for line, key in zip(lines, keys, strict=True) if key not in done])

    @property
    def payments_by_stage(self) -> tuple[StagePayments, ...]:
        found = []
        for stage in self.scheme.stages:
            prefix = payment_key(self.scheme.id, stage.id, "")
            mine = tuple(p for p in self.payments if p.transaction.key.startswith(prefix))
            if mine:
                found.append(StagePayments(stage, mine))
        return tuple(found)

    def amount_of(self, payment: PaymentRecord) -> Money:
        return _paid(payment)

    def approved(self, line: PaymentLine) -> bool:
        """The line's payment is approved and recorded."""
        key = payment_key(self.scheme.id, line.stage_id, line.practice_code)
        return any(payment.transaction.key == key for payment in self.payments)


@dataclass(frozen=True)
class IncentivePages:
    incentives: IncentiveService
    workspace: WorkspaceService
    data: PracticeData
    clock: Callable[[], datetime]

    def schemes(self, actor: Actor) -> list[tuple[SchemeRecord, IncentiveScheme]]:
        user = _user(actor)
        return [(record, self.incentives.scheme(user, record.scheme_id)) for record in self.incentives.schemes(user)]

    def overview(self, actor: Actor, scheme_id: str) -> SchemeOverview:
        user = _user(actor)
        record = self.incentives.record(user, scheme_id)
        scheme = self.incentives.scheme(user, scheme_id)
        counts = self._counts(scheme)
        schedule = self.incentives.schedule(user, scheme_id, counts, None, self.today())
        evidence = self.incentives.evidence(user, scheme_id)
        sign_offs = self.incentives.sign_offs(user, scheme_id)
        payments = tuple(self.incentives.payments(user, scheme_id))
        _, memberships = self.workspace.profile(actor)
        roles = {(m.organisation_id, m.role) for m in memberships}
        can_decide = (record.commissioner_id, Role.COMMISSIONER_FINANCE) in roles
        return SchemeOverview(
            record=record,
            scheme=scheme,
            schedule=schedule,
            practices=self._rows(scheme, schedule),
            milestones=tuple(
                Milestone(
                    stage,
                    tuple(item for item in evidence if item.stage_id == stage.id),
                    tuple(item for item in sign_offs if item.stage_id == stage.id),
                )
                for stage in scheme.stages
                if stage.is_milestone
            ),
            payments=payments,
            people=self._people(actor, record),
            counts_known=bool(counts),
            can_submit=can_decide or (record.federation_id, Role.FEDERATION_MANAGER) in roles,
            can_decide=can_decide,
        )

    def approve(self, actor: Actor, scheme_id: str) -> ApprovedPayments:
        """Approve the payable lines not approved before, with the same counts the schedule shows."""
        user = _user(actor)
        scheme = self.incentives.scheme(user, scheme_id)
        return self.incentives.approve_payments(user, scheme_id, self._counts(scheme), None, self.today())

    def today(self) -> date:
        return self.clock().date()

    def practice_names(self, scheme: IncentiveScheme) -> dict[str, str]:
        return {site.code: site.name for site in self.data.sites(scheme.federation_code)}

    def _counts(self, scheme: IncentiveScheme) -> tuple[PatientCount, ...]:
        return self.data.patient_counts(scheme.federation_code, scheme.snapshot_date)

    def _rows(self, scheme: IncentiveScheme, schedule: PaymentSchedule) -> tuple[PracticeRow, ...]:
        names = self.practice_names(scheme)
        lines = {(line.practice_code, line.stage_id): line for line in schedule.lines}
        return tuple(
            PracticeRow(
                item.practice_code,
                names.get(item.practice_code, ""),
                int(item.patients),
                item.amount,
                tuple(lines.get((item.practice_code, stage.id)) for stage in scheme.stages),
            )
            for item in schedule.entitlements
        )

    def _people(self, actor: Actor, record: SchemeRecord) -> dict[int, str]:
        """Names of the people of the user's agreements with the scheme's parties (others show as a number)."""
        names: dict[int, str] = {}
        for agreement in self.workspace.list_agreements(actor):
            if {agreement.commissioner_id, agreement.provider_id} == {record.commissioner_id, record.federation_id}:
                names.update(self.workspace.people(actor, agreement.id))
        return names


def _user(actor: Actor) -> int:
    if actor.user_id is None:
        raise ValueError("incentive pages act for a signed-in user")
    return actor.user_id


def _is_payable(line: PaymentLine) -> bool:
    return line.status in (LineStatus.PAYABLE, LineStatus.PRO_RATA)


def _paid(payment: PaymentRecord) -> Money:
    return total([posting.amount for posting in payment.transaction.postings if posting.amount.pence > 0])
