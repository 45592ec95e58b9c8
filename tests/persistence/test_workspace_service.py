"""The workspace use cases on every backend: versions from draft to signed, scoping, audit, settlement posting."""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass

import pytest

from gainshare.adapters.figures_file import load_figures
from gainshare.domain.errors import ConflictError, ForbiddenError, InvalidInputError
from gainshare.domain.figures import Figures
from gainshare.domain.money import Money
from gainshare.services.ports import OrganisationKind, Role, UploadStatus, VersionStatus, content_digest
from gainshare.services.workspace import Actor, WorkspaceService
from tests.persistence.conftest import EXAMPLES

SYSTEM = Actor.system()
PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class World:
    icb: int
    fed: int
    south: int
    finance: Actor  # commissioner finance at the ICB
    manager: Actor  # federation manager
    manager2: Actor  # a second federation manager
    viewer: Actor  # practice viewer at a member practice of the federation
    outsider: Actor  # commissioner finance at another ICB
    admin: Actor  # administrator of the federation


def _person(service: WorkspaceService, email: str, organisation: int, role: Role) -> Actor:
    user = service.create_user(SYSTEM, email, email.split("@", maxsplit=1)[0].title(), PASSWORD)
    service.add_membership(SYSTEM, user.id, organisation, role)
    return Actor.user(user.id)


def build_world(service: WorkspaceService) -> World:
    icb = service.create_organisation(SYSTEM, "QZZ", "NHS Northvale ICB", OrganisationKind.COMMISSIONER)
    fed = service.create_organisation(SYSTEM, "y99001", "Northvale GP Federation", OrganisationKind.FEDERATION)
    practice = service.create_organisation(SYSTEM, "Z00001", "Riverside", OrganisationKind.PRACTICE, fed.id)
    south = service.create_organisation(SYSTEM, "QXX", "NHS Southvale ICB", OrganisationKind.COMMISSIONER)
    return World(
        icb=icb.id,
        fed=fed.id,
        south=south.id,
        finance=_person(service, "fin@icb.nhs.uk", icb.id, Role.COMMISSIONER_FINANCE),
        manager=_person(service, "man@fed.nhs.uk", fed.id, Role.FEDERATION_MANAGER),
        manager2=_person(service, "two@fed.nhs.uk", fed.id, Role.FEDERATION_MANAGER),
        viewer=_person(service, "view@riverside.nhs.uk", practice.id, Role.PRACTICE_VIEWER),
        outsider=_person(service, "fin@south.nhs.uk", south.id, Role.COMMISSIONER_FINANCE),
        admin=_person(service, "admin@fed.nhs.uk", fed.id, Role.ADMINISTRATOR),
    )


@pytest.fixture
def world(service: WorkspaceService) -> World:
    return build_world(service)


def _start(service: WorkspaceService, world: World, text: str) -> int:
    return service.create_agreement(world.manager, "Northvale gain share", world.icb, world.fed, text).agreement_id


def _sign_off(service: WorkspaceService, world: World, agreement: int, number: int = 1) -> None:
    version = service.get_version(world.manager, agreement, number)
    if version.status is VersionStatus.DRAFT:
        version = service.propose(world.manager, agreement, number, version.lock_version)
    service.sign(world.manager, agreement, number, world.fed, version.content_sha256)
    service.sign(world.finance, agreement, number, world.icb, version.content_sha256)


def _retitled(text: str, title: str) -> str:
    return text.replace("title: Northvale out-of-hospital services gain share", f"title: {title}")


