"""Geo loaders (good and bad input), the hub service's referral flows, and the `gainshare hubs` command."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gainshare.adapters.geo.demand import load_demand
from gainshare.adapters.geo.postcodes import load_postcode_coordinates
from gainshare.adapters.geo.sites import load_candidate_sites, load_practice_sites
from gainshare.adapters.geo.travel import load_travel_matrix
from gainshare.domain.errors import InvalidInputError
from gainshare.domain.hubs import Capacity
from gainshare.domain.money import Money
from gainshare.engines.referrals import monthly_statements
from gainshare.interfaces.cli.main import app
from gainshare.services.hubs import HubInputs, HubRequest, HubService

PRACTICES = [  # code, postcode, lat, lon
    ("A81001", "LA1 1AA", 54.047, -2.801),
    ("A81002", "LA1 2BB", 54.060, -2.790),
    ("A81003", "LA2 3CC", 54.130, -2.770),
    ("A81004", "FY1 4DD", 53.817, -3.050),
    ("A81005", "FY2 5EE", 53.840, -3.030),
    ("A81006", "PR1 6FF", 53.760, -2.700),
]
DEMAND = {"A81001": 40, "A81002": 25, "A81003": 10, "A81004": 30, "A81005": 20, "A81006": 15}


def write(path: Path, text: str) -> Path:
    path.write_text(text.strip() + "\n", encoding="utf-8")
    return path


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    rows = "\n".join(f"{c},Practice {c},{pc},,".rstrip() for c, pc, _, _ in PRACTICES)
    practices = write(tmp_path / "practices.csv", "practice_code,name,postcode,latitude,longitude\n" + rows)
    postcodes = write(
        tmp_path / "postcodes.csv", "postcode,lat,lon\n" + "\n".join(f"{pc},{la},{lo}" for _, pc, la, lo in PRACTICES)
    )
    lines = ["practice_code,service_line,pod,month,activity"]
    for code, items in DEMAND.items():
        lines += [f"{code},anticoag,OPFUP,2025-0{m},{items // 2 + (m == 2) * (items % 2)}" for m in (1, 2)]
        lines.append(f"{code},dermatology,OPFA,2025-01,5")
    demand = write(tmp_path / "activity.csv", "\n".join(lines))
    return {"practices": practices, "postcodes": postcodes, "demand": demand, "dir": tmp_path}


def inputs(files: dict[str, Path], **kwargs: object) -> HubInputs:
    lookup = load_postcode_coordinates(files["postcodes"])
    sites = load_practice_sites(files["practices"], lookup)
    demand = load_demand(files["demand"], "anticoag", {s.code for s in sites})
    return HubInputs(practices=sites, demand=demand, **kwargs)  # type: ignore[arg-type]


def test_plain_and_onspd_postcode_files(tmp_path: Path) -> None:
    plain = load_postcode_coordinates(write(tmp_path / "p.csv", "Postcode,Latitude,Longitude\nls1 4ap,53.79,-1.55"))
    assert plain["LS14AP"].lat == pytest.approx(53.79)
    onspd = write(
        tmp_path / "onspd.csv",
        """pcd,pcd2,pcds,dointr,doterm,oseast1m,osnrth1m,lat,long
