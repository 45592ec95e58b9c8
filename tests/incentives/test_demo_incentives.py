"""The demo's incentive scheme in a SQLite workspace: seeded once (idempotent), shared only with its two
organisations, scheduled from the demo's list sizes, and its conflicted login refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from gainshare.bootstrap import build_workspace, incentive_pages, seed_demo
from gainshare.engines.demo.incentive_scheme import SCHEME_ID
from gainshare.services.incentives import ConflictOfInterestError
from gainshare.services.ports import OrganisationKind, Role
from gainshare.services.workspace import Actor

PASSWORD = "a demo password for tests"


def test_the_demo_scheme_is_seeded_once_and_shared_with_its_parties(tmp_path: Path) -> None:
    workspace = build_workspace(f"sqlite:///{tmp_path / 'workspace.db'}", tmp_path)
    try:
        first = seed_demo(workspace, password=PASSWORD)
        assert "clinical-lead@northvale-icb.example" in [login.email for login in first.logins]
        pages = incentive_pages(workspace)
        finance = workspace.service.find_user(Actor.system(), "finance@northvale-icb.example")
        assert finance is not None
        actor = Actor.user(finance[0].id)
        overview = pages.overview(actor, SCHEME_ID)
        paid = overview.total_paid
        assert overview.counts_known and len(overview.practices) == 30
        assert paid == overview.schedule.total_payable and paid.pence > 0  # the demo approved what was due
        assert overview.awaiting_approval.pence == 0 and overview.can_decide
        second = seed_demo(workspace, password=PASSWORD)
        assert second.logins == first.logins
        again = pages.overview(actor, SCHEME_ID)
        assert again.total_paid == paid and len(again.payments) == len(overview.payments)
        assert [record.scheme_id for record, _ in pages.schemes(actor)] == [SCHEME_ID]

        system = Actor.system()
        other = workspace.service.create_organisation(system, "Q99", "Another ICB", OrganisationKind.COMMISSIONER)
        outsider = workspace.service.create_user(system, "out@other.example", "Outsider", PASSWORD)
        workspace.service.add_membership(system, outsider.id, other.id, Role.COMMISSIONER_FINANCE)
        assert pages.schemes(Actor.user(outsider.id)) == []

        lead = workspace.service.find_user(system, "clinical-lead@northvale-icb.example")
        assert lead is not None
        with pytest.raises(ConflictOfInterestError, match="declared a financial interest"):
            workspace.incentives.sign_off(lead[0].id, SCHEME_ID, "year-1", "Z90001")
    finally:
        workspace.close()
