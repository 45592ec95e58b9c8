"""Settle, distribute and net referrals: year-end reconciliation and true-up from the monthly actuals, what a
revised month moves, and the ledger postings (settlement with its distribution, referral nets), each once.

Idempotency: every transaction has a key derived from the agreement and the period or month, the ledger's key is
unique, and a period's settlement and distribution are unique too; the posting of a settlement with its
distribution is one unit of work, so a crash or a lost race leaves all of it or none. A second attempt (even a
concurrent one) answers what the first posted, marked already_posted.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from gainshare.domain.agreement import Agreement
from gainshare.domain.distribution import (
    Basis,
    Distribution,
    DistributionPolicy,
    LossHandling,
    PracticeMeasures,
)
from gainshare.domain.errors import ConflictError, InvalidInputError
from gainshare.domain.figures import Figures
from gainshare.domain.issues import Issue, Source
from gainshare.domain.ledger import Transaction
from gainshare.domain.money import Money, format_rate
from gainshare.domain.referrals import MonthlyNetting, ReferralItem
from gainshare.domain.settlement import Settlement, SettlementLine
from gainshare.engines.adjustments import distribution_difference
from gainshare.engines.distribution import distribute, distribution_transactions
from gainshare.engines.referrals import check_items, monthly_statements, referral_transactions
from gainshare.services.access import editable, readable, user_id
from gainshare.services.adjustments import (
    ADJUSTED,
    Adjustment,
    AdjustmentPosting,
    AdjustmentRequirement,
    PostedPeriod,
    adjustment_key,
    audit_details,
    distribution_adjustment,
    distribution_terms,
    party_lines,
    posted_period,
    recipient_lines,
    revisions_since,
    settlement_difference,
    statement_lines,
)
from gainshare.services.monitoring import (
    ActualsUpload,
    MonitoringService,
    party_ids,
    signed_terms,
    to_figures,
)
from gainshare.services.ports import (
    ActualsEntry,
    AdjustmentRecord,
    AdjustmentSection,
    AgreementParser,
    AgreementVersion,
    DistributionLineRecord,
    DistributionRecord,
    DistributionTermsRecord,
    ReferralStatementRecord,
    SettlementRecord,
    StatementRenderer,
    UnitOfWork,
    UploadStatus,
    VersionStatus,
)
from gainshare.services.settlements import settle_all
from gainshare.services.workspace import Actor


class ReferralDecoder(Protocol):
    def decode(self, content: bytes, filename: str) -> list[ReferralItem]:
        """Referral items of a CSV; InvalidInputError naming every bad row and column."""
        ...


@dataclass(frozen=True, slots=True)
class DistributionTerms:
    """How the federation splits its share; reinvestment projects come from the agreement."""

    top_slice: Decimal = Decimal(0)
    mix: tuple[tuple[Basis, Decimal], ...] = ((Basis.WEIGHTED_LIST, Decimal(1)),)
    losses: LossHandling = LossHandling.LIKE_GAINS

    def describe(self) -> str:
        mix = ", ".join(f"{basis.value} {format_rate(weight)}" for basis, weight in self.mix if weight)
        return f"top-slice {format_rate(self.top_slice)}; practices by {mix}; losses {self.losses.value}"


@dataclass(frozen=True, slots=True)
class Reconciliation:
    settlement: Settlement
    transactions: tuple[Transaction, ...]  # as they would be posted, keyed
    paid_on_account: Money
    true_up: Money  # to the provider (negative: recovered from it)


@dataclass(frozen=True, slots=True)
class StatementInputs:
    terms: Agreement
    figures: Figures
    settlement: Settlement
    transactions: tuple[Transaction, ...]  # keyed as settle_all keys them (the documents' ledger section)
    at: datetime


@dataclass(frozen=True, slots=True)
class LineChange:
    kind: str
    code: str
    scheme: str | None
    party: str | None
    before: Money | None  # None: a new line
    after: Money | None  # None: the line is gone
    why: str

    @property
    def change(self) -> Money:
        return (self.after or Money(0)) - (self.before or Money(0))


@dataclass(frozen=True, slots=True)
class RevisionReport:
    upload: ActualsUpload
    period: str
    before: Settlement | None  # None: the period had no actuals before
    after: Settlement
    changes: tuple[LineChange, ...]


@dataclass(frozen=True, slots=True)
class YearEndPosting:
    settlement: SettlementRecord
    distribution: DistributionRecord
    transaction_keys: tuple[str, ...]
    already_posted: bool


@dataclass(frozen=True, slots=True)
class ReferralMonth:
    month: str
    items: int
    statements: tuple[ReferralStatementRecord, ...]  # issued; empty until the month is posted


Requirement = Callable[[UnitOfWork, "Reconciliation"], None]
SECTION_LINE = AdjustmentSection.LINE


@dataclass(frozen=True, slots=True)
class ReferralPosting:
    month: str
    statements: tuple[ReferralStatementRecord, ...]
    transaction_key: str | None
    already_posted: bool


def settlement_key(agreement_id: int, period: str, index: int) -> str:
    """The same keys as WorkspaceService.post_settlement, so neither path can post a period twice."""
    return f"agreement/{agreement_id}/period/{period}/{index}"


@dataclass(frozen=True)
class YearEndService:
    units: Callable[[], UnitOfWork]
    parser: AgreementParser
    statements: StatementRenderer
    monitoring: MonitoringService
    referral_decoder: ReferralDecoder
    clock: Callable[[], datetime]

    # --- reconciliation -----------------------------------------------------------------------------------

    def reconcile(self, actor: Actor, agreement_id: int, period: str) -> Reconciliation:
        """The period's settlement from the current actuals and the payments on account made: nothing posted."""
        with self.units() as uow:
            readable(uow, actor, agreement_id)
            terms = signed_terms(uow, self.parser, agreement_id)
            return self._reconcile(uow, terms, agreement_id, period)

    def statement_inputs(self, actor: Actor, agreement_id: int, period: str) -> StatementInputs:
        """What the statement documents (reports) are built from: the signed terms, the period's figures from
        the actuals and payments on account, its settlement and transactions, and when."""
        with self.units() as uow:
            readable(uow, actor, agreement_id)
            terms = signed_terms(uow, self.parser, agreement_id)
            paid = self._paid(uow, terms, agreement_id).get(period, Money(0))
            entries = [actual.entry for actual in uow.actuals.current(agreement_id)]
        figures = _period_figures(terms, entries, period, paid)
        result = settle_all(terms, figures, period)
        return StatementInputs(terms, figures, result.settlements[0], tuple(result.transactions), self.clock())

    def revise(self, actor: Actor, agreement_id: int, filename: str, content: bytes) -> list[RevisionReport]:
        """Upload (revised) actuals, then settle every period they touch before and after: what moved and why."""
        outcome = self.monitoring.upload_actuals(actor, agreement_id, filename, content)
        with self.units() as uow:
            readable(uow, actor, agreement_id)
            terms = signed_terms(uow, self.parser, agreement_id)
            paid = self._paid(uow, terms, agreement_id)
            reports = [
                _compare(terms, outcome, period, paid.get(period, Money(0))) for period in _touched(terms, outcome)
            ]
            for report in reports:
                details: dict[str, Any] = {"period": report.period, "upload": outcome.upload.id}
                details["changes"] = [_change_details(change) for change in report.changes]
                entity = f"agreement/{agreement_id}/period/{report.period}"
                uow.audit.append(actor.user_id, self.clock(), "settlement.recalculated", entity, details, agreement_id)
            uow.commit()
        return reports

    # --- posting ------------------------------------------------------------------------------------------

    def post_year_end(
        self,
        actor: Actor,
        agreement_id: int,
        number: int,
        period: str,
        practices: Sequence[PracticeMeasures],
        terms_of_distribution: DistributionTerms,
        require: Requirement | None = None,
    ) -> YearEndPosting:
        """Post the period's settlement and the distribution of the federation's share in one transaction, once.

        Practices' activity is the hub activity the actuals record for the period unless the measures give it.
        `require` is called in the transaction with the reconciliation about to be posted (for example: both
        parties signed exactly this statement); it raises to stop the posting.
        """
        try:
            return self._post_year_end(actor, agreement_id, number, period, practices, terms_of_distribution, require)
        except ConflictError:
            earlier = self._posted(actor, agreement_id, period)
            if earlier is None:
                raise
            return earlier

    def _post_year_end(
        self,
        actor: Actor,
        agreement_id: int,
        number: int,
        period: str,
        practices: Sequence[PracticeMeasures],
        terms_of_distribution: DistributionTerms,
        require: Requirement | None = None,
    ) -> YearEndPosting:
        with self.units() as uow:
            editable(uow, actor, agreement_id)
            version = uow.agreements.version(agreement_id, number)
            if version.status is not VersionStatus.SIGNED:
                raise ConflictError(f"version {number} is {version.status.value}: only a signed version is settled")
            terms = self.parser.parse(version.content, f"agreement {agreement_id} version {number}")
            reconciliation = self._reconcile(uow, terms, agreement_id, period)
            if require is not None:
                require(uow, reconciliation)
            settlement = reconciliation.settlement
            now = self.clock()
            record = uow.settlements.add(
                version.id,
                period,
                self.statements(settlement),
                settlement.net_saving,
                settlement.baseline_cost,
                None,
                user_id(actor),
                now,
            )
            keys = [self._post(uow, tx, agreement_id, record.id, actor, now) for tx in reconciliation.transactions]
            entries = [actual.entry for actual in uow.actuals.current(agreement_id)]
            distribution = _distribution(terms, settlement, period, entries, practices, terms_of_distribution)
            stored = uow.distributions.add(
                agreement_id,
                period,
                record.id,
                distribution.federation,
                distribution.share,
                terms_of_distribution.describe(),
                _line_records(distribution),
                user_id(actor),
                now,
            )
            uow.adjustments.record_terms(stored.id, _kept(terms_of_distribution, practices), now)
            for transaction in distribution_transactions(distribution):
                kind = transaction.key.rsplit("/", 1)[-1]
                keyed = replace(transaction, key=f"agreement/{agreement_id}/period/{period}/distribution/{kind}")
                keys.append(self._post(uow, keyed, agreement_id, record.id, actor, now))
            details = {"version": number, "period": period, "net_saving_pence": settlement.net_saving.pence}
            details |= {"distributed_pence": distribution.share.pence, "keys": keys}
            uow.audit.append(actor.user_id, now, "year_end.posted", f"settlement/{record.id}", details, agreement_id)
            uow.commit()
        return YearEndPosting(record, stored, tuple(keys), already_posted=False)

    def posting(self, actor: Actor, agreement_id: int, period: str) -> YearEndPosting | None:
        """The period's posted settlement and distribution, None when it is not posted yet."""
        return self._posted(actor, agreement_id, period)

    def _posted(self, actor: Actor, agreement_id: int, period: str) -> YearEndPosting | None:
        with self.units() as uow:
            readable(uow, actor, agreement_id)
            settlements = [s for s in uow.settlements.for_agreement(agreement_id) if s.period == period]
            distributions = [d for d in uow.distributions.for_agreement(agreement_id) if d.period == period]
            if not (settlements and distributions):
                return None
            prefix = f"agreement/{agreement_id}/period/{period}/"
            keys = tuple(
                tx.key
                for tx in uow.ledger.transactions(agreement_id)
                if tx.key.startswith(prefix) and not tx.key.startswith(f"{prefix}adjustment/")
            )
            return YearEndPosting(settlements[0], distributions[0], keys, already_posted=True)

    def distributions(self, actor: Actor, agreement_id: int) -> list[DistributionRecord]:
        """The posted distributions of the federation's share, by period."""
        with self.units() as uow:
            readable(uow, actor, agreement_id)
            return uow.distributions.for_agreement(agreement_id)

    # --- prior-period adjustments -------------------------------------------------------------------------

    def adjustment(self, actor: Actor, agreement_id: int, period: str) -> Adjustment | None:
        """What an adjustment of the posted period would post now; None when the period is not posted or what was
        posted (with its adjustments) equals the settlement and distribution from the actuals now."""
        with self.units() as uow:
            readable(uow, actor, agreement_id)
            return self._pending(uow, agreement_id, period)[1]

    def adjustments(self, actor: Actor, agreement_id: int, period: str | None = None) -> list[AdjustmentRecord]:
        """The posted adjustments, by period and number."""
        with self.units() as uow:
            readable(uow, actor, agreement_id)
            return uow.adjustments.for_agreement(agreement_id, period)

    def post_adjustment(
        self,
        actor: Actor,
        agreement_id: int,
        number: int,
        period: str,
        require: AdjustmentRequirement | None = None,
    ) -> AdjustmentPosting:
        """Post the difference between the period as posted and as the actuals settle it now, once.

        `number` is the signed version the period was settled under. `require` is called in the posting's
        transaction with the adjustment about to be posted (for example: both parties signed the statement as it
        stands now); it raises to stop the posting. A second attempt (even a concurrent one) with nothing left to
        adjust answers the last adjustment, marked already_posted.
        """
        try:
            return self._post_adjustment(actor, agreement_id, number, period, require)
        except ConflictError:
            earlier = self._adjusted(actor, agreement_id, period)
            if earlier is None:
                raise
            return AdjustmentPosting(earlier, already_posted=True)

    def _post_adjustment(
        self, actor: Actor, agreement_id: int, number: int, period: str, require: AdjustmentRequirement | None
    ) -> AdjustmentPosting:
        with self.units() as uow:
            editable(uow, actor, agreement_id)
            posted, pending = self._pending(uow, agreement_id, period)
            if posted is None:
                raise ConflictError(f"{period} is not posted at the year end yet: there is nothing to adjust")
            if pending is None:
                raise ConflictError(f"the {period} posting matches the actuals: there is nothing to adjust")
            if pending.version != number:
                raise ConflictError(f"{period} was settled under version {pending.version}, not version {number}")
            if require is not None:
                require(uow, pending)
            record = self._record_adjustment(uow, actor, agreement_id, posted, pending)
            uow.commit()
        return AdjustmentPosting(record, already_posted=False)

    def _record_adjustment(
        self, uow: UnitOfWork, actor: Actor, agreement_id: int, posted: PostedPeriod, pending: Adjustment
    ) -> AdjustmentRecord:
        now = self.clock()
        for transaction in pending.transactions:
            uow.ledger.post(transaction, agreement_id, posted.settlement.id, user_id(actor), now)
        record = uow.adjustments.add(
            agreement_id,
            pending.period,
            pending.number,
            posted.settlement.id,
            posted.distribution.id,
            pending.statement,
            pending.reason,
            pending.keys,
            pending.lines,
            user_id(actor),
            now,
        )
        details = audit_details(pending, posted.statement)
        entity = adjustment_key(agreement_id, pending.period, pending.number)
        uow.audit.append(actor.user_id, now, ADJUSTED, entity, details, agreement_id)
        return record

    def _adjusted(self, actor: Actor, agreement_id: int, period: str) -> AdjustmentRecord | None:
        """The period's last adjustment when nothing is left to adjust: the answer to a second attempt."""
        with self.units() as uow:
            readable(uow, actor, agreement_id)
            posted, pending = self._pending(uow, agreement_id, period)
        if posted is None or pending is not None or not posted.adjustments:
            return None
        return posted.adjustments[-1]

    def _pending(
        self, uow: UnitOfWork, agreement_id: int, period: str
    ) -> tuple[PostedPeriod | None, Adjustment | None]:
        """The period as posted, and what an adjustment would post now (None: nothing moved)."""
        posted = posted_period(uow, agreement_id, period)
        if posted is None:
            return None, None
        version = _version(uow, agreement_id, posted.settlement.version_id)
        terms = self.parser.parse(version.content, f"agreement {agreement_id} version {version.number}")
        reconciliation = self._reconcile(uow, terms, agreement_id, period)
        settlement = reconciliation.settlement
        distribution = _distribution_now(uow, terms, settlement, posted)
        key = adjustment_key(agreement_id, period, len(posted.adjustments) + 1)
        ledger = uow.ledger.transactions(agreement_id)
        transactions = _difference(key, posted, ledger, reconciliation.transactions, distribution)
        lines = (
            *party_lines(posted.statement, settlement),
            *statement_lines(posted.statement, settlement),
            *recipient_lines(posted.recipients(), distribution),
        )
        if not transactions and not any(line.difference for line in lines if line.section is not SECTION_LINE):
            return posted, None
        history = uow.actuals.history(agreement_id)
        revised = tuple(revisions_since(history, posted.posted_at, lambda month: _in_period(terms, month, period)))
        number, statement = len(posted.adjustments) + 1, self.statements(settlement)
        return posted, Adjustment(period, number, version.number, settlement, statement, lines, transactions, revised)

    # --- inter-practice referrals -------------------------------------------------------------------------

    def referral_months(self, actor: Actor, agreement_id: int) -> list[ReferralMonth]:
        """Each month with referral items: how many, their value, and its issued statements (none yet: empty)."""
        with self.units() as uow:
            readable(uow, actor, agreement_id)
            items = uow.referrals.items(agreement_id)
            issued = uow.referrals.statements(agreement_id)
        months = sorted({item.month for item in items})
        return [
            ReferralMonth(
                month,
                sum(item.items for item in items if item.month == month),
                tuple(record for record in issued if record.month == month),
            )
            for month in months
        ]

    def upload_referrals(self, actor: Actor, agreement_id: int, filename: str, content: bytes) -> int:
        """Record referral items: all of them or, with any bad row or a month already netted, none."""
        items = self.referral_decoder.decode(content, filename)
        issues = check_items(items, filename)
        if issues:
            raise InvalidInputError(issues)
        with self.units() as uow:
            editable(uow, actor, agreement_id)
            netted = {s.month for s in uow.referrals.statements(agreement_id)}
            closed = sorted({item.month for item in items} & netted)
            if closed:
                raise ConflictError(f"the referral statements of {', '.join(closed)} were issued already")
            upload = uow.uploads.add(
                agreement_id,
                filename,
                _sha256(content),
                len(items),
                UploadStatus.ACCEPTED,
                user_id(actor),
                self.clock(),
            )
            added = uow.referrals.add_items(agreement_id, items, upload.id, user_id(actor), self.clock())
            details = {"filename": filename, "items": added, "months": sorted({item.month for item in items})}
            uow.audit.append(
                actor.user_id, self.clock(), "referrals.uploaded", f"upload/{upload.id}", details, agreement_id
            )
            uow.commit()
        return added

    def referral_statements(self, actor: Actor, agreement_id: int, month: str) -> MonthlyNetting:
        with self.units() as uow:
            readable(uow, actor, agreement_id)
            return _netting(uow.referrals.items(agreement_id, month), month)

    def post_referrals(self, actor: Actor, agreement_id: int, month: str) -> ReferralPosting:
        """Issue the month's netted statements and post the nets through the federation's clearing account, once."""
        try:
            return self._post_referrals(actor, agreement_id, month)
        except ConflictError:
            with self.units() as uow:
                readable(uow, actor, agreement_id)
                found = tuple(uow.referrals.statements(agreement_id, month))
            if not found:
                raise
            return ReferralPosting(month, found, found[0].transaction_key, already_posted=True)

    def _post_referrals(self, actor: Actor, agreement_id: int, month: str) -> ReferralPosting:
        with self.units() as uow:
            editable(uow, actor, agreement_id)
            terms = signed_terms(uow, self.parser, agreement_id)
            netting = _netting(uow.referrals.items(agreement_id, month), month)
            _, federation = party_ids(terms)
            transactions = [
                replace(tx, key=f"agreement/{agreement_id}/referrals/{month}")
                for tx in referral_transactions(netting, federation)
            ]
            key = transactions[0].key if transactions else None
            records = uow.referrals.add_statements(agreement_id, netting, key, user_id(actor), self.clock())
            now = self.clock()
            for transaction in transactions:
                uow.ledger.post(transaction, agreement_id, None, user_id(actor), now)
            details = {"month": month, "key": key, "nets": {r.practice: r.net.pence for r in records}}
            uow.audit.append(
                actor.user_id,
                now,
                "referrals.posted",
                f"agreement/{agreement_id}/referrals/{month}",
                details,
                agreement_id,
            )
            uow.commit()
        return ReferralPosting(month, tuple(records), key, already_posted=False)

    # --- helpers ------------------------------------------------------------------------------------------

    def _reconcile(self, uow: UnitOfWork, terms: Agreement, agreement_id: int, period: str) -> Reconciliation:
        paid = self._paid(uow, terms, agreement_id).get(period, Money(0))
        entries = [actual.entry for actual in uow.actuals.current(agreement_id)]
        settlement, transactions = _settle(terms, entries, period, paid)
        keyed = tuple(
            replace(tx, key=settlement_key(agreement_id, period, index))
            for index, tx in enumerate(transactions, start=1)
        )
        _, provider = party_ids(terms)
        true_up = dict(settlement.true_ups).get(provider, dict(settlement.shares).get(provider, Money(0)))
        return Reconciliation(settlement, keyed, paid, true_up)

    def _paid(self, uow: UnitOfWork, terms: Agreement, agreement_id: int) -> dict[str, Money]:
        paid: dict[str, Money] = {}
        for payment in uow.schedules.payments(agreement_id):
            paid[payment.period] = paid.get(payment.period, Money(0)) + payment.amount
        return paid

    def _post(
        self,
        uow: UnitOfWork,
        transaction: Transaction,
        agreement_id: int,
        settlement_id: int,
        actor: Actor,
        now: datetime,
    ) -> str:
        uow.ledger.post(transaction, agreement_id, settlement_id, user_id(actor), now)
        return transaction.key


