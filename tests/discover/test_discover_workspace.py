"""Discover in the shared workspace: the demo seeding records the federation's dataset; the users of the
agreement's two organisations see it, anyone else gets "not found" from every use case."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from gainshare.bootstrap import DISCOVER_FOLDER, Workspace, build_workspace, seed_demo
from gainshare.domain.errors import NotFoundError
from gainshare.domain.variation import ReferenceKind
from gainshare.engines.demo.federation import DemoParameters, generate_federation
from gainshare.services.ports import OrganisationKind, Role
from gainshare.services.workspace import Actor

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    folder: Path = tmp_path_factory.mktemp("workspace")
    found = build_workspace(f"sqlite:///{folder / 'db.sqlite'}", folder, clock=lambda: datetime(2026, 5, 1, tzinfo=UTC))
    seed_demo(found, PASSWORD)
    yield found
    found.close()


def _actor(workspace: Workspace, email: str) -> Actor:
    found = workspace.service.find_user(Actor.system(), email)
    assert found is not None
    return Actor.user(found[0].id)


def test_seeding_records_the_dataset_once(workspace: Workspace) -> None:
    descriptor = workspace.data_folder / DISCOVER_FOLDER / "Y99901" / "dataset.json"
    assert descriptor.is_file()
    before = descriptor.stat().st_mtime_ns
    seed_demo(workspace, PASSWORD)
    assert descriptor.stat().st_mtime_ns == before


@pytest.mark.parametrize("email", ["finance@northvale-icb.example", "manager@northvale-fed.example"])
def test_both_parties_see_the_federations_dataset(workspace: Workspace, email: str) -> None:
    actor = _actor(workspace, email)
    entries = workspace.discover.available(actor)
    assert [entry.organisation.ods_code for entry in entries] == ["Y99901"]
    assert "year before its schemes start" in entries[0].dataset.description
    view = workspace.discover.overview(actor, "y99901")
    services = view.opportunity.appraisal.services
    assert len(services) == 10
    assert [item.case.service_line for item in services] == [f.result.service_line for f in view.funnels]
    assert view.opportunity.period.label == "2023-04 to 2024-03 (12 months)"


def test_the_planted_outliers_are_flagged_and_their_trend_adds_up(workspace: Workspace) -> None:
    actor = _actor(workspace, "manager@northvale-fed.example")
    for outlier in generate_federation(DemoParameters()).activity.outliers:
        view = workspace.discover.funnel(actor, "Y99901", outlier.service_line)
        practice = view.report.result.practice(outlier.practice_code)
        assert practice is not None
        assert practice.significance.value == ("above 99.8%" if outlier.direction == "high" else "below 99.8%")
        trend = workspace.discover.trend(actor, "Y99901", outlier.service_line, outlier.practice_code).trend
        assert len(trend.months) == 12
        assert sum(item.observed for item in trend.months) == practice.observed
        assert abs(sum((item.expected for item in trend.months), Decimal(0)) - practice.expected) < Decimal("1e-20")


def test_an_outsider_sees_nothing(workspace: Workspace) -> None:
    system = Actor.system()
    other = workspace.service.create_organisation(system, "Y99777", "Elsewhere Federation", OrganisationKind.FEDERATION)
    user = workspace.service.create_user(system, "someone@elsewhere.example", "Someone Else", PASSWORD)
    workspace.service.add_membership(system, user.id, other.id, Role.FEDERATION_MANAGER)
    outsider = Actor.user(user.id)
    assert workspace.discover.available(outsider) == []
    calls = (
        lambda: workspace.discover.overview(outsider, "Y99901"),
        lambda: workspace.discover.funnel(outsider, "Y99901", "ecg"),
        lambda: workspace.discover.trend(outsider, "Y99901", "ecg", "Z90010"),
        lambda: workspace.discover.pack(outsider, "Y99901"),
        lambda: workspace.discover.entry(outsider, "Y99777"),  # its own organisation, which has no dataset
        lambda: workspace.discover.entry(outsider, "../Y99901"),
    )
    for call in calls:
        with pytest.raises(NotFoundError):
            call()


def test_unknown_practice_is_not_found(workspace: Workspace) -> None:
    actor = _actor(workspace, "manager@northvale-fed.example")
    with pytest.raises(NotFoundError):
        workspace.discover.trend(actor, "Y99901", "ecg", "Z99999")


def test_a_datasets_national_reference_is_used_for_the_services_it_covers(tmp_path: Path) -> None:
    found = build_workspace(f"sqlite:///{tmp_path / 'db.sqlite'}", tmp_path)
    seed_demo(found, PASSWORD)
    folder = tmp_path / DISCOVER_FOLDER / "Y99901"
    lines = (folder / "list_sizes.csv").read_text().splitlines()[1:]
    bands = sorted({tuple(cell.strip('"') for cell in line.split(",")[2:4]) for line in lines})
    rows = ["service_line,sex,age_band,rate_per_1000", "ecg,Persons,All ages,20"]
    rows += [f"ecg,{'Male' if sex == 'M' else 'Female'},{band},20" for sex, band in bands]
    (folder / "national.csv").write_text("\n".join(rows) + "\n")
    descriptor = json.loads((folder / "dataset.json").read_text())
    (folder / "dataset.json").write_text(json.dumps(descriptor | {"reference": "national.csv"}))
    try:
        actor = _actor(found, "manager@northvale-fed.example")
        ecg = found.discover.funnel(actor, "Y99901", "ecg").report.result
        assert ecg.reference.kind is ReferenceKind.NATIONAL and "national.csv" in ecg.reference.name
        assert all(item.expected == Decimal(item.registered) * Decimal("0.02") for item in ecg.practices)
        anticoag = found.discover.funnel(actor, "Y99901", "anticoag").report.result
        assert anticoag.reference.kind is ReferenceKind.FEDERATION  # not in the reference file
    finally:
        found.close()
