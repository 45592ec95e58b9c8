"""The year-end settlement statement signed off by both parties before it is posted.

The statement is the period's reconciliation from the current monthly actuals and payments on account (services
.yearend). Each party signs the statement it read, identified by the sha256 of its serialised form: commissioner
finance for the commissioner, a federation manager for the provider. A signature is an audit entry
("statement.signed") in the agreement's append-only audit log, so it needs no table of its own; a revision of the
actuals changes the statement and its hash, and signatures of the old statement no longer count. Posting checks,
in the posting's own transaction, that both parties signed exactly the statement being posted.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gainshare.domain.distribution import PracticeMeasures
from gainshare.domain.errors import ConflictError, ForbiddenError
from gainshare.services.access import access, readable, user_id
from gainshare.services.adjustments import Adjustment, AdjustmentPosting
from gainshare.services.ports import AgreementRecord, Role, StatementRenderer, UnitOfWork, VersionStatus
from gainshare.services.workspace import Actor
from gainshare.services.yearend import DistributionTerms, Reconciliation, YearEndPosting, YearEndService

SIGNED = "statement.signed"
SIGNING_ROLES = {"commissioner": Role.COMMISSIONER_FINANCE, "provider": Role.FEDERATION_MANAGER}


@dataclass(frozen=True, slots=True)
class StatementSignature:
    party: str  # commissioner or provider
    organisation_id: int
    user_id: int | None
    at: datetime
    sha256: str


@dataclass(frozen=True, slots=True)
class DraftStatement:
    """The period's statement as it stands, who signed it, and what the reader may sign for."""

    period: str
    version: int  # the signed agreement version it is settled under
    reconciliation: Reconciliation
    statement: dict[str, Any]
    sha256: str
    signatures: tuple[StatementSignature, ...]  # of this statement (this sha256) only
    stale: int  # signatures of an earlier statement of the period (the actuals changed since)
    can_sign_for: tuple[str, ...]  # parties the reader may sign for and has not yet
    posted: YearEndPosting | None

    @property
    def signed_by_both(self) -> bool:
        return {signature.party for signature in self.signatures} == set(SIGNING_ROLES)


@dataclass(frozen=True)
class StatementSignoffService:
    units: Callable[[], UnitOfWork]
    yearend: YearEndService
    statements: StatementRenderer
    clock: Callable[[], datetime]

    def draft(self, actor: Actor, agreement_id: int, period: str) -> DraftStatement:
        reconciliation = self.yearend.reconcile(actor, agreement_id, period)
        statement = self.statements(reconciliation.settlement)
        sha256 = statement_sha256(statement)
        with self.units() as uow:
            record = readable(uow, actor, agreement_id)
            version = _signed_version(uow, agreement_id)
            found = _signatures(uow, agreement_id, period)
            roles = access(uow, actor).roles
        current = tuple(s for s in found if s.sha256 == sha256)
        signed = {s.party for s in current}
        may = tuple(party for party in SIGNING_ROLES if party not in signed and _may_sign(roles, record, party))
        posted = self.yearend.posting(actor, agreement_id, period)
        return DraftStatement(
            period, version, reconciliation, statement, sha256, current, len(found) - len(current), may, posted
        )

    def sign(self, actor: Actor, agreement_id: int, period: str, party: str, sha256: str) -> StatementSignature:
        """Sign the statement the reader saw (its sha256) for a party; ConflictError when the statement changed
        since (the actuals were revised) or it is signed for that party already."""
        current = statement_sha256(self.statements(self.yearend.reconcile(actor, agreement_id, period).settlement))
        with self.units() as uow:
            record = readable(uow, actor, agreement_id)
            if party not in SIGNING_ROLES or not _may_sign(access(uow, actor).roles, record, party):
                raise ForbiddenError(f"you cannot sign the {period} statement for the {party}")
            if sha256 != current:
                raise ConflictError("the statement changed after you read it (the actuals were revised): read it again")
            if any(s.party == party and s.sha256 == sha256 for s in _signatures(uow, agreement_id, period)):
                raise ConflictError(f"the {period} statement is signed for the {party} already")
            organisation = record.commissioner_id if party == "commissioner" else record.provider_id
            now = self.clock()
            details = {"period": period, "party": party, "organisation_id": organisation, "sha256": sha256}
            entity = f"agreement/{agreement_id}/period/{period}/statement"
            uow.audit.append(user_id(actor), now, SIGNED, entity, details, agreement_id)
            uow.commit()
        return StatementSignature(party, organisation, user_id(actor), now, sha256)

    def post(
        self,
        actor: Actor,
        agreement_id: int,
        period: str,
        practices: Sequence[PracticeMeasures],
        terms: DistributionTerms,
    ) -> YearEndPosting:
        """Post the settlement and its distribution once, only if both parties signed the statement as posted."""
        with self.units() as uow:
            readable(uow, actor, agreement_id)
            number = _signed_version(uow, agreement_id)

        def both_signed(uow: UnitOfWork, reconciliation: Reconciliation) -> None:
            _require_both(uow, agreement_id, period, statement_sha256(self.statements(reconciliation.settlement)))

        return self.yearend.post_year_end(actor, agreement_id, number, period, practices, terms, both_signed)

    def post_adjustment(self, actor: Actor, agreement_id: int, period: str) -> AdjustmentPosting:
        """Post the prior-period adjustment of a posted period once, only if both parties signed the period's
        statement as it stands now (the revised one), as they signed the statement first posted."""
        pending = self.yearend.adjustment(actor, agreement_id, period)
        with self.units() as uow:
            readable(uow, actor, agreement_id)
            number = pending.version if pending is not None else _signed_version(uow, agreement_id)

        def both_signed(uow: UnitOfWork, adjustment: Adjustment) -> None:
            _require_both(uow, agreement_id, period, statement_sha256(adjustment.statement))

        return self.yearend.post_adjustment(actor, agreement_id, number, period, both_signed)


def statement_sha256(statement: dict[str, Any]) -> str:
    """The hash that identifies a statement's content (keys sorted, compact separators)."""
    text = json.dumps(statement, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _require_both(uow: UnitOfWork, agreement_id: int, period: str, sha256: str) -> None:
    """ConflictError unless both parties signed the period's statement with this hash."""
    parties = {s.party for s in _signatures(uow, agreement_id, period) if s.sha256 == sha256}
    missing = [party for party in SIGNING_ROLES if party not in parties]
    if missing:
        raise ConflictError(
            f"the {period} statement as it stands is not signed by the {' and the '.join(missing)}: "
            "both parties sign it before it is posted"
        )


def _signed_version(uow: UnitOfWork, agreement_id: int) -> int:
    signed = [v for v in uow.agreements.versions(agreement_id) if v.status is VersionStatus.SIGNED]
    if not signed:
        raise ConflictError(f"agreement {agreement_id} has no signed version to settle under")
    return signed[-1].number


def _signatures(uow: UnitOfWork, agreement_id: int, period: str) -> list[StatementSignature]:
    return [
        StatementSignature(
            entry.details["party"], entry.details["organisation_id"], entry.actor_id, entry.at, entry.details["sha256"]
        )
        for entry in uow.audit.entries(agreement_id)
        if entry.action == SIGNED and entry.details.get("period") == period
    ]


def _may_sign(roles: dict[int, frozenset[Role]], agreement: AgreementRecord, party: str) -> bool:
    organisation = agreement.commissioner_id if party == "commissioner" else agreement.provider_id
    return SIGNING_ROLES[party] in roles.get(organisation, frozenset())
