"""The shared workspace: organisations, people, agreement versions from draft to signed, settlements posted once.

Every use case runs in one unit of work (a read-only one, units.read(), when it changes nothing), is scoped to the
acting user's organisations (ForbiddenError otherwise), and writes an audit entry for every change in the same
transaction as the change.

Who may do what:
- the system actor (a trusted setup command) and administrators create organisations and users; administrators
  of an organisation (or the system) add its members;
- members of either owning organisation read an agreement; so do practice viewers of a member practice of the
  provider federation;
- commissioner finance (in the commissioner) and federation managers (in the provider) edit, propose, settle,
  and sign for their own organisation;
- a commissioner-side signature is checked against the register of declared interests (engines/conflicts.py): a
  current interest of the signer in the federation or one of its member practices refuses it (the default policy,
  with a committed conflict.refused audit entry) or lets it through with a conflict.flagged entry (the FLAG policy).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gainshare.domain.conflicts import ConflictFlag, ConflictPolicy, Decision, DecisionKind, Register
from gainshare.domain.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from gainshare.domain.figures import Figures
from gainshare.domain.issues import Issue, Source
from gainshare.domain.ledger import Transaction
from gainshare.domain.money import Money
from gainshare.domain.parties import PartyRole, is_ods_code
from gainshare.engines.clauses import ClauseChange, diff_clauses
from gainshare.engines.conflicts import check_decision
from gainshare.services.incentives import ConflictOfInterestError
from gainshare.services.password_policy import password_issues
from gainshare.services.ports import (
    AgreementParser,
    AgreementRecord,
    AgreementVersion,
    AuditEntry,
    Membership,
    Organisation,
    OrganisationKind,
    PasswordHasher,
    Role,
    SettlementRecord,
    Signature,
    StatementRenderer,
    UnitOfWork,
    UnitsOfWork,
    Upload,
    UploadStatus,
    User,
    VersionStatus,
)
from gainshare.services.settlements import settle_all

EDITOR_ROLES = frozenset({Role.COMMISSIONER_FINANCE, Role.FEDERATION_MANAGER})
# The kinds of organisation each role exists in. A membership with a role in another kind of organisation is
# refused wherever one is made (WorkspaceService.add_membership, AdministrationService), and the administration
# pages offer an organisation only the roles that fit it.
ROLE_KINDS: Mapping[Role, frozenset[OrganisationKind]] = {
    Role.COMMISSIONER_FINANCE: frozenset({OrganisationKind.COMMISSIONER}),
    Role.FEDERATION_MANAGER: frozenset({OrganisationKind.FEDERATION}),
    Role.PRACTICE_VIEWER: frozenset({OrganisationKind.PRACTICE, OrganisationKind.FEDERATION}),
    Role.ADMINISTRATOR: frozenset(OrganisationKind),
}


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting: a signed-in user, or the system (user_id None) for trusted setup commands only."""

    user_id: int | None

    @classmethod
    def system(cls) -> Actor:
        return cls(None)

    @classmethod
    def user(cls, user_id: int) -> Actor:
        return cls(user_id)


@dataclass(frozen=True, slots=True)
class PostedSettlement:
    settlement: SettlementRecord
    transactions: tuple[Transaction, ...]


@dataclass(frozen=True, slots=True)
class _Access:
    """The acting user's roles by organisation, and the organisations they may read."""

    user_id: int
    roles: dict[int, frozenset[Role]]
    readable: frozenset[int]

    def has(self, organisation_id: int, roles: frozenset[Role]) -> bool:
        return bool(self.roles.get(organisation_id, frozenset()) & roles)

    def is_administrator(self) -> bool:
        return any(Role.ADMINISTRATOR in roles for roles in self.roles.values())

    def can_read(self, agreement: AgreementRecord) -> bool:
        return bool(self.readable & set(agreement.organisation_ids))

    def can_edit(self, agreement: AgreementRecord) -> bool:
        return any(self.has(organisation_id, EDITOR_ROLES) for organisation_id in agreement.organisation_ids)