def test_a_version_goes_from_draft_to_signed_with_both_parties(
    service: WorkspaceService, world: World, agreement_text: str
) -> None:
    agreement = _start(service, world, agreement_text)
    draft = service.get_version(world.finance, agreement, 1)
    assert (draft.status, draft.lock_version, draft.content) == (VersionStatus.DRAFT, 0, agreement_text)
    saved = service.save_draft(world.finance, agreement, 1, 0, _retitled(agreement_text, "Revised"))
    proposed = service.propose(world.manager, agreement, 1, saved.lock_version)
    assert proposed.status is VersionStatus.PROPOSED

    half = service.sign(world.manager, agreement, 1, world.fed, proposed.content_sha256)
    assert half.status is VersionStatus.PROPOSED
    signed = service.sign(world.finance, agreement, 1, world.icb, proposed.content_sha256)
    assert signed.status is VersionStatus.SIGNED
    assert signed.content_sha256 == content_digest(_retitled(agreement_text, "Revised"))
    signatures = service.signatures(world.viewer, agreement, 1)
    assert {(s.organisation_id, s.content_sha256) for s in signatures} == {
        (world.fed, signed.content_sha256),
        (world.icb, signed.content_sha256),
    }
    assert [v.status for v in service.list_versions(world.viewer, agreement)] == [VersionStatus.SIGNED]


def test_second_save_of_the_same_draft_is_a_conflict(
    service: WorkspaceService, world: World, agreement_text: str
) -> None:
    agreement = _start(service, world, agreement_text)
    seen_by_first = service.get_version(world.manager, agreement, 1)
    seen_by_second = service.get_version(world.manager2, agreement, 1)
    service.save_draft(world.manager, agreement, 1, seen_by_first.lock_version, _retitled(agreement_text, "First"))
    with pytest.raises(ConflictError, match="reload"):
        service.save_draft(
            world.manager2, agreement, 1, seen_by_second.lock_version, _retitled(agreement_text, "Second")
        )
    kept = service.get_version(world.finance, agreement, 1)
    assert kept.content == _retitled(agreement_text, "First")
    assert kept.lock_version == seen_by_first.lock_version + 1


def test_a_change_after_signing_is_a_new_version_and_the_signed_one_stays(
    service: WorkspaceService, world: World, agreement_text: str
) -> None:
    agreement = _start(service, world, agreement_text)
    _sign_off(service, world, agreement)
    signed = service.get_version(world.manager, agreement, 1)
    second = service.save_draft(world.manager, agreement, 1, signed.lock_version, _retitled(agreement_text, "V2"))
    assert (second.number, second.status, second.lock_version) == (2, VersionStatus.DRAFT, 0)
    with pytest.raises(ConflictError):  # a colleague who also edited version 1 loses
        service.save_draft(world.manager2, agreement, 1, signed.lock_version, _retitled(agreement_text, "Other"))
    assert service.get_version(world.manager, agreement, 1) == signed
    assert [v.number for v in service.list_versions(world.manager, agreement)] == [1, 2]


def test_both_parties_must_sign_the_same_text(service: WorkspaceService, world: World, agreement_text: str) -> None:
    agreement = _start(service, world, agreement_text)
    draft = service.get_version(world.manager, agreement, 1)
    with pytest.raises(ConflictError, match="propose"):
        service.sign(world.manager, agreement, 1, world.fed, draft.content_sha256)
    proposed = service.propose(world.manager, agreement, 1, draft.lock_version)
    service.sign(world.manager, agreement, 1, world.fed, proposed.content_sha256)
    with pytest.raises(ConflictError):  # the same organisation twice is still one signature
        service.sign(world.manager2, agreement, 1, world.fed, proposed.content_sha256)
    assert service.get_version(world.manager, agreement, 1).status is VersionStatus.PROPOSED

    # The commissioner changes the text: the federation's signature was on the old text.
    changed = service.save_draft(world.finance, agreement, 1, proposed.lock_version, _retitled(agreement_text, "C"))
    assert changed.status is VersionStatus.DRAFT
    reproposed = service.propose(world.finance, agreement, 1, changed.lock_version)
    with pytest.raises(ConflictError, match="changed since you read it"):
        service.sign(world.finance, agreement, 1, world.icb, proposed.content_sha256)
    after_one = service.sign(world.finance, agreement, 1, world.icb, reproposed.content_sha256)
    assert after_one.status is VersionStatus.PROPOSED
    after_both = service.sign(world.manager, agreement, 1, world.fed, reproposed.content_sha256)
    assert after_both.status is VersionStatus.SIGNED


