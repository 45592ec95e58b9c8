"""The demo workspace: the synthetic federation's commissioner and federation, two demo users, an agreement with
a version signed by both and a draft after it, the demo figures uploaded, and the first year settled.

Idempotent: everything is looked up before it is made, so seeding twice adds nothing the second time. The
agreement text and figures bytes come from the caller (bootstrap renders the demo generator's documents).
"""

from __future__ import annotations

from dataclasses import dataclass

from gainshare.domain.errors import ConflictError
from gainshare.services.figures_uploads import FiguresService
from gainshare.services.ports import Membership, OrganisationKind, Role, VersionStatus
from gainshare.services.workspace import Actor, WorkspaceService

SYSTEM = Actor.system()


@dataclass(frozen=True, slots=True)
class DemoLogin:
    email: str
    password: str
    role: str
    organisation: str


@dataclass(frozen=True, slots=True)
class DemoDocuments:
    commissioner_ods: str
    commissioner_name: str
    federation_ods: str
    federation_name: str
    title: str
    agreement_text: str  # version 1, signed by both
    draft_text: str  # version 2, a draft
    figures_filename: str
    figures: bytes
    first_period: str


@dataclass(frozen=True, slots=True)
class DemoSeed:
    agreement_id: int
    logins: tuple[DemoLogin, ...]
    created: bool  # False: everything was there already


@dataclass(frozen=True)
class DemoSeeder:
    workspace: WorkspaceService
    figures: FiguresService
    password: str

    def seed(self, documents: DemoDocuments) -> DemoSeed:
        commissioner = self._organisation(
            documents.commissioner_ods, documents.commissioner_name, OrganisationKind.COMMISSIONER
        )
        federation = self._organisation(
            documents.federation_ods, documents.federation_name, OrganisationKind.FEDERATION
        )
        finance = self._user(
            "finance@northvale-icb.example", "Fiona Finance (ICB)", commissioner, Role.COMMISSIONER_FINANCE
        )
        manager = self._user(
            "manager@northvale-fed.example", "Manny Manager (federation)", federation, Role.FEDERATION_MANAGER
        )
        logins = (
            DemoLogin(
                "finance@northvale-icb.example", self.password, "commissioner finance", documents.commissioner_name
            ),
            DemoLogin("manager@northvale-fed.example", self.password, "federation manager", documents.federation_name),
        )
        existing = [a for a in self.workspace.list_agreements(manager) if a.title == documents.title]
        if existing:
            return DemoSeed(existing[0].id, logins, created=False)
        agreement_id = self._agreement(documents, commissioner, federation, finance, manager)
        return DemoSeed(agreement_id, logins, created=True)

    def _organisation(self, ods_code: str, name: str, kind: OrganisationKind) -> int:
        found = self.workspace.find_organisation(SYSTEM, ods_code)
        if found is not None:
            return found.id
        return self.workspace.create_organisation(SYSTEM, ods_code, name, kind).id

    def _user(self, email: str, name: str, organisation_id: int, role: Role) -> Actor:
        found = self.workspace.find_user(SYSTEM, email)
        if found is None:
            user = self.workspace.create_user(SYSTEM, email, name, self.password)
            memberships: list[Membership] = []
        else:
            user, memberships = found
        if not any(m.organisation_id == organisation_id and m.role is role for m in memberships):
            self.workspace.add_membership(SYSTEM, user.id, organisation_id, role)
        return Actor.user(user.id)

    def _agreement(
        self, documents: DemoDocuments, commissioner: int, federation: int, finance: Actor, manager: Actor
    ) -> int:
        version = self.workspace.create_agreement(
            manager, documents.title, commissioner, federation, documents.agreement_text
        )
        agreement_id = version.agreement_id
        version = self.workspace.propose(manager, agreement_id, 1, version.lock_version)
        self.workspace.sign(manager, agreement_id, 1, federation, version.content_sha256)
        signed = self.workspace.sign(finance, agreement_id, 1, commissioner, version.content_sha256)
        if signed.status is not VersionStatus.SIGNED:
            raise ConflictError("the demo agreement's version 1 did not freeze after both signatures")
        upload = self.figures.commit(manager, agreement_id, documents.figures_filename, documents.figures)
        self.figures.post(finance, agreement_id, 1, documents.first_period, upload.id)
        self.workspace.save_draft(manager, agreement_id, 1, signed.lock_version, documents.draft_text)
        return agreement_id