def _distribution_now(uow: UnitOfWork, terms: Agreement, settlement: Settlement, posted: PostedPeriod) -> Distribution:
    """The distribution of the federation's share now, by the terms the posted distribution was split by."""
    kept = distribution_terms(uow, posted.distribution)
    entries = [actual.entry for actual in uow.actuals.current(posted.distribution.agreement_id)]
    how = DistributionTerms(kept.top_slice, kept.mix, kept.losses)
    return _distribution(terms, settlement, posted.distribution.period, entries, kept.practices, how)


def _kept(how: DistributionTerms, practices: Sequence[PracticeMeasures]) -> DistributionTermsRecord:
    return DistributionTermsRecord(how.top_slice, how.mix, how.losses, tuple(practices))


def _version(uow: UnitOfWork, agreement_id: int, version_id: int) -> AgreementVersion:
    return next(v for v in uow.agreements.versions(agreement_id) if v.id == version_id)


def _difference(
    key: str,
    posted: PostedPeriod,
    ledger: Sequence[Transaction],
    settled: Sequence[Transaction],
    distribution: Distribution,
) -> tuple[Transaction, ...]:
    """The adjustment's transactions: the settlement's difference, then the distribution's by kind of recipient."""
    number = len(posted.adjustments) + 1
    period = posted.settlement.period
    prefix = key.rsplit("/adjustment/", 1)[0] + "/"
    text = f"Prior-period adjustment {number} of {period}: settlement"
    first = settlement_difference(key, text, ledger, prefix, settled)
    rest = distribution_adjustment(key, number, distribution_difference(posted.recipients(), distribution))
    return (*([first] if first else []), *rest)