def test_each_side_signs_only_for_its_own_organisation(
    service: WorkspaceService, world: World, agreement_text: str
) -> None:
    agreement = _start(service, world, agreement_text)
    draft = service.get_version(world.manager, agreement, 1)
    proposed = service.propose(world.manager, agreement, 1, draft.lock_version)
    for actor, organisation in [
        (world.manager, world.icb),
        (world.finance, world.fed),
        (world.viewer, world.fed),
        (world.admin, world.fed),
        (world.manager, world.south),
    ]:
        with pytest.raises(ForbiddenError):
            service.sign(actor, agreement, 1, organisation, proposed.content_sha256)
    assert service.signatures(world.manager, agreement, 1) == []


def test_another_organisation_can_neither_read_nor_change(
    service: WorkspaceService, world: World, agreement_text: str
) -> None:
    agreement = _start(service, world, agreement_text)
    version = service.get_version(world.manager, agreement, 1)
    attempts = [
        lambda: service.get_agreement(world.outsider, agreement),
        lambda: service.list_versions(world.outsider, agreement),
        lambda: service.get_version(world.outsider, agreement, 1),
        lambda: service.signatures(world.outsider, agreement, 1),
        lambda: service.audit_trail(world.outsider, agreement),
        lambda: service.ledger_balances(world.outsider, agreement),
        lambda: service.save_draft(world.outsider, agreement, 1, version.lock_version, agreement_text),
        lambda: service.propose(world.outsider, agreement, 1, version.lock_version),
        lambda: service.sign(world.outsider, agreement, 1, world.south, version.content_sha256),
        lambda: service.record_upload(world.outsider, agreement, "f.csv", "0" * 64, 1, UploadStatus.RECEIVED),
    ]
    for attempt in attempts:
        with pytest.raises(ForbiddenError):
            attempt()
    assert service.list_agreements(world.outsider) == []
    assert service.get_version(world.manager, agreement, 1) == version


def test_practice_viewers_read_their_federations_agreements_but_change_nothing(
    service: WorkspaceService, world: World, agreement_text: str
) -> None:
    agreement = _start(service, world, agreement_text)
    assert [a.id for a in service.list_agreements(world.viewer)] == [agreement]
    version = service.get_version(world.viewer, agreement, 1)
    with pytest.raises(ForbiddenError):
        service.save_draft(world.viewer, agreement, 1, version.lock_version, _retitled(agreement_text, "X"))
    with pytest.raises(ForbiddenError):
        service.propose(world.viewer, agreement, 1, version.lock_version)
    with pytest.raises(ForbiddenError):
        service.create_agreement(world.viewer, "Mine", world.icb, world.fed, agreement_text)
    assert service.get_version(world.manager, agreement, 1) == version


def test_administrators_manage_only_their_own_organisation(service: WorkspaceService, world: World) -> None:
    newcomer = service.create_user(world.admin, "new@fed.nhs.uk", "Newcomer", PASSWORD)
    service.add_membership(world.admin, newcomer.id, world.fed, Role.FEDERATION_MANAGER)
    with pytest.raises(ForbiddenError):
        service.add_membership(world.admin, newcomer.id, world.icb, Role.COMMISSIONER_FINANCE)
    with pytest.raises(ForbiddenError):
        service.add_membership(world.manager, newcomer.id, world.fed, Role.ADMINISTRATOR)
    with pytest.raises(ForbiddenError):
        service.create_user(world.manager, "sneaky@fed.nhs.uk", "Sneaky", PASSWORD)
    with pytest.raises(ForbiddenError):
        service.create_organisation(world.finance, "QAA", "Made up", OrganisationKind.COMMISSIONER)
    with pytest.raises(InvalidInputError, match="does not exist in a federation"):
        service.add_membership(world.admin, newcomer.id, world.fed, Role.COMMISSIONER_FINANCE)
    assert [o.id for o in service.my_organisations(Actor.user(newcomer.id))] == [world.fed]


