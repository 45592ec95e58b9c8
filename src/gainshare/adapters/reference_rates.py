"""External reference rates for indirect standardisation (a national or regional reference), from CSV.

One row a sex and age band, and one "Persons, All ages" row for the crude rate of the whole reference population;
rates are events per 1,000 registered patients a year (as Fingertips publishes them):

    service_line,sex,age_band,rate_per_1000
    dermatology,Male,0-4,3.1
    ...
    dermatology,Persons,All ages,21.4

The service_line column is optional; when present, only the rows of the service analysed are read. Every problem is
reported with its row and column, and nothing is returned until the whole file is right.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path

from gainshare.domain.errors import InvalidInputError
from gainshare.domain.issues import Issue, Source
from gainshare.domain.population import AgeBand, Sex
from gainshare.domain.variation import BandKey, ExternalRates

COLUMNS = {
    "service_line": ("service_line", "service"),
    "sex": ("sex",),
    "age_band": ("age_band", "age", "age_group"),
    "rate": ("rate_per_1000", "rate", "value"),
}
_SEXES = {"male": Sex.MALE, "m": Sex.MALE, "males": Sex.MALE, "female": Sex.FEMALE, "f": Sex.FEMALE,
          "females": Sex.FEMALE}  # fmt: skip
_PERSONS = {"persons", "all", "both", "p"}
_ALL_AGES = {"all ages", "all", "all_ages", "total"}
MAX_PROBLEMS = 50


def load_reference_rates(path: Path, service_line: str) -> ExternalRates:
    """The rates for one service line; InvalidInputError naming each bad row and column."""
    table = _Table.read(path)
    return table.rates(service_line)


def load_reference_table(path: Path) -> dict[str, ExternalRates]:
    """Every service line's rates in a file with a service_line column (a dataset's national reference)."""
    table = _Table.read(path)
    column = table.found["service_line"]
    if column is None:
        message = "a dataset's reference file needs a service_line column (one set of rates per service)"
        raise InvalidInputError([Issue("reference.columns", message, Source(file=table.name, row=1))])
    lines = sorted({row[column].strip().lower() for row in table.rows if column < len(row)} - {""})
    return {line: table.rates(line) for line in lines}


@dataclass(frozen=True)
class _Table:
    """The file read once: its header, where our columns are in it, and the data rows."""

    path: Path
    header: list[str]
    found: dict[str, int | None]
    rows: list[list[str]]

    @property
    def name(self) -> str:
        return str(self.path)

    @classmethod
    def read(cls, path: Path) -> _Table:
        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                rows = list(csv.reader(handle))
        except (OSError, UnicodeDecodeError) as error:
            raise InvalidInputError([Issue("reference.unreadable", str(error), Source(file=str(path)))]) from None
        header = [cell.strip().lower().replace(" ", "_") for cell in rows[0]] if rows else []
        found = {key: next((header.index(n) for n in names if n in header), None) for key, names in COLUMNS.items()}
        absent = [COLUMNS[key][0] for key in ("sex", "age_band", "rate") if found[key] is None]
        if absent:
            message = f"missing column(s) {', '.join(absent)}; the header has: {', '.join(header) or 'nothing'}"
            raise InvalidInputError([Issue("reference.columns", message, Source(file=str(path), row=1))])
        return cls(path, header, found, rows[1:])

    def rates(self, service_line: str) -> ExternalRates:
        rates, crude, issues = _read_rows(self.rows, self.found, self.header, service_line.strip().lower(), self.name)
        if crude is None and not issues:
            message = f"no 'Persons, All ages' row (the crude rate) for service line {service_line!r}"
            issues.append(Issue("reference.crude", message, Source(file=self.name)))
        if issues:
            raise InvalidInputError(issues[:MAX_PROBLEMS])
        assert crude is not None
        return ExternalRates(f"{self.path.name} ({service_line})", rates, crude)


def _read_rows(
    rows: list[list[str]], found: dict[str, int | None], header: list[str], service_line: str, name: str
) -> tuple[dict[BandKey, Decimal], Decimal | None, list[Issue]]:
    rates: dict[BandKey, Decimal] = {}
    crude: Decimal | None = None
    issues: list[Issue] = []

    def cell(row: list[str], key: str) -> str:
        index = found[key]
        return row[index].strip() if index is not None and index < len(row) else ""

    for number, row in enumerate(rows, start=2):
        if not any(value.strip() for value in row):
            continue
        if found["service_line"] is not None and cell(row, "service_line").lower() != service_line:
            continue
        rate = _rate(cell(row, "rate"), Source(file=name, row=number, column=_name(found, "rate", header)), issues)
        sex_text, band_text = cell(row, "sex").lower(), cell(row, "age_band").lower()
        if sex_text in _PERSONS and band_text in _ALL_AGES:
            crude = rate if rate is not None else crude
            continue
        key = _key(sex_text, band_text, Source(file=name, row=number), header, found, issues)
        if key is None or rate is None:
            continue
        if key in rates:
            where = Source(file=name, row=number, column=_name(found, "age_band", header))
            issues.append(Issue("reference.duplicate", f"a second rate for {key[0].value} {key[1].label}", where))
        rates[key] = rate
    return rates, crude, issues


def _rate(text: str, where: Source, issues: list[Issue]) -> Decimal | None:
    try:
        value = Decimal(text)
    except InvalidOperation:
        issues.append(Issue("reference.rate", f"{text!r} is not a rate per 1,000 (a number like 12.5)", where))
        return None
    if not value.is_finite() or value < 0:
        issues.append(Issue("reference.rate", f"{text!r}: a rate must be a number of 0 or more", where))
        return None
    return value


def _key(
    sex_text: str, band_text: str, row: Source, header: list[str], found: dict[str, int | None], issues: list[Issue]
) -> BandKey | None:
    sex = _SEXES.get(sex_text)
    if sex is None:
        message = f"{sex_text!r} is not a sex: Male or Female (or Persons with All ages for the crude rate)"
        issues.append(Issue("reference.sex", message, replace(row, column=_name(found, "sex", header))))
    try:
        band = AgeBand.parse(band_text)
    except ValueError as error:
        where = replace(row, column=_name(found, "age_band", header))
        issues.append(Issue("reference.age_band", str(error), where))
        return None
    return (sex, band) if sex is not None else None


def _name(found: dict[str, int | None], key: str, header: list[str]) -> str:
    index = found[key]
    return header[index] if index is not None else COLUMNS[key][0]
