"""Practice data from a federation's dataset folder (adapters/practice_datasets.py): any federation's practices,
demand and list sizes, and hub design in the workspace on them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from gainshare.adapters.demo_practice_data import DemoPracticeData
from gainshare.adapters.discover_datasets import write_demo_dataset
from gainshare.adapters.practice_datasets import ChainedPracticeData, FolderPracticeData
from gainshare.bootstrap import Workspace, build_workspace, seed_demo
from gainshare.domain.errors import InvalidInputError
from gainshare.engines.demo.agreement import FEDERATION_ODS
from gainshare.engines.demo.federation import DemoParameters, generate_federation
from gainshare.services.hub_design import HubDesignRequest, HubDesignService
from gainshare.services.workspace import Actor

FEDERATION = "Y54321"


def _dataset(root: Path, **files: str) -> Path:
    folder = root / FEDERATION
    folder.mkdir(parents=True)
    names = {"activity": "activity.csv", "list_sizes": "list_sizes.csv", "practices": "practices.csv"}
    for key, text in files.items():
        (folder / names.get(key, f"{key}.csv")).write_text(text, encoding="utf-8")
    descriptor = {key: names.get(key, f"{key}.csv") for key in files}
    (folder / "dataset.json").write_text(json.dumps(descriptor), encoding="utf-8")
    return folder


PRACTICES = """practice_code,name,postcode,latitude,longitude
P10001,Moor Lane Surgery,LS1 1AA,53.80,-1.55
P10002,Hill Top Practice,LS6 2BB,53.82,-1.58
P10003,Riverside Health Centre,,,
"""
POSTCODES = "postcode,latitude,longitude\nLS1 1AA,53.80,-1.55\n"
ACTIVITY = """practice_code,service_line,pod,month,activity,cost
P10001,ecg,OPPROC,2024-01,30,1500.00
P10001,ecg,OPPROC,2024-02,20,1000.00
P10002,ecg,OPPROC,2024-02,5,250.00
P10002,ecg,HUB,2024-02,7,140.00
P10003,spirometry,OPPROC,2024-02,9,450.00
"""


def test_sites_demand_and_window_come_from_the_folder(tmp_path: Path) -> None:
    _dataset(tmp_path, practices=PRACTICES, activity=ACTIVITY)
    data = FolderPracticeData(tmp_path)
    sites = {site.code: site for site in data.sites(FEDERATION.lower())}
    assert set(sites) == {"P10001", "P10002", "P10003"}
    assert sites["P10001"].point is not None and sites["P10003"].point is None
    demand = data.demand(FEDERATION, "ECG")
    assert demand is not None and demand.months == ("2024-01", "2024-02")
    assert demand.items["P10001"] == 50 and demand.items["P10002"] == 12  # summed over points of delivery
    assert data.demand(FEDERATION, "dermatology") is None


def test_an_unknown_federation_or_an_absent_key_is_nothing_known(tmp_path: Path) -> None:
    _dataset(tmp_path, activity=ACTIVITY)  # no practices named
    data = FolderPracticeData(tmp_path)
    assert data.sites(FEDERATION) == () and data.sites("Y99999") == () and data.sites("../../etc") == ()
    assert data.demand("Y99999", "ecg") is None
    assert data.patient_counts(FEDERATION, date(2024, 1, 1)) == ()


def test_a_named_file_that_is_missing_or_malformed_is_refused_with_its_path(tmp_path: Path) -> None:
    folder = _dataset(tmp_path, practices="practice_code,latitude,longitude\nP10001,north,-1.5\n")
    with pytest.raises(InvalidInputError) as refused:
        FolderPracticeData(tmp_path).sites(FEDERATION)
    assert "practices.csv" in str(refused.value) and "latitude" in str(refused.value)
    (folder / "dataset.json").write_text(json.dumps({"practices": "gone.csv"}), encoding="utf-8")
    with pytest.raises(InvalidInputError, match=r"gone\.csv: the dataset names this file but it is not there"):
        FolderPracticeData(tmp_path).sites(FEDERATION)


def test_postcodes_place_practices_without_coordinates(tmp_path: Path) -> None:
    practices = "practice_code,name,postcode\nP10001,Moor Lane Surgery,LS1 1AA\n"
    _dataset(tmp_path, practices=practices, postcodes=POSTCODES)
    (site,) = FolderPracticeData(tmp_path).sites(FEDERATION)
    assert site.point is not None and site.point.lat == pytest.approx(53.80)


def test_a_changed_file_is_read_again(tmp_path: Path) -> None:
    folder = _dataset(tmp_path, practices=PRACTICES)
    data = FolderPracticeData(tmp_path)
    assert len(data.sites(FEDERATION)) == 3
    (folder / "practices.csv").write_text(PRACTICES + "P10004,New Surgery,,53.9,-1.6\n", encoding="utf-8")
    assert len(data.sites(FEDERATION)) == 4


def test_the_demo_dataset_gives_the_demo_generators_practices_and_list_sizes(tmp_path: Path) -> None:
    federation = generate_federation(DemoParameters())
    write_demo_dataset(federation, tmp_path, FEDERATION_ODS)
    folder, demo = FolderPracticeData(tmp_path), DemoPracticeData()
    assert {s.code for s in folder.sites(FEDERATION_ODS)} == {s.code for s in demo.sites(FEDERATION_ODS)}
    on = federation.months[3]
    counts = {c.practice_code: c.patients for c in folder.patient_counts(FEDERATION_ODS, on)}
    assert counts == {c.practice_code: c.patients for c in demo.patient_counts(FEDERATION_ODS, on)}
    demand = folder.demand(FEDERATION_ODS, "anticoag")
    assert demand is not None and len(demand.months) == 12 and demand.total > 0


def test_the_chain_asks_each_source_in_turn(tmp_path: Path) -> None:
    _dataset(tmp_path, practices=PRACTICES, activity=ACTIVITY)
    chain = ChainedPracticeData(DemoPracticeData(), FolderPracticeData(tmp_path))
    assert len(chain.sites(FEDERATION_ODS)) == 30  # the demo generator knows its own federation
    assert len(chain.sites(FEDERATION)) == 3  # the folder knows this one
    assert chain.demand(FEDERATION, "ecg") is not None and chain.demand("Y99999", "ecg") is None


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, int, Path]]:
    folder: Path = tmp_path_factory.mktemp("folder-hubs")
    workspace = build_workspace(f"sqlite:///{folder / 'workspace.db'}", folder)
    seeded = seed_demo(workspace, password="a demo password for tests")
    yield workspace, seeded.agreement_id, folder
    workspace.close()


def test_hub_design_runs_on_a_federations_folder_alone(demo: tuple[Workspace, int, Path]) -> None:
    workspace, agreement_id, folder = demo
    designer = HubDesignService(workspace.service, FolderPracticeData(folder / "discover"))
    found = workspace.service.find_user(Actor.system(), "manager@northvale-fed.example")
    assert found is not None
    manager = Actor.user(found[0].id)
    options = designer.options(manager, agreement_id)
    assert options.available and len(options.practices) == 30
    design = designer.design(manager, agreement_id, HubDesignRequest("anticoag", 3, per_session=12))
    assert design.report.plan is not None and len(design.report.plan.hubs) == 3
    assert design.report.flows is not None and design.report.flows.total_items == design.demand.total > 0
