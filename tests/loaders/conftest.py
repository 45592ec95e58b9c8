"""Fixture files in the published formats, made by the tests (never the real downloads)."""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from pathlib import Path

import openpyxl
import pytest

from gainshare.domain.errors import InvalidInputError
from gainshare.domain.issues import Issue

EPRACCUR_ROWS = [
    ["A81001", "THE DENSHAM SURGERY", "Y63", "QHM", "THE HEALTH CENTRE", "LAWSON STREET", "STOCKTON ON TEES",
     "CLEVELAND", "", "TS18 1HU", "19740401", "", "A", "B", "16C", "20200401", "", "01642 672351", "", "", "", "0",
     "", "16C", "", "4", ""],
    ["A81003", "VICTORIA MEDICAL PRACTICE", "Y54", "Q74", "THE HEALTH CENTRE", "VICTORIA ROAD", "HARTLEPOOL",
     "CLEVELAND", "", "TS26 8DB", "19740401", "20171031", "C", "B", "00K", "20130401", "20171031", "01429 272945",
     "", "", "", "0", "", "00K", "", "4", ""],
    ["P92001", "WIGAN PRACTICE", "Y62", "QOP", "1 MARKET STREET", "", "", "", "", "WN1 1AA", "19740401", "", "A", "B",
     "02H", "20130401", "", "01942 000000", "", "", "", "0", "", "02H", "", "4", ""],
]  # fmt: skip

TOTALS_HEADER = ["PUBLICATION", "EXTRACT_DATE", "TYPE", "CCG_CODE", "ONS_CCG_CODE", "CODE", "POSTCODE", "SEX", "AGE",
                 "NUMBER_OF_PATIENTS"]  # fmt: skip
TOTALS_ROWS = [
    ["GP_PRAC_PAT_LIST", "01JAN2021", "GP", "16C", "E38000247", "A81001", "TS18 1HU", "ALL", "ALL", "7412"],
    ["GP_PRAC_PAT_LIST", "01JAN2021", "GP", "02H", "E38000205", "P92001", "WN1 1AA", "ALL", "ALL", "9120"],
]
QUINARY_HEADER = ["PUBLICATION", "EXTRACT_DATE", "ORG_TYPE", "ORG_CODE", "ONS_CODE", "SUB_ICB_LOCATION_CODE",
                  "POSTCODE", "SEX", "AGE_GROUP_5", "NUMBER_OF_PATIENTS"]  # fmt: skip


def quinary_rows() -> list[list[str]]:
    rows = [["GP_PRAC_PAT_LIST", "01APR2024", "SUB_ICB_LOCATION", "02H", "E38000205", "", "", "ALL", "ALL", "330000"]]
    bands = [f"{lower}_{lower + 4}" for lower in range(0, 95, 5)] + ["95+"]
    for code in ("A81001", "P92001"):
        for sex in ("MALE", "FEMALE"):
            rows += [
                ["GP_PRAC_PAT_LIST", "01APR2024", "GP", code, "", "02H", "WN1 1AA", sex, band, "100"] for band in bands
            ]
        rows.append(["GP_PRAC_PAT_LIST", "01APR2024", "GP", code, "", "02H", "WN1 1AA", "ALL", "ALL", "4000"])
    return rows


ACTIVITY_HEADER = ["practice_code", "service_line", "pod", "month", "activity", "cost"]
ACTIVITY_ROWS = [
    ["A81001", "dermatology", "OPFA", "2024-04", "12", "1920.00"],
    ["A81001", "dermatology", "OPFUP", "2024-04", "30", "2610.5"],
    ["P92001", "dermatology", "OPFA", "2024-05", "0", "0"],
]
EPISODE_HEADER = ["patient_id", "practice_code", "date", "hrg", "treatment_function", "service_line", "cost"]
EPISODE_ROWS = [
    ["p-0001", "A81001", "2024-04-03", "", "330", "dermatology", "160.00"],
    ["p-0002", "A81001", "2024-04-17", "JC42B", "330", "dermatology", "145.50"],
    ["p-0001", "P92001", "17/05/2024", "", "330", "dermatology", "87"],
]


def write_csv(path: Path, rows: Sequence[Sequence[object]], header: Sequence[str] | None = None) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL if header is None else csv.QUOTE_MINIMAL)
        if header is not None:
            writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, sheets: dict[str, Sequence[Sequence[object]]]) -> Path:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
    workbook.save(path)
    return path


def nhs_numbers(count: int) -> list[str]:
    """Valid NHS numbers by the Modulus 11 rule (weights 10..2; remainder 11 -> 0; 10 -> invalid, skipped)."""
    numbers: list[str] = []
    stem = 400_000_000
    while len(numbers) < count:
        digits = [int(d) for d in str(stem)]
        check = 11 - sum(d * w for d, w in zip(digits, range(10, 1, -1), strict=True)) % 11
        if check == 11:
            check = 0
        if check != 10:
            numbers.append(f"{stem}{check}")
        stem += 7919
    return numbers


def issues_of(call: Callable[[], object]) -> list[Issue]:
    with pytest.raises(InvalidInputError) as raised:
        call()
    return raised.value.issues


def rendered(issues: list[Issue]) -> str:
    return "\n".join(issue.render() for issue in issues)


@pytest.fixture
def epraccur_file(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "epraccur.csv", EPRACCUR_ROWS)


@pytest.fixture
def totals_file(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "gp-reg-pat-prac-all.csv", TOTALS_ROWS, TOTALS_HEADER)


@pytest.fixture
def quinary_file(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "gp-reg-pat-prac-quin-age.csv", quinary_rows(), QUINARY_HEADER)


@pytest.fixture
def activity_csv(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "activity.csv", ACTIVITY_ROWS, ACTIVITY_HEADER)


@pytest.fixture
def episodes_csv(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "episodes.csv", EPISODE_ROWS, EPISODE_HEADER)


def prices_sheets() -> dict[str, list[list[object]]]:
    """An NHSPS-like workbook: a cover sheet, then tables under title rows, prices as numbers or '-'."""
    return {
        "Cover": [["2025/26 NHS Payment Scheme"], ["Annex A: prices workbook"]],
        "1. OP attendances": [
            ["Outpatient attendance prices 2025/26"],
            ["All prices in £, before MFF"],
            [],
            [
                "TFC",
                "TFC name",
                "First attendance - single professional",
                "First attendance - multi-professional",
                "Follow-up attendance - single professional",
                "Follow-up attendance - multi-professional",
            ],
            [100, "General Surgery", 166, 201.5, 104, "-"],
            [330, "Dermatology", 160.0, 194, 87.25, 120],
            [],
            ["Note: prices exclude the market forces factor"],
        ],
        "2. OP procedures": [
            ["Outpatient procedure prices"],
            ["HRG code", "HRG name", "Outpatient procedure tariff (£)"],
            ["JC42B", "Intermediate Skin Procedures, 19 years and over", 145.5],
            ["FE21Z", "Diagnostic Colonoscopy", "-"],
            ["WF01A", "Not a procedure", None],
        ],
    }


@pytest.fixture
def prices_xlsx(tmp_path: Path) -> Path:
    return write_xlsx(tmp_path / "prices.xlsx", prices_sheets())
