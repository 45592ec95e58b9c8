"""The demo's incentive scheme in the workspace, after the demo organisations and users exist (DemoSeeder).

Registers the scheme (GBP 2.50 per patient, ELR-style) for the demo ICB and federation; the federation submits the
year-one plan for every practice; ICB finance signs it off and approves the payments due on the day of seeding (up
front and year one); the federation submits its legal set-up for year two (delivery still to come, so year two
awaits sign-off).
It also adds a third demo login, an ICB clinical lead who declared a financial interest in one member practice, so
that the conflict-of-interest check can be seen refusing a sign-off. Idempotent: nothing is added twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from gainshare.domain.conflicts import Declaration, InterestNature
from gainshare.domain.errors import NotFoundError
from gainshare.services.demo_workspace import SYSTEM, DemoLogin
from gainshare.services.incentives import IncentiveService
from gainshare.services.ports import Membership, Role
from gainshare.services.practice_data import PracticeData
from gainshare.services.workspace import WorkspaceService

FINANCE = "finance@northvale-icb.example"
MANAGER = "manager@northvale-fed.example"
CONFLICTED = "clinical-lead@northvale-icb.example"
CONFLICTED_NAME = "Dr Cara Lead (ICB clinical lead)"


@dataclass(frozen=True, slots=True)
class DemoIncentiveDocuments:
    scheme_id: str
    scheme_text: str
    commissioner_ods: str
    commissioner_name: str
    federation_ods: str
    snapshot: date
    interest_in: str  # the member practice the clinical lead has an interest in
    interest_in_name: str


@dataclass(frozen=True)
class DemoIncentiveSeeder:
    workspace: WorkspaceService
    incentives: IncentiveService
    data: PracticeData
    password: str

    def seed(self, documents: DemoIncentiveDocuments) -> tuple[DemoLogin, ...]:
        """The scheme, its evidence, sign-off and payments, and the conflicted login; returns the new login."""
        commissioner = self.workspace.find_organisation(SYSTEM, documents.commissioner_ods)
        federation = self.workspace.find_organisation(SYSTEM, documents.federation_ods)
        finance = self.workspace.find_user(SYSTEM, FINANCE)
        manager = self.workspace.find_user(SYSTEM, MANAGER)
        if commissioner is None or federation is None or finance is None or manager is None:
            raise NotFoundError("seed the demo organisations and users before the incentive scheme")
        lead = self._user(CONFLICTED, CONFLICTED_NAME, commissioner.id)
        login = DemoLogin(CONFLICTED, self.password, "commissioner finance (declared interest)", commissioner.name)
        finance_id, manager_id = finance[0].id, manager[0].id
        try:
            self.incentives.record(finance_id, documents.scheme_id)
            return (login,)
        except NotFoundError:
            pass
        scheme_id = documents.scheme_id
        self.incentives.register_scheme(finance_id, documents.scheme_text, commissioner.id, federation.id)
        self.incentives.declare(lead, self._declaration(documents))
        self.incentives.submit_evidence(
            manager_id, scheme_id, "year-1", "plan", None, "Federation plan v1.2 (geography, board, vision, governance)"
        )
        self.incentives.sign_off(finance_id, scheme_id, "year-1", None)
        counts = self.data.patient_counts(documents.federation_ods, documents.snapshot)
        self.incentives.approve_payments(finance_id, scheme_id, counts, None, self.incentives.clock().date())
        self.incentives.submit_evidence(
            manager_id, scheme_id, "year-2", "legal", None, "Certificate of incorporation: Northvale GP Federation Ltd"
        )
        return (login,)

    def _user(self, email: str, name: str, organisation_id: int) -> int:
        found = self.workspace.find_user(SYSTEM, email)
        if found is None:
            user = self.workspace.create_user(SYSTEM, email, name, self.password)
            memberships: list[Membership] = []
        else:
            user, memberships = found
        role = Role.COMMISSIONER_FINANCE
        if not any(m.organisation_id == organisation_id and m.role is role for m in memberships):
            self.workspace.add_membership(SYSTEM, user.id, organisation_id, role)
        return user.id

    def _declaration(self, documents: DemoIncentiveDocuments) -> Declaration:
        return Declaration(
            person=CONFLICTED,
            person_name=CONFLICTED_NAME,
            role="Clinical lead, primary care commissioning",
            organisation_code=documents.interest_in,
            organisation_name=documents.interest_in_name,
            nature=InterestNature.FINANCIAL,
            description="GP partner (profit share) in the practice",
            valid_from=documents.snapshot,
            declared_on=documents.snapshot,
            action_taken="Excluded from decisions on the federation's incentive payments",
        )