"LS1 4AP","LS1  4AP","LS1 4AP","198001","","429800","433500",53.796,-1.548
"LS1 4AP","LS1  4AP","LS1 4AP","198001","200912","429800","433500",50.000,-1.000
"ZZ9 9ZZ","ZZ9  9ZZ","ZZ9 9ZZ","198001","","","",99.999999,0.000000
"LS2 7UE","LS2  7UE","LS2 7UE","198001","201001","429000","434500",53.806,-1.555""",
    )
    points = load_postcode_coordinates(onspd, wanted={"ls1 4ap", "ZZ9 9ZZ", "LS2 7UE"})
    assert points["LS14AP"].lat == pytest.approx(53.796)  # the live entry wins over the terminated one
    assert "ZZ99ZZ" not in points  # no grid reference
    assert points["LS27UE"].lon == pytest.approx(-1.555)  # terminated, but the only entry: kept


def test_bad_postcode_file_names_rows_and_columns(tmp_path: Path) -> None:
    bad = write(tmp_path / "p.csv", "postcode,lat,lon\nLS1 4AP,north,-1.5\nLS2 7UE,95,-1.5\n,53,-1")
    with pytest.raises(InvalidInputError) as error:
        load_postcode_coordinates(bad)
    rendered = [issue.render() for issue in error.value.issues]
    assert any("row 2" in r and "'lat'" in r and "not a number" in r for r in rendered)
    assert any("row 3" in r and "outside -90 to 90" in r for r in rendered)
    assert any("row 4" in r and "postcode" in r for r in rendered)
    with pytest.raises(InvalidInputError, match="no lon column"):
        load_postcode_coordinates(write(tmp_path / "q.csv", "postcode,lat\nLS1 4AP,53"))


def test_sites_need_both_coordinates_and_unique_codes(tmp_path: Path) -> None:
    bad = write(tmp_path / "s.csv", "practice_code,latitude,longitude\nA81001,54.0,\nA81001,54,-2")
    with pytest.raises(InvalidInputError) as error:
        load_practice_sites(bad)
    rendered = " | ".join(issue.render() for issue in error.value.issues)
    assert "row 2, column 'longitude'" in rendered and "both latitude and longitude" in rendered
    assert "row 3" in rendered and "listed again" in rendered
    with pytest.raises(InvalidInputError, match=r"row 3, column 'practice_code'.*not a site or practice code"):
        load_practice_sites(write(tmp_path / "t.csv", "practice_code\nA81001\nbad code!"))


def test_candidates_take_practice_locations_and_capacity(tmp_path: Path, files: dict[str, Path]) -> None:
    practices = {
        s.code: s for s in load_practice_sites(files["practices"], load_postcode_coordinates(files["postcodes"]))
    }
    candidates = write(
        tmp_path / "c.csv",
        "site_code,name,latitude,longitude,capacity_per_session,sessions_per_month\n"
        "A81001,Surgery,,,12,8\nCH1,Community hospital,53.9,-2.9,20,\n",
    )
    sites = load_candidate_sites(candidates, practices)
    assert sites[0].point == practices["A81001"].point
    assert sites[0].capacity == Capacity(12, 8)
    assert sites[1].capacity == Capacity(20, None)
    with pytest.raises(InvalidInputError, match="is less than 1"):
        load_candidate_sites(write(tmp_path / "d.csv", "site_code,capacity_per_session\nX1,0"), practices)


def test_travel_matrix_loads_and_refuses_bad_rows(tmp_path: Path) -> None:
    matrix = load_travel_matrix(write(tmp_path / "t.csv", "origin,destination,minutes\nA1,H1,12.5\nA2,H1,7\nA1,H2,3"))
    assert matrix.get("A1", "H1") == pytest.approx(12.5)
    assert matrix.get("A2", "H2") is None  # not listed: cannot be travelled
    with pytest.raises(InvalidInputError) as error:
        load_travel_matrix(write(tmp_path / "u.csv", "origin,destination,minutes\nA1,H1,-4\nA1,H1,5\nA1,H2,soon"))
    rendered = " | ".join(issue.render() for issue in error.value.issues)
    assert "row 2" in rendered and "outside 0 to 1440" in rendered
    assert "row 4" in rendered and "not a number" in rendered


def test_demand_window_and_bad_input(tmp_path: Path, files: dict[str, Path]) -> None:
    demand = load_demand(files["demand"], "Anticoag")
    assert demand.months == ("2025-01", "2025-02")
    assert demand.items == DEMAND
    assert load_demand(files["demand"], "anticoag", first=None, last=None).total == sum(DEMAND.values())
    with pytest.raises(InvalidInputError, match="no rows for service line 'cardiology'"):
        load_demand(files["demand"], "cardiology")
    with pytest.raises(InvalidInputError, match="not in the practice list"):
        load_demand(files["demand"], "anticoag", {"A81001"})
    bad = write(
        tmp_path / "b.csv",
        "practice_code,service_line,month,activity\nA81001,anticoag,April,3\nA81002,anticoag,2025-04,-1",
    )
    with pytest.raises(InvalidInputError) as error:
        load_demand(bad, "anticoag")
    rendered = " | ".join(issue.render() for issue in error.value.issues)
    assert "row 2" in rendered and "'April' is not a month" in rendered
    assert "row 3" in rendered and "negative" in rendered


def test_referral_flows_add_up_to_demand_in_items_and_money(files: dict[str, Path]) -> None:
    price = Money.parse("21.37")
    report = HubService().plan(inputs(files, price=price, capacity=Capacity(5)), HubRequest(hubs=2))
    assert report.plan is not None and report.flows is not None
    flows = report.flows
    assert flows.total_items == sum(DEMAND.values())
    assert flows.total_amount == Money(sum(DEMAND.values()) * price.pence)
    internal = sum(f.items for f in flows if f.internal)
    assert flows.inter_practice_amount == Money((sum(DEMAND.values()) - internal) * price.pence)
    for code, items in DEMAND.items():
        assert sum(flows.items(code, hub) for hub in report.plan.hubs) == items
    (netting,) = monthly_statements(list(flows.referral_items("2025-02")))
    assert netting.total_net() == Money(0)
    assert sum((s.amount_out for s in netting.statements), Money(0)) == flows.inter_practice_amount
    received = sum((flows.received_by(h) for h in report.plan.hubs), Money(0))
    assert received == flows.inter_practice_amount
    for load in report.plan.loads:
        assert load.sessions_needed == -(-load.items // (5 * 2))  # two months of demand, 5 items a session


def test_service_respects_max_travel_and_names_unreachable(files: dict[str, Path]) -> None:
    service = HubService()
    report = service.plan(inputs(files), HubRequest(hubs=2, max_travel=35.0, curve_to=4))
    assert report.plan is not None and report.plan.worst_travel <= 35.0
    assert [point.hubs for point in report.curve] == [1, 2, 3, 4]
    assert report.curve[0].average_travel is None  # one hub cannot keep everyone within 35 km
    with pytest.raises(InvalidInputError, match="no layout meets every constraint"):
        service.plan(inputs(files), HubRequest(hubs=1, max_travel=35.0))


def test_cli_prints_tables_json_and_writes_maps(files: dict[str, Path]) -> None:
    out = files["dir"]
    args = [
        "hubs", str(files["practices"]), str(files["demand"]), "--service", "anticoag", "--postcodes",
        str(files["postcodes"]), "--hubs", "2", "--pin", "A81006", "--capacity", "5x10", "--price", "21.50",
        "--curve", "1..3", "--map", str(out / "map.html"), "--png", str(out / "map.png"),
    ]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Practices and their hubs" in result.output and "Hubs against travel" in result.output
    page = (out / "map.html").read_text(encoding="utf-8")
    assert re.findall(r"(?:src|href)=\"https?://", page) == []  # nothing fetched from the network
    assert page.count('class="hub"') == 2
    assert (out / "map.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    data = json.loads(CliRunner().invoke(app, [*args[:11], "--price", "21.50", "--json"]).output)
    assert "A81006" in data["plan"]["hubs"]
    assert sum(cell["items"] for cell in data["flows"]["cells"]) == sum(DEMAND.values())


def test_cli_reports_bad_input_with_exit_code_one(files: dict[str, Path]) -> None:
    args = ["hubs", str(files["practices"]), str(files["demand"]), "--service", "anticoag", "--hubs", "2"]
    result = CliRunner().invoke(app, args)  # no postcode file: the practices cannot be placed
    assert result.exit_code == 1
    assert "no coordinates" in result.output
    result = CliRunner().invoke(app, [*args, "--postcodes", str(files["postcodes"]), "--pin", "NOPE"])
    assert result.exit_code == 1 and "NOPE is not a candidate site" in result.output