def test_bad_input_is_refused_and_nothing_is_written(
    service: WorkspaceService, world: World, agreement_text: str
) -> None:
    with pytest.raises(InvalidInputError):
        service.create_agreement(world.manager, "Broken", world.icb, world.fed, "gainshare: 1\nid: x\n")
    with pytest.raises(InvalidInputError, match="ODS code"):
        service.create_agreement(world.outsider, "Wrong ICB", world.south, world.fed, agreement_text)
    with pytest.raises(InvalidInputError, match="not a federation"):
        service.create_agreement(world.finance, "Two ICBs", world.icb, world.south, agreement_text)
    with pytest.raises(InvalidInputError):
        service.create_user(SYSTEM, "not-an-email", "X", PASSWORD)
    with pytest.raises(InvalidInputError, match="12 characters"):
        service.create_user(SYSTEM, "short@x.nhs.uk", "X", "short")
    with pytest.raises(InvalidInputError, match="ODS"):
        service.create_organisation(SYSTEM, "no way", "Bad", OrganisationKind.PRACTICE)
    with pytest.raises(ConflictError):
        service.create_organisation(SYSTEM, "QZZ", "Duplicate", OrganisationKind.COMMISSIONER)
    assert service.list_agreements(world.manager) == []
    assert service.list_agreements(world.outsider) == []
    agreement = _start(service, world, agreement_text)
    with pytest.raises(InvalidInputError):
        service.save_draft(world.manager, agreement, 1, 0, "sharing: [not, an, agreement]\n")
    assert service.get_version(world.manager, agreement, 1).content == agreement_text


def test_passwords_are_hashed_and_checked(service: WorkspaceService, world: World) -> None:
    user = service.authenticate("MAN@fed.nhs.uk", PASSWORD)
    assert user is not None and Actor.user(user.id) == world.manager
    assert PASSWORD not in user.password_hash and user.password_hash.startswith("$argon2id$")
    assert service.authenticate("man@fed.nhs.uk", PASSWORD + "!") is None
    assert service.authenticate("nobody@fed.nhs.uk", PASSWORD) is None


def test_every_change_is_in_the_audit_trail(service: WorkspaceService, world: World, agreement_text: str) -> None:
    agreement = _start(service, world, agreement_text)
    saved = service.save_draft(world.finance, agreement, 1, 0, _retitled(agreement_text, "Audited"))
    _sign_off(service, world, agreement)
    with pytest.raises(ConflictError):
        service.save_draft(world.manager2, agreement, 1, 0, agreement_text)  # refused: leaves no trace
    trail = service.audit_trail(world.viewer, agreement)
    assert [entry.action for entry in trail] == [
        "agreement.created",
        "version.created",
        "version.saved",
        "version.proposed",
        "version.signed_by",
        "version.signed_by",
        "version.frozen",
    ]
    assert [entry.actor_id for entry in trail] == [
        world.manager.user_id,
        world.manager.user_id,
        world.finance.user_id,
        world.manager.user_id,
        world.manager.user_id,
        world.finance.user_id,
        world.finance.user_id,
    ]
    assert trail[2].details["content_sha256"] == saved.content_sha256
    assert trail[2].entity == f"agreement/{agreement}/version/1"
    assert all(earlier.at < later.at for earlier, later in itertools.pairwise(trail))


@pytest.fixture(scope="module")
def figures() -> Figures:
    return load_figures(EXAMPLES / "figures.yaml")