@dataclass(frozen=True)
class WorkspaceService:
    units: UnitsOfWork  # units.read() for the use cases that change nothing
    passwords: PasswordHasher
    parser: AgreementParser
    statements: StatementRenderer
    clock: Callable[[], datetime]
    conflict_policy: ConflictPolicy = ConflictPolicy.REFUSE  # for commissioner-side signatures

    # --- organisations and people -------------------------------------------------------------------------

    def create_organisation(
        self, actor: Actor, ods_code: str, name: str, kind: OrganisationKind, parent_id: int | None = None
    ) -> Organisation:
        code = ods_code.strip().upper()
        if not is_ods_code(code):
            raise InvalidInputError([Issue("organisation.ods_code", f"{ods_code!r} is not an ODS organisation code")])
        with self.units() as uow:
            self._require_administrator(uow, actor)
            organisation = uow.organisations.add(code, name.strip(), kind, parent_id)
            self._audit(uow, actor, "organisation.created", f"organisation/{organisation.id}", ods_code=code)
            uow.commit()
        return organisation

    def create_user(self, actor: Actor, email: str, display_name: str, password: str) -> User:
        issues = _user_issues(email, password)
        if issues:
            raise InvalidInputError(issues)
        password_hash = self.passwords.hash(password)
        with self.units() as uow:
            self._require_administrator(uow, actor)
            user = uow.users.add(email, display_name.strip(), password_hash)
            self._audit(uow, actor, "user.created", f"user/{user.id}", email=user.email)
            uow.commit()
        return user

    def add_membership(self, actor: Actor, user_id: int, organisation_id: int, role: Role) -> Membership:
        with self.units() as uow:
            if actor.user_id is not None and not self._access(uow, actor).has(
                organisation_id, frozenset({Role.ADMINISTRATOR})
            ):
                raise ForbiddenError(f"only an administrator of organisation {organisation_id} can add its members")
            organisation = uow.organisations.get(organisation_id)
            if organisation.kind not in ROLE_KINDS[role]:
                message = f"the role {role.value} does not exist in a {organisation.kind.value} organisation"
                raise InvalidInputError([Issue("membership.role", message)])
            membership = uow.users.add_membership(user_id, organisation_id, role)
            entity = f"organisation/{organisation_id}/member/{user_id}"
            self._audit(uow, actor, "membership.created", entity, role=role.value)
            uow.commit()
        return membership

    def find_organisation(self, actor: Actor, ods_code: str) -> Organisation | None:
        """The organisation with an ODS code, for the system or an administrator (setup commands)."""
        with self.units.read() as uow:
            self._require_administrator(uow, actor)
            return uow.organisations.by_ods_code(ods_code.strip().upper())

    def find_user(self, actor: Actor, email: str) -> tuple[User, list[Membership]] | None:
        """The user with an email and their memberships, for the system or an administrator (setup commands)."""
        with self.units.read() as uow:
            self._require_administrator(uow, actor)
            user = uow.users.by_email(email)
            return None if user is None else (user, uow.users.memberships(user.id))

    def authenticate(self, email: str, password: str) -> User | None:
        with self.units.read() as uow:
            user = uow.users.by_email(email)
        if user is None or not self.passwords.verify(user.password_hash, password):
            return None
        return user

    def profile(self, actor: Actor) -> tuple[User, list[Membership]]:
        """The signed-in user and their memberships."""
        with self.units.read() as uow:
            user_id = _user_id(actor)
            return uow.users.get(user_id), uow.users.memberships(user_id)

    def my_organisations(self, actor: Actor) -> list[Organisation]:
        with self.units.read() as uow:
            access = self._access(uow, actor)
            return [uow.organisations.get(organisation_id) for organisation_id in sorted(access.readable)]

    # --- agreements and versions --------------------------------------------------------------------------

    def create_agreement(
        self, actor: Actor, title: str, commissioner_id: int, provider_id: int, content: str
    ) -> AgreementVersion:
        with self.units() as uow:
            access = self._access(uow, actor)
            commissioner = uow.organisations.get(commissioner_id)
            provider = uow.organisations.get(provider_id)
            if not (access.has(commissioner_id, EDITOR_ROLES) or access.has(provider_id, EDITOR_ROLES)):
                raise ForbiddenError("only commissioner finance or federation managers of a party can start one")
            _check_parties(commissioner, provider)
            self._check_content(content, commissioner, provider)
            agreement = uow.agreements.add(title.strip(), commissioner_id, provider_id, access.user_id, self.clock())
            version = uow.agreements.add_version(agreement.id, 1, content, access.user_id, self.clock())
            self._audit(uow, actor, "agreement.created", f"agreement/{agreement.id}", agreement.id, title=title)
            self._audit_version(uow, actor, "version.created", version)
            uow.commit()
        return version

    def list_agreements(self, actor: Actor) -> list[AgreementRecord]:
        with self.units.read() as uow:
            access = self._access(uow, actor)
            return uow.agreements.for_organisations(access.readable)

    def get_agreement(self, actor: Actor, agreement_id: int) -> AgreementRecord:
        with self.units.read() as uow:
            return self._readable(uow, actor, agreement_id)

    def list_versions(self, actor: Actor, agreement_id: int) -> list[AgreementVersion]:
        with self.units.read() as uow:
            self._readable(uow, actor, agreement_id)
            return uow.agreements.versions(agreement_id)

    def get_version(self, actor: Actor, agreement_id: int, number: int) -> AgreementVersion:
        with self.units.read() as uow:
            self._readable(uow, actor, agreement_id)
            return uow.agreements.version(agreement_id, number)

    def diff(self, actor: Actor, agreement_id: int, before: int, after: int) -> list[ClauseChange]:
        """Clause-by-clause changes from version `before` to version `after`."""
        with self.units.read() as uow:
            self._readable(uow, actor, agreement_id)
            texts = [uow.agreements.version(agreement_id, number).content for number in (before, after)]
        old, new = (self.parser.parse(text, f"agreement {agreement_id}") for text in texts)
        return diff_clauses(old, new)

    def signatures(self, actor: Actor, agreement_id: int, number: int) -> list[Signature]:
        with self.units.read() as uow:
            self._readable(uow, actor, agreement_id)
            return uow.agreements.signatures(uow.agreements.version(agreement_id, number).id)

    def save_draft(
        self, actor: Actor, agreement_id: int, based_on: int, expected_lock_version: int, content: str
    ) -> AgreementVersion:
        """Save text edited from version `based_on` as it stood at `expected_lock_version`.

        A draft or proposed latest version is changed in place (and is a draft again); a signed one is kept and
        the text becomes a new draft version. Anyone else's save in between makes this a ConflictError.
        """
        with self.units() as uow:
            agreement = self._editable(uow, actor, agreement_id)
            user_id = _user_id(actor)
            self._check_content(
                content,
                uow.organisations.get(agreement.commissioner_id),
                uow.organisations.get(agreement.provider_id),
            )
            latest = uow.agreements.latest_version(agreement_id)
            if latest.number != based_on or latest.lock_version != expected_lock_version:
                raise ConflictError(
                    f"you edited version {based_on} (lock {expected_lock_version}) but the latest is version "
                    f"{latest.number} (lock {latest.lock_version}): reload it and make your change again"
                )
            if latest.status is VersionStatus.SIGNED:
                version = uow.agreements.add_version(agreement_id, latest.number + 1, content, user_id, self.clock())
                self._audit_version(uow, actor, "version.created", version, based_on=latest.number)
            else:
                version = uow.agreements.update_content(latest.id, content, expected_lock_version)
                self._audit_version(uow, actor, "version.saved", version, was=latest.status.value)
            uow.commit()
        return version

    def propose(self, actor: Actor, agreement_id: int, number: int, expected_lock_version: int) -> AgreementVersion:
        with self.units() as uow:
            self._editable(uow, actor, agreement_id)
            current = uow.agreements.version(agreement_id, number)
            if current.status is not VersionStatus.DRAFT:
                raise ConflictError(f"version {number} is {current.status.value}, not a draft")
            version = uow.agreements.set_status(current.id, VersionStatus.PROPOSED, expected_lock_version)
            self._audit_version(uow, actor, "version.proposed", version)
            uow.commit()
        return version

    def sign(
        self, actor: Actor, agreement_id: int, number: int, organisation_id: int, content_sha256: str
    ) -> AgreementVersion:
        """Sign a proposed version's text (named by its hash) for one owning organisation; frozen once both have."""
        with self.units() as uow:
            agreement, access = self._scoped(uow, actor, agreement_id)
            if not access.has(organisation_id, frozenset({_signing_role(agreement, organisation_id)})):
                raise ForbiddenError(f"you cannot sign for organisation {organisation_id} on this agreement")
            version = uow.agreements.version(agreement_id, number, for_update=True)
            _check_signable(version, content_sha256)
            if organisation_id == agreement.commissioner_id:
                self._screen_signature(uow, actor, agreement, version)
            uow.agreements.add_signature(version.id, organisation_id, access.user_id, content_sha256, self.clock())
            self._audit_version(uow, actor, "version.signed_by", version, organisation=organisation_id)
            if _signed_by_both(agreement, version, uow.agreements.signatures(version.id)):
                version = uow.agreements.set_status(version.id, VersionStatus.SIGNED, version.lock_version)
                self._audit_version(uow, actor, "version.frozen", version)
            uow.commit()
        return version

    # --- figures, settlements, ledger, audit --------------------------------------------------------------

    def record_upload(
        self, actor: Actor, agreement_id: int, filename: str, sha256: str, row_count: int, status: UploadStatus
    ) -> Upload:
        with self.units() as uow:
            self._editable(uow, actor, agreement_id)
            upload = uow.uploads.add(agreement_id, filename, sha256, row_count, status, _user_id(actor), self.clock())
            details = {"filename": filename, "sha256": sha256, "rows": row_count, "status": status.value}
            self._audit(uow, actor, "upload.recorded", f"upload/{upload.id}", agreement_id, **details)
            uow.commit()
        return upload

    def post_settlement(
        self,
        actor: Actor,
        agreement_id: int,
        number: int,
        figures: Figures,
        period: str,
        upload_id: int | None = None,
    ) -> PostedSettlement:
        """Settle one period of a signed version and post its ledger transactions, once per agreement period.

        Keys are per agreement and period (not per version), so a later version cannot post a period again;
        a second attempt, even a concurrent one, is a ConflictError and changes nothing.
        """
        with self.units() as uow:
            self._editable(uow, actor, agreement_id)
            version = uow.agreements.version(agreement_id, number)
            if version.status is not VersionStatus.SIGNED:
                raise ConflictError(f"version {number} is {version.status.value}: only a signed version is settled")
            terms = self.parser.parse(version.content, f"agreement {agreement_id} version {number}")
            result = settle_all(terms, figures, period)
            settlement = result.settlements[0]
            now = self.clock()
            record = uow.settlements.add(
                version.id,
                settlement.period,
                self.statements(settlement),
                settlement.net_saving,
                settlement.baseline_cost,
                upload_id,
                _user_id(actor),
                now,
            )
            posted = tuple(
                Transaction(f"agreement/{agreement_id}/period/{settlement.period}/{index}", tx.description, tx.postings)
                for index, tx in enumerate(result.transactions, start=1)
            )
            for transaction in posted:
                uow.ledger.post(transaction, agreement_id, record.id, _user_id(actor), now)
            self._audit(
                uow,
                actor,
                "settlement.posted",
                f"settlement/{record.id}",
                agreement_id,
                version=number,
                period=settlement.period,
                net_saving_pence=settlement.net_saving.pence,
                keys=[transaction.key for transaction in posted],
            )
            uow.commit()
        return PostedSettlement(record, posted)

    def require_editable(self, actor: Actor, agreement_id: int) -> AgreementRecord:
        """The agreement, if the actor may change it (ForbiddenError otherwise): check before side effects."""
        with self.units.read() as uow:
            return self._editable(uow, actor, agreement_id)

    def list_uploads(self, actor: Actor, agreement_id: int) -> list[Upload]:
        with self.units.read() as uow:
            self._readable(uow, actor, agreement_id)
            return uow.uploads.for_agreement(agreement_id)

    def get_upload(self, actor: Actor, agreement_id: int, upload_id: int) -> Upload:
        """One of the agreement's uploads; NotFoundError for an upload of another agreement."""
        with self.units.read() as uow:
            self._readable(uow, actor, agreement_id)
            upload = uow.uploads.get(upload_id)
            if upload.agreement_id != agreement_id:
                raise NotFoundError(f"agreement {agreement_id} has no upload {upload_id}")
            return upload

    def list_settlements(self, actor: Actor, agreement_id: int) -> list[SettlementRecord]:
        with self.units.read() as uow:
            self._readable(uow, actor, agreement_id)
            return uow.settlements.for_agreement(agreement_id)

    def ledger_balances(self, actor: Actor, agreement_id: int) -> dict[str, Money]:
        with self.units.read() as uow:
            self._readable(uow, actor, agreement_id)
            return uow.ledger.balances(agreement_id)

    def audit_trail(self, actor: Actor, agreement_id: int) -> list[AuditEntry]:
        with self.units.read() as uow:
            self._readable(uow, actor, agreement_id)
            return uow.audit.entries(agreement_id)

    def parties(self, actor: Actor, agreement_id: int) -> tuple[Organisation, Organisation]:
        """The agreement's commissioner and provider (readable by anyone who may read the agreement)."""
        with self.units.read() as uow:
            agreement = self._readable(uow, actor, agreement_id)
            return uow.organisations.get(agreement.commissioner_id), uow.organisations.get(agreement.provider_id)

    def people(self, actor: Actor, agreement_id: int) -> dict[int, str]:
        """Display names of the members of the agreement's two organisations, by user id (for sign-offs)."""
        with self.units.read() as uow:
            agreement = self._readable(uow, actor, agreement_id)
            ids = {m.user_id for o in agreement.organisation_ids for m in uow.users.members(o)}
            return {user_id: uow.users.get(user_id).display_name for user_id in sorted(ids)}

    def ledger_transactions(self, actor: Actor, agreement_id: int) -> list[Transaction]:
        """The agreement's ledger transactions in posting order."""
        with self.units.read() as uow:
            self._readable(uow, actor, agreement_id)
            return uow.ledger.transactions(agreement_id)

    # --- helpers ------------------------------------------------------------------------------------------

    def _access(self, uow: UnitOfWork, actor: Actor) -> _Access:
        user_id = _user_id(actor)
        roles: dict[int, set[Role]] = {}
        readable: set[int] = set()
        for membership in uow.users.memberships(user_id):
            roles.setdefault(membership.organisation_id, set()).add(membership.role)
            readable.add(membership.organisation_id)
            parent = uow.organisations.get(membership.organisation_id).parent_id
            if membership.role is Role.PRACTICE_VIEWER and parent is not None:
                readable.add(parent)
        frozen = {organisation_id: frozenset(found) for organisation_id, found in roles.items()}
        return _Access(user_id, frozen, frozenset(readable))

    def _require_administrator(self, uow: UnitOfWork, actor: Actor) -> None:
        if actor.user_id is not None and not self._access(uow, actor).is_administrator():
            raise ForbiddenError("only an administrator can do this")

    def _scoped(self, uow: UnitOfWork, actor: Actor, agreement_id: int) -> tuple[AgreementRecord, _Access]:
        """The agreement and the actor's access, if the actor may read it at all."""
        agreement = uow.agreements.get(agreement_id)
        access = self._access(uow, actor)
        if not access.can_read(agreement):
            raise ForbiddenError(f"agreement {agreement_id} is not shared with your organisations")
        return agreement, access

    def _readable(self, uow: UnitOfWork, actor: Actor, agreement_id: int) -> AgreementRecord:
        return self._scoped(uow, actor, agreement_id)[0]

    def _editable(self, uow: UnitOfWork, actor: Actor, agreement_id: int) -> AgreementRecord:
        agreement, access = self._scoped(uow, actor, agreement_id)
        if not access.can_edit(agreement):
            raise ForbiddenError(f"you can read agreement {agreement_id} but not change it")
        return agreement

    def _screen_signature(
        self, uow: UnitOfWork, actor: Actor, agreement: AgreementRecord, version: AgreementVersion
    ) -> tuple[ConflictFlag, ...]:
        """The register's flags on the signer; refused (audited, ConflictOfInterestError) or audited as flagged."""
        federation = uow.organisations.get(agreement.provider_id)
        members = frozenset(org.ods_code for org in uow.organisations.all() if org.parent_id == federation.id)
        subject = f"version {version.number} of agreement {agreement.id}, {agreement.title}"
        signer = uow.users.get(_user_id(actor)).email
        decision = Decision(
            DecisionKind.AGREEMENT_SIGNATURE, signer, self.clock().date(), federation.ods_code, federation.name,
            members, subject,
        )  # fmt: skip
        flags = check_decision(Register(tuple(uow.incentives.declarations())), decision)
        if not flags:
            return flags
        entity = f"agreement/{agreement.id}/version/{version.number}"
        details = {"decision": decision.kind.value, "reasons": [flag.reason for flag in flags]}
        if self.conflict_policy is ConflictPolicy.REFUSE:
            uow.rollback()
            self._audit(uow, actor, "conflict.refused", entity, agreement.id, **details)
            uow.commit()
            raise ConflictOfInterestError(flags)
        self._audit(uow, actor, "conflict.flagged", entity, agreement.id, **details)
        return flags

    def _check_content(self, content: str, commissioner: Organisation, provider: Organisation) -> None:
        terms = self.parser.parse(content, "agreement")
        issues: list[Issue] = []
        for role, organisation in ((PartyRole.COMMISSIONER, commissioner), (PartyRole.PROVIDER, provider)):
            for party in terms.parties_with_role(role):
                if party.ods_code is not None and party.ods_code != organisation.ods_code:
                    message = (
                        f"the {role.value} {party.id!r} has ODS code {party.ods_code}, but this agreement's "
                        f"{role.value} is {organisation.name} ({organisation.ods_code})"
                    )
                    issues.append(Issue("agreement.party_ods_code", message, Source(clause="parties")))
        if issues:
            raise InvalidInputError(issues)

    def _audit(
        self,
        uow: UnitOfWork,
        actor: Actor,
        action: str,
        entity: str,
        agreement_id: int | None = None,
        **details: Any,
    ) -> None:
        uow.audit.append(actor.user_id, self.clock(), action, entity, details, agreement_id)

    def _audit_version(
        self, uow: UnitOfWork, actor: Actor, action: str, version: AgreementVersion, **extra: Any
    ) -> None:
        entity = f"agreement/{version.agreement_id}/version/{version.number}"
        details = {
            "status": version.status.value,
            "content_sha256": version.content_sha256,
            "lock_version": version.lock_version,
            **extra,
        }
        self._audit(uow, actor, action, entity, version.agreement_id, **details)


