"""Incentive schemes in the shared workspace: evidence per milestone and practice, sign-off, payment approval, and
the conflict-of-interest checks on every commissioner-side decision about a federation.

Who may do what:
- commissioner finance of the scheme's commissioner registers the scheme, signs off milestones and approves
  payments; federation managers of the federation (and commissioner finance) submit evidence; members of either
  organisation read the scheme, its evidence and its schedule;
- every sign-off, payment approval and commissioner-side agreement signature is checked against the register of
  declared interests: a current interest of the decider in the federation or one of its member practices is
  refused (the default policy) or let through with the flags recorded (the FLAG policy). Either way the audit log
  says so; a refusal's audit entry is committed even though the decision is not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from gainshare.domain.conflicts import ConflictFlag, ConflictPolicy, Decision, DecisionKind, Declaration, Register
from gainshare.domain.errors import ConflictError, ForbiddenError, InvalidInputError
from gainshare.domain.incentives import IncentiveScheme, PatientCount, PaymentSchedule, SignOff
from gainshare.domain.issues import Issue, Source
from gainshare.domain.practices import PracticeList
from gainshare.engines.conflicts import check_decision
from gainshare.engines.incentives import payment_schedule, payment_transactions
from gainshare.services.ports import (
    EvidenceRecord,
    IncentiveUnitOfWork,
    OrganisationKind,
    PaymentRecord,
    Role,
    SchemeParser,
    SchemeRecord,
    SignOffRecord,
)

FINANCE = frozenset({Role.COMMISSIONER_FINANCE})
MANAGERS = frozenset({Role.FEDERATION_MANAGER})


class ConflictOfInterestError(ForbiddenError):
    """The decider holds a current declared interest in the federation (or a member practice) decided about."""

    def __init__(self, flags: tuple[ConflictFlag, ...]) -> None:
        self.flags = flags
        super().__init__("refused for a conflict of interest: " + "; ".join(flag.reason for flag in flags))


@dataclass(frozen=True, slots=True)
class ApprovedPayments:
    schedule: PaymentSchedule
    recorded: tuple[PaymentRecord, ...]  # newly recorded by this approval (earlier ones are not repeated)


@dataclass(frozen=True)
class IncentiveService:
    units: Callable[[], IncentiveUnitOfWork]
    parser: SchemeParser
    clock: Callable[[], datetime]
    conflict_policy: ConflictPolicy = ConflictPolicy.REFUSE

    # --- schemes and evidence -----------------------------------------------------------------------------------

    def register_scheme(self, actor_id: int, content: str, commissioner_id: int, federation_id: int) -> SchemeRecord:
        scheme = self.parser.parse(content, "incentive scheme")
        with self.units() as uow:
            self._require(uow, actor_id, commissioner_id, FINANCE, "register a scheme")
            commissioner = uow.organisations.get(commissioner_id)
            federation = uow.organisations.get(federation_id)
            _check_organisations(scheme, commissioner.ods_code, commissioner.kind, federation.ods_code, federation.kind)
            record = uow.incentives.add_scheme(
                scheme.id, commissioner_id, federation_id, content, actor_id, self.clock()
            )
            self._audit(uow, actor_id, "incentive.scheme_registered", f"incentive/{scheme.id}", name=scheme.name)
            uow.commit()
        return record

    def scheme(self, actor_id: int, scheme_id: str) -> IncentiveScheme:
        with self.units() as uow:
            return self._readable(uow, actor_id, scheme_id)[1]

    def schemes(self, actor_id: int) -> list[SchemeRecord]:
        """The schemes shared with the user: those of a commissioner or federation they are a member of."""
        with self.units() as uow:
            organisations = {m.organisation_id for m in uow.users.memberships(actor_id)}
            return uow.incentives.schemes_for(organisations)

    def record(self, actor_id: int, scheme_id: str) -> SchemeRecord:
        """The scheme as registered (who pays, who is paid), for members of either organisation."""
        with self.units() as uow:
            return self._readable(uow, actor_id, scheme_id)[0]

    def submit_evidence(
        self,
        actor_id: int,
        scheme_id: str,
        stage_id: str,
        condition_id: str,
        practice_code: str | None,
        description: str,
    ) -> EvidenceRecord:
        with self.units() as uow:
            record, scheme = self._readable(uow, actor_id, scheme_id)
            if not (
                self._has(uow, actor_id, record.federation_id, MANAGERS)
                or self._has(uow, actor_id, record.commissioner_id, FINANCE)
            ):
                raise ForbiddenError("only federation managers or commissioner finance submit evidence")
            _check_target(scheme, stage_id, practice_code, condition_id)
            if not description.strip():
                raise InvalidInputError([Issue("evidence.description", "describe the evidence")])
            evidence = uow.incentives.add_evidence(
                scheme_id, stage_id, condition_id, practice_code, description.strip(), actor_id, self.clock()
            )
            entity = f"incentive/{scheme_id}/stage/{stage_id}/evidence/{evidence.id}"
            self._audit(uow, actor_id, "incentive.evidence_submitted", entity, practice=practice_code)
            uow.commit()
        return evidence

    def evidence(self, actor_id: int, scheme_id: str) -> list[EvidenceRecord]:
        with self.units() as uow:
            self._readable(uow, actor_id, scheme_id)
            return uow.incentives.evidence(scheme_id)

    # --- decisions ----------------------------------------------------------------------------------------------

    def sign_off(self, actor_id: int, scheme_id: str, stage_id: str, practice_code: str | None) -> SignOffRecord:
        """Sign off a milestone's evidence for one practice (or None: every practice); every condition needs some."""
        with self.units() as uow:
            record, scheme = self._readable(uow, actor_id, scheme_id)
            self._require(uow, actor_id, record.commissioner_id, FINANCE, "sign off a milestone")
            _check_target(scheme, stage_id, practice_code)
            _check_evidenced(scheme, stage_id, practice_code, uow.incentives.evidence(scheme_id))
            subject = f"stage {stage_id} for {practice_code or 'every member practice'} of scheme {scheme_id}"
            flags = self._screen(uow, actor_id, record, scheme, DecisionKind.MILESTONE_SIGN_OFF, subject)
            now = self.clock()
            reasons = tuple(flag.reason for flag in flags)
            sign_off = uow.incentives.add_sign_off(scheme_id, stage_id, practice_code, actor_id, now, reasons)
            entity = f"incentive/{scheme_id}/stage/{stage_id}/sign-off/{sign_off.id}"
            self._audit(uow, actor_id, "incentive.signed_off", entity, practice=practice_code, conflicts=list(reasons))
            uow.commit()
        return sign_off

    def schedule(
        self,
        actor_id: int,
        scheme_id: str,
        counts: Iterable[PatientCount],
        practices: PracticeList | None,
        as_of: date,
    ) -> PaymentSchedule:
        with self.units() as uow:
            _, scheme = self._readable(uow, actor_id, scheme_id)
            sign_offs = _sign_offs(uow.incentives.sign_offs(scheme_id))
        return payment_schedule(scheme, counts, practices, sign_offs, as_of)

    def approve_payments(
        self,
        actor_id: int,
        scheme_id: str,
        counts: Iterable[PatientCount],
        practices: PracticeList | None,
        as_of: date,
    ) -> ApprovedPayments:
        """Record the payable lines of the schedule not recorded before, as balanced transactions, in one go."""
        counted = tuple(counts)
        with self.units() as uow:
            record, scheme = self._readable(uow, actor_id, scheme_id)
            self._require(uow, actor_id, record.commissioner_id, FINANCE, "approve payments")
            schedule = payment_schedule(
                scheme, counted, practices, _sign_offs(uow.incentives.sign_offs(scheme_id)), as_of
            )
            done = {payment.transaction.key for payment in uow.incentives.payments(scheme_id)}
            new = [tx for tx in payment_transactions(scheme, schedule) if tx.key not in done]
            if not new:
                return ApprovedPayments(schedule, ())
            subject = f"{len(new)} payment(s) of scheme {scheme_id} as of {as_of.isoformat()}"
            flags = self._screen(uow, actor_id, record, scheme, DecisionKind.PAYMENT_APPROVAL, subject)
            reasons = tuple(flag.reason for flag in flags)
            now = self.clock()
            recorded = tuple(uow.incentives.add_payment(scheme_id, tx, actor_id, now, reasons) for tx in new)
            pence = sum(posting.amount.pence for tx in new for posting in tx.postings if posting.amount.pence > 0)
            keys = [tx.key for tx in new]
            details: dict[str, Any] = {"keys": keys, "total_pence": pence, "conflicts": list(reasons)}
            self._audit(uow, actor_id, "incentive.payments_approved", f"incentive/{scheme_id}", **details)
            uow.commit()
        return ApprovedPayments(schedule, recorded)

    def sign_offs(self, actor_id: int, scheme_id: str) -> list[SignOffRecord]:
        with self.units() as uow:
            self._readable(uow, actor_id, scheme_id)
            return uow.incentives.sign_offs(scheme_id)

    def payments(self, actor_id: int, scheme_id: str) -> list[PaymentRecord]:
        with self.units() as uow:
            self._readable(uow, actor_id, scheme_id)
            return uow.incentives.payments(scheme_id)

    def screen_agreement_signature(self, actor_id: int, commissioner_id: int, federation_id: int) -> None:
        """Check a commissioner-side signature of an agreement with a federation: refuse or flag, and audit.

        Call it before WorkspaceService.sign when the signer signs for the commissioner.
        """
        with self.units() as uow:
            self._require(uow, actor_id, commissioner_id, FINANCE, "sign for the commissioner")
            federation = uow.organisations.get(federation_id)
            members = frozenset(org.ods_code for org in uow.organisations.all() if org.parent_id == federation_id)
            decision = Decision(
                DecisionKind.AGREEMENT_SIGNATURE,
                uow.users.get(actor_id).email,
                self.clock().date(),
                federation.ods_code,
                federation.name,
                members,
                f"an agreement with {federation.name}",
            )
            flags = self._apply_policy(uow, actor_id, decision, f"organisation/{federation_id}")
            if flags:
                uow.commit()

    # --- the register -------------------------------------------------------------------------------------------

    def declare(self, actor_id: int, declaration: Declaration) -> None:
        """Add a declaration to the register: the person themselves, or commissioner finance for them."""
        with self.units() as uow:
            user = uow.users.get(actor_id)
            commissioners = [
                membership.organisation_id
                for membership in uow.users.memberships(actor_id)
                if membership.role in FINANCE | {Role.ADMINISTRATOR}
            ]
            if declaration.person != user.email and not commissioners:
                raise ForbiddenError("only the person or commissioner finance can declare an interest")
            uow.incentives.add_declaration(declaration)
            entity = f"register/{declaration.person}/{declaration.organisation_code}"
            self._audit(uow, actor_id, "conflicts.declared", entity, nature=declaration.nature.value)
            uow.commit()

    def register(self) -> Register:
        with self.units() as uow:
            return Register(tuple(uow.incentives.declarations()))

    # --- helpers ------------------------------------------------------------------------------------------------

    def _screen(
        self,
        uow: IncentiveUnitOfWork,
        actor_id: int,
        record: SchemeRecord,
        scheme: IncentiveScheme,
        kind: DecisionKind,
        subject: str,
    ) -> tuple[ConflictFlag, ...]:
        federation = uow.organisations.get(record.federation_id)
        children = {org.ods_code for org in uow.organisations.all() if org.parent_id == record.federation_id}
        decision = Decision(
            kind,
            uow.users.get(actor_id).email,
            self.clock().date(),
            federation.ods_code,
            federation.name,
            frozenset(scheme.members | children),
            subject,
        )
        return self._apply_policy(uow, actor_id, decision, f"incentive/{scheme.id}")

    def _apply_policy(
        self, uow: IncentiveUnitOfWork, actor_id: int, decision: Decision, entity: str
    ) -> tuple[ConflictFlag, ...]:
        flags = check_decision(Register(tuple(uow.incentives.declarations())), decision)
        if not flags:
            return flags
        reasons = [flag.reason for flag in flags]
        if self.conflict_policy is ConflictPolicy.REFUSE:
            uow.rollback()
            self._audit(uow, actor_id, "conflict.refused", entity, decision=decision.kind.value, reasons=reasons)
            uow.commit()
            raise ConflictOfInterestError(flags)
        self._audit(uow, actor_id, "conflict.flagged", entity, decision=decision.kind.value, reasons=reasons)
        return flags

    def _readable(
        self, uow: IncentiveUnitOfWork, actor_id: int, scheme_id: str
    ) -> tuple[SchemeRecord, IncentiveScheme]:
        record = uow.incentives.scheme(scheme_id)
        organisations = {m.organisation_id for m in uow.users.memberships(actor_id)}
        if not organisations & {record.commissioner_id, record.federation_id}:
            raise ForbiddenError(f"incentive scheme {scheme_id!r} is not shared with your organisations")
        return record, self.parser.parse(record.content, f"incentive scheme {scheme_id}")

    def _has(self, uow: IncentiveUnitOfWork, actor_id: int, organisation_id: int, roles: frozenset[Role]) -> bool:
        return any(m.organisation_id == organisation_id and m.role in roles for m in uow.users.memberships(actor_id))

    def _require(
        self, uow: IncentiveUnitOfWork, actor_id: int, organisation_id: int, roles: frozenset[Role], what: str
    ) -> None:
        if not self._has(uow, actor_id, organisation_id, roles):
            wanted = " or ".join(sorted(role.value for role in roles))
            raise ForbiddenError(f"only {wanted} of organisation {organisation_id} can {what}")

    def _audit(self, uow: IncentiveUnitOfWork, actor_id: int, action: str, entity: str, **details: Any) -> None:
        uow.audit.append(actor_id, self.clock(), action, entity, details, None)


