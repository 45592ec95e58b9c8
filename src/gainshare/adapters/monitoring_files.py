"""CSV files for monitoring: monthly actuals, inter-practice referral items, practice weights.

The figures files' conventions: a header row; each problem named by file, row and column; any bad row and
nothing is returned (InvalidInputError with every problem). Counts are whole numbers, money is pounds and pence
as text (never floats), months are YYYY-MM.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from gainshare.domain.distribution import PracticeMeasures
from gainshare.domain.errors import InvalidInputError
from gainshare.domain.issues import Issue, Source
from gainshare.domain.money import Money, to_decimal
from gainshare.domain.referrals import ReferralItem
from gainshare.services.monitoring import ActualsRow

ACTUALS_COLUMNS = ("month", "scheme", "practice", "baseline_activity", "hospital_activity", "hub_activity")
REFERRAL_COLUMNS = ("referring_practice", "providing_practice", "month", "items", "price_per_item")
WEIGHT_COLUMNS = ("practice", "weighted_list", "activity", "score")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
T = TypeVar("T")


class _Rows:
    """Cells read one by one, each failure kept as an issue naming row and column."""

    def __init__(self, name: str, code: str) -> None:
        self.name = name
        self.code = code
        self.issues: list[Issue] = []

    def cell(self, record: Mapping[str, str], number: int, column: str, parse: Callable[[str], T]) -> T | None:
        text = (record.get(column) or "").strip()
        try:
            if not text:
                raise ValueError("the value is missing")
            return parse(text)
        except (ValueError, ArithmeticError) as error:
            self.issues.append(Issue(self.code, str(error), Source(file=self.name, row=number, column=column)))
            return None


def read_records(
    content: bytes, name: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> list[tuple[dict[str, str], int]]:
    """(record, row number) pairs of a CSV, after checking its header; the header is row 1."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInputError([Issue("file.encoding", "the file is not UTF-8 text", Source(file=name))]) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [column.strip() for column in reader.fieldnames or []]
    known = (*required, *optional)
    issues = [
        Issue("file.column", f"unknown column; expected {', '.join(known)}", Source(file=name, row=1, column=column))
        for column in header
        if column not in known
    ]
    issues += [
        Issue("file.column", "required column is missing", Source(file=name, row=1, column=column))
        for column in required
        if column not in header
    ]
    if issues:
        raise InvalidInputError(issues)
    records = []
    for number, record in enumerate(reader, start=2):
        if None in record:
            where = Source(file=name, row=number)
            raise InvalidInputError([Issue("file.row", "the row has more cells than the header", where)])
        records.append(({key.strip(): value or "" for key, value in record.items() if key}, number))
    return records


def count(text: str) -> int:
    if not text.isdigit():
        raise ValueError(f"{text!r} is not a whole number of zero or more")
    return int(text)


def month(text: str) -> str:
    if not _MONTH.match(text):
        raise ValueError(f"{text!r} is not a month (YYYY-MM)")
    return text


def practice_code(text: str) -> str:
    code = text.upper()
    if not re.fullmatch(r"[A-Z0-9]{3,10}", code):
        raise ValueError(f"{text!r} is not an ODS practice code")
    return code


def money(text: str) -> Money:
    amount = Money.parse(text)
    if amount.pence < 0:
        raise ValueError(f"{text} is negative")
    return amount


def measure(text: str) -> Decimal:
    value = to_decimal(text)
    if value < 0:
        raise ValueError(f"{text} is negative")
    return value


def decode_actuals(content: bytes, filename: str) -> list[ActualsRow]:
    rows = _Rows(filename, "actuals.value")
    result: list[ActualsRow] = []
    for record, number in read_records(content, filename, ACTUALS_COLUMNS):
        values = (
            rows.cell(record, number, "scheme", str),
            rows.cell(record, number, "practice", practice_code),
            rows.cell(record, number, "month", month),
            rows.cell(record, number, "baseline_activity", count),
            rows.cell(record, number, "hospital_activity", count),
            rows.cell(record, number, "hub_activity", count),
        )
        scheme, practice, when, baseline, hospital, hub = values
        if scheme and practice and when and baseline is not None and hospital is not None and hub is not None:
            result.append(ActualsRow(scheme, practice, when, baseline, hospital, hub, number))
    if rows.issues:
        raise InvalidInputError(rows.issues)
    return result


def decode_referrals(content: bytes, filename: str) -> list[ReferralItem]:
    rows = _Rows(filename, "referral.value")
    result: list[ReferralItem] = []
    for record, number in read_records(content, filename, REFERRAL_COLUMNS):
        referring = rows.cell(record, number, "referring_practice", practice_code)
        providing = rows.cell(record, number, "providing_practice", practice_code)
        when = rows.cell(record, number, "month", month)
        items = rows.cell(record, number, "items", count)
        price = rows.cell(record, number, "price_per_item", money)
        if referring and providing and referring == providing:
            where = Source(file=filename, row=number, column="providing_practice")
            rows.issues.append(Issue("referral.self", f"{referring} refers to itself", where))
        elif referring and providing and when and items is not None and price is not None:
            result.append(ReferralItem(referring, providing, when, items, price, number))
    if rows.issues:
        raise InvalidInputError(rows.issues)
    return result


def decode_weights(content: bytes, filename: str) -> list[PracticeMeasures]:
    """Practice, weighted list size, and optionally activity delivered and a performance score."""
    rows = _Rows(filename, "weights.value")
    result: list[PracticeMeasures] = []
    records = read_records(content, filename, ("practice", "weighted_list"), ("activity", "score"))
    for record, number in records:
        practice = rows.cell(record, number, "practice", practice_code)
        weighted = rows.cell(record, number, "weighted_list", measure)
        activity = rows.cell(record, number, "activity", measure) if record.get("activity", "").strip() else None
        score = rows.cell(record, number, "score", measure) if record.get("score", "").strip() else None
        if practice and weighted is not None:
            result.append(PracticeMeasures(practice, weighted, activity or Decimal(0), score or Decimal(0)))
    if rows.issues:
        raise InvalidInputError(rows.issues)
    return result


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InvalidInputError([Issue("file.missing", "no such file", Source(file=str(path)))]) from None


def load_actuals(path: Path) -> list[ActualsRow]:
    return decode_actuals(_read(path), str(path))


def load_referrals(path: Path) -> list[ReferralItem]:
    return decode_referrals(_read(path), str(path))


def load_weights(path: Path) -> list[PracticeMeasures]:
    return decode_weights(_read(path), str(path))


class ActualsCsvDecoder:
    def decode(self, content: bytes, filename: str) -> list[ActualsRow]:
        return decode_actuals(content, filename)


class ReferralCsvDecoder:
    def decode(self, content: bytes, filename: str) -> list[ReferralItem]:
        return decode_referrals(content, filename)