def _settle(
    terms: Agreement, entries: Sequence[ActualsEntry], period: str, paid: Money
) -> tuple[Settlement, list[Transaction]]:
    result = settle_all(terms, _period_figures(terms, entries, period, paid), period)
    return result.settlements[0], result.transactions


def _period_figures(terms: Agreement, entries: Sequence[ActualsEntry], period: str, paid: Money) -> Figures:
    in_period = [e for e in entries if _in_period(terms, e.month, period)]
    if not in_period:
        text = f"there are no actuals for {period} to settle"
        raise InvalidInputError([Issue("settlement.empty", text, Source(clause=period))])
    _, provider = party_ids(terms)
    return to_figures(in_period, period, ((provider, paid),))


def _in_period(terms: Agreement, month: str, period: str) -> bool:
    try:
        span = terms.period(period)
    except KeyError:
        return False
    return span.start.isoformat()[:7] <= month <= span.end.isoformat()[:7]


def _touched(terms: Agreement, outcome: ActualsUpload) -> list[str]:
    months = {revision.after.month for revision in outcome.revisions}
    months |= {entry.month for entry in outcome.after} - {entry.month for entry in outcome.before}
    return [p.id for p in terms.periods() if any(_in_period(terms, month, p.id) for month in months)]


def _compare(terms: Agreement, outcome: ActualsUpload, period: str, paid: Money) -> RevisionReport:
    before_entries = [e for e in outcome.before if _in_period(terms, e.month, period)]
    before = _settle(terms, before_entries, period, paid)[0] if before_entries else None
    after = _settle(terms, outcome.after, period, paid)[0]
    revised = [r for r in outcome.revisions if _in_period(terms, r.after.month, period)]
    cause = "; ".join(
        f"{r.after.scheme} {r.after.practice} {r.after.month}: hospital activity {r.before.hospital_activity} -> "
        f"{r.after.hospital_activity}, hub activity {r.before.hub_activity} -> {r.after.hub_activity}, "
        f"baseline activity {r.before.baseline_activity} -> {r.after.baseline_activity}"
        for r in revised
    )
    return RevisionReport(outcome, period, before, after, tuple(line_changes(before, after, cause)))


