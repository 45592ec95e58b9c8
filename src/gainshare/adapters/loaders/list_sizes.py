"""NHS Digital 'Patients Registered at a GP Practice': practice totals and quinary age/sex bands.

Both header generations are recognised: CCG_CODE / ONS_CCG_CODE (to mid-2022) and SUB_ICB_LOCATION_CODE /
ICB_CODE (after); practice code as CODE, ORG_CODE or PRACTICE_CODE; age as AGE or AGE_GROUP_5. Where the file has
a TYPE or ORG_TYPE column, only its GP rows are read (quinary files also hold sub-ICB, ICB, region and national
rows). Rows with SEX ALL and AGE ALL are list sizes; rows with SEX MALE or FEMALE and an age band are age/sex
bands; part totals (a sex with AGE ALL, or SEX ALL with a band) add nothing and are skipped.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from gainshare.adapters.loaders._columns import as_text, by_distinct_value, codes, whole_numbers
from gainshare.adapters.loaders._csv import TextTable, read_csv_text
from gainshare.adapters.loaders._headers import Recognise, match_columns, require_columns
from gainshare.adapters.loaders._problems import Problems, Rows
from gainshare.domain.population import AgeBand, AgeSexBand, ListSize, RegisteredPatients, Sex

RECOGNISED: dict[str, Recognise] = {
    "practice_code": ("code", "org_code", "practice_code"),
    "extract_date": ("extract_date",),
    "sex": ("sex",),
    "age": ("age", "age_group_5", "age_band"),
    "patients": ("number_of_patients",),
    "commissioner_code": ("sub_icb_location_code", "sub_icb_code", "ccg_code"),
    "org_type": ("type", "org_type"),
}
REQUIRED = ("practice_code", "extract_date", "sex", "age", "patients")
_SEXES = ("ALL", "MALE", "FEMALE")
_DATE_FORMATS = ("%d%b%Y", "%Y-%m-%d", "%d/%m/%Y", "%d-%b-%Y", "%d-%b-%y")


def load_registered_patients(path: Path) -> RegisteredPatients:
    """List sizes and age/sex bands from one file, or InvalidInputError naming each bad row and column."""
    text = read_csv_text(path)
    problems = text.problems()
    found = match_columns(text.header, RECOGNISED)
    require_columns(found, RECOGNISED, REQUIRED, problems)
    problems.raise_if_any()
    found_names = {ours: text.header[index] for ours, index in found.items()}
    table, problems = _practice_rows(text, found_names.get("org_type"))
    practice = codes(
        table.column(found_names["practice_code"]),
        found_names["practice_code"],
        problems,
        r"^[A-Z0-9]{3,8}$",
        "an ODS practice code (like A81001)",
    )
    extract = by_distinct_value(
        table.column(found_names["extract_date"]),
        found_names["extract_date"],
        problems,
        _extract_date,
        "a date like 01JAN2021",
    )
    sex = codes(
        table.column(found_names["sex"]), found_names["sex"], problems, "^(ALL|MALE|FEMALE)$", "ALL, MALE or FEMALE"
    )
    age = pc.utf8_upper(as_text(table.column(found_names["age"])))
    bands = _age_bands(age, found_names["age"], problems)
    patients = whole_numbers(table.column(found_names["patients"]), found_names["patients"], problems)
    commissioner = (
        as_text(table.column(found_names["commissioner_code"])) if "commissioner_code" in found_names else None
    )
    problems.raise_if_any()
    rows = zip(
        practice.to_pylist(),
        extract.to_pylist(),
        sex.to_pylist(),
        age.to_pylist(),
        patients.to_pylist(),
        commissioner.to_pylist() if commissioner is not None else [""] * table.num_rows,
        strict=True,
    )
    return _build(rows, bands, problems, str(path))


def _practice_rows(text: TextTable, org_type: str | None) -> tuple[pa.Table, Problems]:
    """Quinary files also hold sub-ICB, ICB, region and national rows (ORG_TYPE); only GP rows are practices."""
    if org_type is None:
        return text.table, text.problems()
    is_gp = pc.equal(pc.utf8_upper(as_text(text.table.column(org_type))), "GP")
    indices = pc.indices_nonzero(is_gp).to_pylist()
    if len(indices) == text.table.num_rows:
        return text.table, text.problems()
    rows = Rows(explicit=tuple(text.rows.number(index) for index in indices))
    return text.table.filter(is_gp), Problems(text.name, rows)


def load_registered_patients_files(paths: Iterable[Path]) -> RegisteredPatients:
    """Several months (or a totals file and a quinary file) as one; each file is checked whole first."""
    parts = [load_registered_patients(path) for path in paths]
    return RegisteredPatients(
        tuple(item for part in parts for item in part.list_sizes),
        tuple(item for part in parts for item in part.bands),
        ", ".join(part.source for part in parts),
    )


def _extract_date(text: str) -> date:
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def _age_bands(age: pa.ChunkedArray, column: str, problems: Problems) -> dict[str, AgeBand | None]:
    parsed: dict[str, AgeBand | None] = {}
    bad: list[str] = []
    for value in pc.unique(age).to_pylist():
        if value == "ALL":
            parsed[value] = None
            continue
        try:
            parsed[value] = AgeBand.parse(value)
        except ValueError:
            bad.append(value)
    mask = pc.is_in(age, value_set=pa.array(bad, pa.string()))
    problems.add_rows("value.age", column, mask, age, lambda v: f"{v!r} is not ALL or an age band like 0_4 or 95+")
    return parsed


def _build(
    rows: Iterable[tuple[str, date, str, str, int, str]],
    bands: dict[str, AgeBand | None],
    problems: Problems,
    source: str,
) -> RegisteredPatients:
    totals: list[ListSize] = []
    by_band: list[AgeSexBand] = []
    seen: dict[tuple[str, date, str, str], int] = {}
    for index, (code, day, sex, age, patients, commissioner) in enumerate(rows):
        key = (code, day, sex, age)
        if key in seen:
            problems.add(
                "value.duplicate",
                f"{code} {sex} {age} on {day} appears twice (first at row {problems.rows.number(seen[key])})",
                row=problems.rows.number(index),
            )
            continue
        seen[key] = index
        band = bands[age]
        if sex == "ALL" and band is None:
            totals.append(ListSize(code, day, patients, commissioner))
        elif sex != "ALL" and band is not None:
            by_band.append(AgeSexBand(code, day, Sex(sex.lower()), band, patients))
    problems.raise_if_any()
    return RegisteredPatients(tuple(totals), tuple(by_band), source)