def _sign_offs(records: list[SignOffRecord]) -> tuple[SignOff, ...]:
    return tuple(SignOff(item.stage_id, item.practice_code, item.signed_at.date()) for item in records)


def _check_organisations(
    scheme: IncentiveScheme,
    commissioner_code: str,
    commissioner_kind: OrganisationKind,
    federation_code: str,
    federation_kind: OrganisationKind,
) -> None:
    issues: list[Issue] = []
    if commissioner_kind is not OrganisationKind.COMMISSIONER:
        issues.append(Issue("incentive.commissioner", "the paying organisation is not a commissioner"))
    if federation_kind is not OrganisationKind.FEDERATION:
        issues.append(Issue("incentive.federation", "the organisation paid for is not a federation"))
    if scheme.commissioner_code != commissioner_code:
        message = f"the scheme names commissioner {scheme.commissioner_code}, not {commissioner_code}"
        issues.append(Issue("incentive.commissioner", message, Source(clause="commissioner.ods_code")))
    if scheme.federation_code and scheme.federation_code != federation_code:
        message = f"the scheme names federation {scheme.federation_code}, not {federation_code}"
        issues.append(Issue("incentive.federation", message, Source(clause="federation.ods_code")))
    if issues:
        raise InvalidInputError(issues)


def _check_target(scheme: IncentiveScheme, stage_id: str, practice_code: str | None, condition_id: str = "") -> None:
    try:
        stage = scheme.stage(stage_id)
    except KeyError as error:
        raise InvalidInputError([Issue("incentive.stage", str(error).strip("'\""))]) from None
    if not stage.is_milestone:
        raise ConflictError(f"stage {stage_id!r} has no conditions: it is paid without evidence or sign-off")
    if condition_id and condition_id not in {condition.id for condition in stage.conditions}:
        message = f"stage {stage_id!r} has no condition {condition_id!r}"
        raise InvalidInputError([Issue("incentive.condition", message)])
    if practice_code is not None and scheme.members and practice_code not in scheme.members:
        message = f"practice {practice_code} is not a member of the scheme's federation"
        raise InvalidInputError([Issue("incentive.practice", message)])


def _check_evidenced(
    scheme: IncentiveScheme, stage_id: str, practice_code: str | None, evidence: list[EvidenceRecord]
) -> None:
    covering = {None, practice_code}
    evidenced = {item.condition_id for item in evidence if item.stage_id == stage_id and item.practice_code in covering}
    missing = [condition.id for condition in scheme.stage(stage_id).conditions if condition.id not in evidenced]
    if missing:
        who = practice_code or "the federation"
        message = f"no evidence yet for {who} of condition(s) {', '.join(missing)} of stage {stage_id!r}"
        raise InvalidInputError([Issue("incentive.evidence_missing", message)])