def line_changes(before: Settlement | None, after: Settlement, cause: str = "") -> list[LineChange]:
    """Lines whose amounts differ between two settlements of one period, with old and new amounts and why."""
    old = _keyed(before.lines if before else ())
    new = _keyed(after.lines)
    changes: list[LineChange] = []
    for key in [*new, *(k for k in old if k not in new)]:
        was, now = old.get(key), new.get(key)
        if was is not None and now is not None and was.amount == now.amount:
            continue
        line = now if now is not None else old[key]
        why = line.description + (f" Revised: {cause}." if cause else "")
        changes.append(
            LineChange(
                line.kind.value,
                line.code,
                line.scheme,
                line.party,
                was.amount if was else None,
                now.amount if now else None,
                why,
            )
        )
    return changes


def _keyed(lines: Sequence[SettlementLine]) -> dict[tuple[str, str, str, str, int], SettlementLine]:
    seen: Counter[tuple[str, str, str, str]] = Counter()
    keyed: dict[tuple[str, str, str, str, int], SettlementLine] = {}
    for line in lines:
        base = (line.kind.value, line.code, line.scheme or "", line.party or "")
        keyed[(*base, seen[base])] = line
        seen[base] += 1
    return keyed


def _change_details(change: LineChange) -> dict[str, Any]:
    return {
        "code": change.code,
        "scheme": change.scheme,
        "party": change.party,
        "before_pence": None if change.before is None else change.before.pence,
        "after_pence": None if change.after is None else change.after.pence,
    }


def _distribution(
    terms: Agreement,
    settlement: Settlement,
    period: str,
    entries: Sequence[ActualsEntry],
    practices: Sequence[PracticeMeasures],
    how: DistributionTerms,
) -> Distribution:
    _, federation = party_ids(terms)
    share = dict(settlement.shares).get(federation, Money(0))
    delivered: Counter[str] = Counter()
    for entry in entries:
        if _in_period(terms, entry.month, period):
            delivered[entry.practice] += entry.hub_activity
    measures = [m if m.activity else replace(m, activity=Decimal(delivered[m.practice])) for m in practices]
    policy = DistributionPolicy(how.top_slice, how.mix, terms.reinvestment, how.losses)
    return distribute(federation, period, share, measures, policy)


def _line_records(distribution: Distribution) -> tuple[DistributionLineRecord, ...]:
    return tuple(
        DistributionLineRecord(line.recipient, line.kind.value, line.amount, line.fraction, line.basis)
        for line in distribution.lines
    )


def _netting(items: list[ReferralItem], month: str) -> MonthlyNetting:
    nettings = monthly_statements(items)
    if not nettings:
        raise InvalidInputError([Issue("referral.empty", f"there are no referral items for {month}", Source())])
    return nettings[0]


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
