"""Special-cause notifications through the monitoring service on memory, SQLite and PostgreSQL: marking all of an
agreement's notifications read is per user and per agreement, and refused to other organisations."""

from __future__ import annotations

import pytest

from gainshare.domain.errors import ForbiddenError
from tests.yearend.conftest import EXAMPLES, MONTHS, World, year_of_actuals

SPIKE = [40, 43, 38, 42, 39, 44, 37, 41, 95, 40]  # December 2025 far above the rest: special cause


def _second_agreement(world: World) -> int:
    """Another signed agreement between the same parties, with the same special-cause signals."""
    record = world.workspace.get_agreement(world.finance, world.agreement)
    text = (EXAMPLES / "agreement.yaml").read_text(encoding="utf-8")
    version = world.workspace.create_agreement(
        world.finance, "Second", record.commissioner_id, record.provider_id, text
    )
    agreement = version.agreement_id
    proposed = world.workspace.propose(world.manager, agreement, 1, version.lock_version)
    world.workspace.sign(world.manager, agreement, 1, record.provider_id, proposed.content_sha256)
    world.workspace.sign(world.finance, agreement, 1, record.commissioner_id, proposed.content_sha256)
    return agreement


def _unread(world: World, who: str, agreement: int) -> int:
    actor = getattr(world, who)
    return sum(1 for n in world.monitoring.notifications(actor, agreement) if not n.read)


def test_mark_all_read_marks_only_the_users_notifications_of_that_agreement(world: World) -> None:
    second = _second_agreement(world)
    for agreement in (world.agreement, second):
        upload = world.monitoring.upload_actuals(world.manager, agreement, "a.csv", year_of_actuals(MONTHS[:10], SPIKE))
        assert len(upload.notifications) >= 2
    signals = _unread(world, "manager", world.agreement)
    first = world.monitoring.notifications(world.manager, world.agreement)[0]
    world.monitoring.mark_read(world.manager, world.agreement, first.id)
    assert world.monitoring.mark_all_read(world.manager, world.agreement) == signals - 1
    assert world.monitoring.mark_all_read(world.manager, world.agreement) == 0
    assert _unread(world, "manager", world.agreement) == 0
    assert _unread(world, "manager", second) == signals  # the other agreement's stay unread
    assert _unread(world, "finance", world.agreement) == signals  # and so do other users'
    assert _unread(world, "viewer", world.agreement) == signals
    inbox = world.monitoring.inbox(world.manager)
    assert [item.agreement_id for item in inbox if not item.notification.read] == [second] * signals


def test_another_organisation_cannot_mark_all_read(world: World) -> None:
    world.monitoring.upload_actuals(world.manager, world.agreement, "a.csv", year_of_actuals(MONTHS[:10], SPIKE))
    signals = _unread(world, "finance", world.agreement)
    assert signals
    with pytest.raises(ForbiddenError):
        world.monitoring.mark_all_read(world.outsider, world.agreement)
    for who in ("finance", "manager", "viewer"):
        assert _unread(world, who, world.agreement) == signals
    assert world.monitoring.inbox(world.outsider) == []