def test_a_settlement_posts_balanced_transactions_once(
    service: WorkspaceService, world: World, agreement_text: str, figures: Figures
) -> None:
    agreement = _start(service, world, agreement_text)
    with pytest.raises(ConflictError, match="only a signed version"):
        service.post_settlement(world.finance, agreement, 1, figures, "2025-26")
    _sign_off(service, world, agreement)
    upload = service.record_upload(world.manager, agreement, "figures.yaml", "ab" * 32, 4, UploadStatus.ACCEPTED)
    posted = service.post_settlement(world.finance, agreement, 1, figures, "2025-26", upload.id)

    assert posted.settlement.period == "2025-26" and posted.settlement.upload_id == upload.id
    assert posted.settlement.net_saving == Money(13_399_883)
    assert posted.settlement.statement["net_saving"]["pence"] == 13_399_883
    assert [tx.key for tx in posted.transactions] == [f"agreement/{agreement}/period/2025-26/1"]
    balances = service.ledger_balances(world.viewer, agreement)
    assert sum(amount.pence for amount in balances.values()) == 0
    assert balances["FED:gain-share-due"] + balances["ICB:retained-saving"] == Money(13_399_883)

    with pytest.raises(ConflictError):
        service.post_settlement(world.manager, agreement, 1, figures, "2025-26")
    assert service.ledger_balances(world.finance, agreement) == balances
    with pytest.raises(ForbiddenError):
        service.post_settlement(world.viewer, agreement, 1, figures, "2026-27")
    actions = [entry.action for entry in service.audit_trail(world.finance, agreement)]
    assert actions[-2:] == ["upload.recorded", "settlement.posted"]


def test_a_later_version_cannot_post_a_settled_period_again(
    service: WorkspaceService, world: World, agreement_text: str, figures: Figures
) -> None:
    agreement = _start(service, world, agreement_text)
    _sign_off(service, world, agreement)
    service.post_settlement(world.finance, agreement, 1, figures, "2025-26")
    v2_text = agreement_text.replace("version: 1\n", "version: 2\n")
    signed = service.get_version(world.manager, agreement, 1)
    service.save_draft(world.manager, agreement, 1, signed.lock_version, v2_text)
    _sign_off(service, world, agreement, 2)
    with pytest.raises(ConflictError, match="posted already"):
        service.post_settlement(world.finance, agreement, 2, figures, "2025-26")


def test_concurrent_settlement_posts_leave_exactly_one(
    service: WorkspaceService, world: World, agreement_text: str, figures: Figures
) -> None:
    agreement = _start(service, world, agreement_text)
    _sign_off(service, world, agreement)
    barrier = threading.Barrier(3)
    outcomes: list[str] = []
    lock = threading.Lock()

    def post(actor: Actor) -> None:
        barrier.wait()
        try:
            service.post_settlement(actor, agreement, 1, figures, "2025-26")
            outcome = "posted"
        except ConflictError:
            outcome = "conflict"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=post, args=(a,)) for a in (world.finance, world.manager, world.manager2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "conflict", "posted"]
    balances = service.ledger_balances(world.finance, agreement)
    assert balances["ICB:net-saving"] == Money(-13_399_883)


def test_both_parties_signing_at_once_freezes_the_version(
    service: WorkspaceService, world: World, agreement_text: str
) -> None:
    agreement = _start(service, world, agreement_text)
    draft = service.get_version(world.manager, agreement, 1)
    proposed = service.propose(world.manager, agreement, 1, draft.lock_version)
    barrier = threading.Barrier(2)
    failures: list[BaseException] = []

    def sign(actor: Actor, organisation: int) -> None:
        barrier.wait()
        try:
            service.sign(actor, agreement, 1, organisation, proposed.content_sha256)
        except BaseException as error:  # asserted on below
            failures.append(error)

    threads = [
        threading.Thread(target=sign, args=(world.manager, world.fed)),
        threading.Thread(target=sign, args=(world.finance, world.icb)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert service.get_version(world.viewer, agreement, 1).status is VersionStatus.SIGNED
