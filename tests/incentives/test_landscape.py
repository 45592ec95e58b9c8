"""The 2015 survey dataset: counts as the article gives them, every name resolves to real, well-formed codes."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest

from gainshare.adapters.landscape import load_landscape, normalise, resolve, select
from gainshare.domain.errors import NotFoundError
from gainshare.domain.incentives import SurveyStatus

SEED_NAMES = {
    SurveyStatus.PLANNING: """Sunderland|North Durham|Durham Dales, Easington and Sedgefield|East Lancashire|
        Greater Preston|Chorley and South Ribble|Bradford City|Bradford Districts|Rotherham|Halton|Wigan Borough|
        Birmingham CrossCity|Sandwell and West Birmingham|
        Rushcliffe|Southern Derbyshire|East Leicestershire and Rutland|Leicester City|
        West Leicestershire|Fareham and Gosport|South Eastern Hampshire|Portsmouth|Eastbourne, Hailsham and Seaford""",
    SurveyStatus.NOT_PLANNING: """Blackpool|Fylde and Wyre|Calderdale|Scarborough and Ryedale|Vale of York|St Helens|
        Liverpool|Knowsley|South Warwickshire|Dudley|Birmingham South and Central|Telford and Wrekin|Shropshire|
        North Derbyshire|Newark and Sherwood|Nottingham North and East|Nottingham West|Nottingham City|
        South West Lincolnshire|South Lincolnshire|Tower Hamlets|High Weald Lewes Havens|Oldham""",
    SurveyStatus.FEDERATED: """Blackburn with Darwin|Harrogate and Rural Districts|Wakefield|Barnsley|
        South Worchestershire|Hardwick|Mansfield and Ashfield|Erewash|Castle Point and Rochford|Waltham Forest|
        Redbridge|Barking and Dagenham|Havering|West Hampshire|Gloucestershire""",
}
CCG_CODE = re.compile(r"^[0-9]{2}[A-Z]$|^1[35][A-Z]$")
SUB_ICB_CODE = re.compile(r"^[0-9]{2}[A-Z]$|^[A-Z][0-9][A-Z][0-9][A-Z]$")
ICB_CODE = re.compile(r"^Q[A-Z0-9]{2}$")
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "nhs-practices"


def names(status: SurveyStatus) -> list[str]:
    return [name.strip() for name in SEED_NAMES[status].split("|")]


def test_counts_match_the_survey() -> None:
    entries = load_landscape()
    counts = Counter(entry.status for entry in entries)
    assert counts == {SurveyStatus.PLANNING: 22, SurveyStatus.NOT_PLANNING: 23, SurveyStatus.FEDERATED: 15}
    assert len(entries) == 60  # of 63 asked: 60 responded
    assert [len(names(status)) for status in SurveyStatus] == [22, 23, 15]
    assert {entry.survey_name for entry in entries if entry.mcp_vanguard} == {
        "Rushcliffe",
        "Fareham and Gosport",
        "South Eastern Hampshire",
    }


@pytest.mark.parametrize("status", list(SurveyStatus))
def test_every_name_in_the_article_resolves_with_its_status_and_codes(status: SurveyStatus) -> None:
    entries = load_landscape()
    for name in names(status):
        entry = resolve(name, entries)
        assert entry.status is status, name
        assert CCG_CODE.match(entry.ccg_code), name
        assert SUB_ICB_CODE.match(entry.sub_icb_code), name
        assert ICB_CODE.match(entry.icb_code), name
        assert entry.sub_icb_name.endswith(f" ICB - {entry.sub_icb_code}"), name
        assert entry.icb_name.startswith("NHS ") and entry.icb_name.endswith(" Integrated Care Board"), name
        assert entry.successor_chain.endswith(f"{entry.sub_icb_code} {entry.sub_icb_name}"), name


def test_codes_are_unique_and_known_examples_are_right() -> None:
    entries = load_landscape()
    assert len({entry.ccg_code for entry in entries}) == len(entries)
    assert resolve("Wigan Borough", entries).ccg_code == "02H"
    elr = resolve("NHS East Leicestershire and Rutland CCG", entries)
    assert (elr.ccg_code, elr.sub_icb_code, elr.icb_code) == ("03W", "03W", "QK1")
    durham = resolve("North Durham", entries)
    assert (durham.ccg_code, durham.sub_icb_code, durham.icb_code) == ("00J", "84H", "QHM")
    assert "84H NHS County Durham CCG" in durham.successor_chain
    preston = resolve("Greater Preston", entries)
    assert (preston.icb_code, preston.icb_name) == ("QE1", "NHS Lancashire and South Cumbria Integrated Care Board")


def test_misspellings_resolve_through_documented_aliases() -> None:
    entries = load_landscape()
    assert resolve("South Worcestershire", entries) is resolve("South Worchestershire", entries)
    assert resolve("South Worchestershire", entries).ccg_code == "05T"
    assert resolve("NHS Blackburn with Darwen CCG", entries).survey_name == "Blackburn with Darwin"
    assert normalise("NHS Eastbourne, Hailsham & Seaford CCG") == "eastbourne hailsham and seaford"
    with pytest.raises(NotFoundError):
        resolve("Narnia", entries)


def test_selection_by_status_and_icb() -> None:
    entries = load_landscape()
    assert {entry.survey_name for entry in select(entries, SurveyStatus.PLANNING, "QK1")} == {
        "East Leicestershire and Rutland",
        "Leicester City",
        "West Leicestershire",
    }
    assert len(select(entries, icb_code="qt1")) == 6


@pytest.mark.skipif(not (SHARED / "epraccur.csv").exists(), reason="the real NHS files are not here")
def test_codes_agree_with_the_real_practice_lists() -> None:
    """The January 2021 list gives each practice's CCG; the 2024 ODS list its sub-ICB location and ICB."""
    ods = {row[0]: (row[14], row[3]) for row in csv.reader((SHARED / "epraccur.csv").open(encoding="utf-8"))}
    by_ccg: dict[str, Counter[tuple[str, str]]] = {}
    with (SHARED / "gp-reg-pat-prac-all-2021-01.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["CODE"] in ods:
                by_ccg.setdefault(row["CCG_CODE"], Counter())[ods[row["CODE"]]] += 1
    for entry in load_landscape():
        chain_codes = [step.split()[1] for step in entry.successor_chain.split(" > ")]
        in_2021 = entry.ccg_code if entry.ccg_code in by_ccg else chain_codes[0]
        assert in_2021 in by_ccg, entry.survey_name
        (sub_icb, icb), _ = by_ccg[in_2021].most_common(1)[0]
        assert (sub_icb, icb) == (entry.sub_icb_code, entry.icb_code), entry.survey_name