def _user_id(actor: Actor) -> int:
    if actor.user_id is None:
        raise ForbiddenError("this needs a signed-in user")
    return actor.user_id


def _user_issues(email: str, password: str) -> list[Issue]:
    issues: list[Issue] = []
    if "@" not in email.strip() or " " in email.strip():
        issues.append(Issue("user.email", f"{email!r} is not an email address"))
    return issues + password_issues(password, email)


def _check_parties(commissioner: Organisation, provider: Organisation) -> None:
    issues: list[Issue] = []
    if commissioner.kind is not OrganisationKind.COMMISSIONER:
        issues.append(Issue("agreement.commissioner", f"{commissioner.name} is not a commissioner"))
    if provider.kind is not OrganisationKind.FEDERATION:
        issues.append(Issue("agreement.provider", f"{provider.name} is not a federation"))
    if issues:
        raise InvalidInputError(issues)


def _signing_role(agreement: AgreementRecord, organisation_id: int) -> Role:
    if organisation_id == agreement.commissioner_id:
        return Role.COMMISSIONER_FINANCE
    if organisation_id == agreement.provider_id:
        return Role.FEDERATION_MANAGER
    raise ForbiddenError(f"organisation {organisation_id} is not a party to agreement {agreement.id}")


def _check_signable(version: AgreementVersion, content_sha256: str) -> None:
    if version.status is VersionStatus.SIGNED:
        raise ConflictError(f"version {version.number} is signed already")
    if version.status is not VersionStatus.PROPOSED:
        raise ConflictError(f"version {version.number} is a draft: propose it before signing")
    if content_sha256 != version.content_sha256:
        raise ConflictError(f"version {version.number} has changed since you read it: read it again before signing")


def _signed_by_both(agreement: AgreementRecord, version: AgreementVersion, signatures: list[Signature]) -> bool:
    signed = {s.organisation_id for s in signatures if s.content_sha256 == version.content_sha256}
    return set(agreement.organisation_ids) <= signed
