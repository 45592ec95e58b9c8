"""Discover's inputs from files: aggregated activity rows (through the activity loader), and registered patients by
age/sex band from either file shape:

- NHS Digital 'Patients Registered at a GP Practice' (read by gainshare.adapters.loaders.list_sizes), or
- a simple CSV of practice_code, month (or extract_date), sex (F/M or FEMALE/MALE), age_band (0-4 ... 95+),
  patients: the shape `gainshare demo generate` writes to list_sizes.csv.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from gainshare.adapters.loaders.activity import load_activity
from gainshare.adapters.loaders.list_sizes import load_registered_patients
from gainshare.domain.errors import InvalidInputError
from gainshare.domain.issues import Issue, Source
from gainshare.domain.population import AgeBand, AgeSexBand, RegisteredPatients, Sex
from gainshare.domain.variation import ActivityRow

SIMPLE_COLUMNS = ("practice_code", "sex", "age_band", "patients")
_DATE_COLUMNS = ("month", "extract_date")
_SEXES = {"F": Sex.FEMALE, "FEMALE": Sex.FEMALE, "M": Sex.MALE, "MALE": Sex.MALE}
MAX_PROBLEMS = 50


def load_activity_rows(path: Path) -> tuple[ActivityRow, ...]:
    """Aggregated activity (practice_code, service_line, pod, month, activity, cost) as Discover's rows."""
    return tuple(
        ActivityRow(
            row["practice_code"], row["service_line"], row["pod"], row["month"], row["activity"], row["cost_pence"]
        )
        for row in load_activity(path).to_pylist()
    )


def load_patients(path: Path) -> RegisteredPatients:
    """Bands from the simple CSV when its header is that shape, else through the NHS list-size loader."""
    header = _header(path)
    if (
        header is not None
        and all(name in header for name in SIMPLE_COLUMNS)
        and any(d in header for d in _DATE_COLUMNS)
    ):
        return load_simple_bands(path)
    return load_registered_patients(path)


def _header(path: Path) -> list[str] | None:
    if path.suffix.lower() != ".csv":
        return None
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            first = next(csv.reader(handle), None)
    except OSError as error:
        raise InvalidInputError([Issue("patients.unreadable", str(error), Source(file=str(path)))]) from None
    return [name.strip().lower() for name in first] if first else None


def load_simple_bands(path: Path) -> RegisteredPatients:
    """Every row checked; InvalidInputError naming each bad row and column (the first MAX_PROBLEMS)."""
    name = str(path)
    bands: list[AgeSexBand] = []
    issues: list[Issue] = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        reader.fieldnames = [field.strip().lower() for field in reader.fieldnames or []]
        date_column = next(column for column in _DATE_COLUMNS if column in reader.fieldnames)
        for number, row in enumerate(reader, start=2):
            band = _band(row, date_column, Source(file=name, row=number), issues)
            if band is not None:
                bands.append(band)
            if len(issues) >= MAX_PROBLEMS:
                break
    if issues:
        raise InvalidInputError(issues)
    return RegisteredPatients(bands=tuple(bands), source=name)


def _band(row: dict[str, str], date_column: str, where: Source, issues: list[Issue]) -> AgeSexBand | None:
    found = len(issues)
    code = (row.get("practice_code") or "").strip().upper()
    if not code:
        issues.append(Issue("patients.value", "no practice code", where).at(column="practice_code"))
    sex = _SEXES.get((row.get("sex") or "").strip().upper())
    if sex is None:
        issues.append(
            Issue("patients.value", f"{row.get('sex')!r} is not F, M, FEMALE or MALE", where).at(column="sex")
        )
    try:
        band = AgeBand.parse(row.get("age_band") or "")
    except ValueError as error:
        issues.append(Issue("patients.value", str(error), where).at(column="age_band"))
    try:
        extract = date.fromisoformat((row.get(date_column) or "").strip()[:10])
        patients = int((row.get("patients") or "").strip())
        if patients < 0:
            raise ValueError("a count of patients cannot be negative")
    except ValueError as error:
        issues.append(Issue("patients.value", f"bad date or count: {error}", where))
    if len(issues) > found or sex is None:
        return None
    return AgeSexBand(code, extract, sex, band, patients)
