"""WorkspaceService.sign screens a commissioner-side signature against the register of declared interests, on every
backend: refused by default (audited), or let through with the flag audited under the FLAG policy."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from gainshare.domain.conflicts import ConflictPolicy, Declaration, InterestNature
from gainshare.domain.errors import ForbiddenError
from gainshare.services.incentives import ConflictOfInterestError
from gainshare.services.ports import VersionStatus
from gainshare.services.workspace import WorkspaceService
from tests.persistence.conftest import Backend
from tests.persistence.test_workspace_service import World, _start, build_world

PARTNER = Declaration(
    "fin@icb.nhs.uk", "Fin", "Director of finance", "Z00001", "Riverside", InterestNature.FINANCIAL,
    "Partner in the practice", date(2020, 4, 1),
)  # fmt: skip


def _declare(backend: Backend, declaration: Declaration) -> None:
    with backend.units() as uow:
        uow.incentives.add_declaration(declaration)
        uow.commit()


def _proposed(service: WorkspaceService, world: World, agreement_text: str) -> tuple[int, str]:
    agreement = _start(service, world, agreement_text)
    version = service.propose(world.manager, agreement, 1, 0)
    service.sign(world.manager, agreement, 1, world.fed, version.content_sha256)
    return agreement, version.content_sha256


def _actions(backend: Backend) -> list[str]:
    with backend.units() as uow:
        return [entry.action for entry in uow.audit.entries()]


def test_a_conflicted_commissioner_signature_is_refused_and_the_refusal_audited(
    backend: Backend, service: WorkspaceService, agreement_text: str
) -> None:
    world = build_world(service)
    _declare(backend, PARTNER)
    agreement, sha = _proposed(service, world, agreement_text)
    with pytest.raises(ConflictOfInterestError, match="Fin declared a financial interest in Riverside, a member") as no:
        service.sign(world.finance, agreement, 1, world.icb, sha)
    assert isinstance(no.value, ForbiddenError) and no.value.flags[0].declaration == PARTNER
    assert service.get_version(world.finance, agreement, 1).status is VersionStatus.PROPOSED
    assert [s.organisation_id for s in service.signatures(world.finance, agreement, 1)] == [world.fed]
    refusal = service.audit_trail(world.finance, agreement)[-1]
    assert (refusal.action, refusal.entity) == ("conflict.refused", f"agreement/{agreement}/version/1")
    assert refusal.details["decision"] == "agreement signature" and "Partner in the practice" in str(refusal.details)


def test_an_interest_that_ended_does_not_stop_the_signature(
    backend: Backend, service: WorkspaceService, agreement_text: str
) -> None:
    world = build_world(service)
    _declare(backend, PARTNER)
    _declare(backend, replace(PARTNER, valid_to=date(2025, 3, 31)))  # an update: the partnership ended
    agreement, sha = _proposed(service, world, agreement_text)
    signed = service.sign(world.finance, agreement, 1, world.icb, sha)
    assert signed.status is VersionStatus.SIGNED
    assert not {"conflict.refused", "conflict.flagged"} & set(_actions(backend))


def test_under_the_flag_policy_the_signature_goes_ahead_with_the_flag_audited(
    backend: Backend, service: WorkspaceService, agreement_text: str
) -> None:
    flagging = replace(service, conflict_policy=ConflictPolicy.FLAG)
    world = build_world(flagging)
    _declare(backend, replace(PARTNER, organisation_code="Y99001", organisation_name="Northvale GP Federation"))
    agreement, sha = _proposed(flagging, world, agreement_text)
    assert flagging.sign(world.finance, agreement, 1, world.icb, sha).status is VersionStatus.SIGNED
    trail = flagging.audit_trail(world.finance, agreement)
    assert [entry.action for entry in trail][-3:] == ["conflict.flagged", "version.signed_by", "version.frozen"]
    assert "interest in the federation Northvale GP Federation" in trail[-3].details["reasons"][0]


def test_only_the_commissioner_side_is_screened(
    backend: Backend, service: WorkspaceService, agreement_text: str
) -> None:
    world = build_world(service)
    _declare(backend, replace(PARTNER, person="man@fed.nhs.uk"))  # the federation manager's own practice
    agreement, _ = _proposed(service, world, agreement_text)  # the manager signs for the federation
    assert [s.organisation_id for s in service.signatures(world.manager, agreement, 1)] == [world.fed]
