"""A demo year for the monitoring pages (tests/web/test_year.py and scripts/screenshots.py): the demo workspace
with a second copy of the demo agreement, signed by both parties and with nothing settled yet, and its first term
year's actuals, referrals and practice weights as CSV bytes from the demo generator."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from gainshare.bootstrap import DEMO_PASSWORD, Workspace, demo_documents, seed_demo
from gainshare.engines.demo.federation import DEFAULT_SEED, DemoFederation, DemoParameters, generate_federation
from gainshare.engines.demo.monitoring import actuals_rows, referral_rows, weight_rows
from gainshare.services.ports import VersionStatus
from gainshare.services.workspace import Actor

TITLE = "Northvale out-of-hospital services: year one monitoring (synthetic demo)"
FINANCE = "finance@northvale-icb.example"
MANAGER = "manager@northvale-fed.example"
PASSWORD = DEMO_PASSWORD


@dataclass(frozen=True)
class DemoYear:
    agreement_id: int
    federation: DemoFederation
    finance: Actor
    manager: Actor
    actuals: bytes
    referrals: bytes
    weights: bytes
    period: str


def to_csv(rows: Sequence[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def seed_year(workspace: Workspace) -> DemoYear:
    """The demo, then the year agreement (signed by both through the services: setup, not what is tested)."""
    seed_demo(workspace)
    federation = generate_federation(DemoParameters(seed=DEFAULT_SEED))
    documents = demo_documents(DEFAULT_SEED, federation)
    service, system = workspace.service, Actor.system()
    found_finance, found_manager = service.find_user(system, FINANCE), service.find_user(system, MANAGER)
    assert found_finance is not None and found_manager is not None
    finance, manager = Actor.user(found_finance[0].id), Actor.user(found_manager[0].id)
    commissioner = service.find_organisation(system, documents.commissioner_ods)
    provider = service.find_organisation(system, documents.federation_ods)
    assert commissioner is not None and provider is not None
    version = service.create_agreement(manager, TITLE, commissioner.id, provider.id, documents.agreement_text)
    agreement_id = version.agreement_id
    version = service.propose(manager, agreement_id, 1, version.lock_version)
    service.sign(manager, agreement_id, 1, provider.id, version.content_sha256)
    signed = service.sign(finance, agreement_id, 1, commissioner.id, version.content_sha256)
    assert signed.status is VersionStatus.SIGNED
    return DemoYear(
        agreement_id,
        federation,
        finance,
        manager,
        to_csv(actuals_rows(federation, 0)),
        to_csv(referral_rows(federation, 0)),
        to_csv(weight_rows(federation, 0)),
        documents.first_period,
    )
