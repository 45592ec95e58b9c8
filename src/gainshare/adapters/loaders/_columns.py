"""Vectorised checks and conversions of whole columns, reporting bad cells by row.

Each function takes a column (text, or already typed from Parquet), adds an Issue per bad cell to Problems,
and returns the converted column (null where a cell was bad). Callers raise once every column is checked.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, TypeAlias

import pyarrow as pa
import pyarrow.compute as pc

from gainshare.adapters.loaders._problems import Problems

Column: TypeAlias = Any  # a pyarrow Array or ChunkedArray (pyarrow ships no type hints)

_WHOLE = r"^[0-9]{1,18}$"
_NEGATIVE_WHOLE = r"^-[0-9]{1,18}$"
_DECIMAL = r"^-?[0-9]+\.[0-9]+$"
_POUNDS = r"^-?£?([0-9]{1,3}(,[0-9]{3})+|[0-9]{1,15})(\.[0-9]{1,2})?$"
_POUNDS_PARTS = r"^(?P<sign>-?)(?P<units>[0-9]+)\.?(?P<frac>[0-9]*)$"
_TOO_PRECISE = r"^-?£?[0-9,]+\.[0-9]{3,}$"


def as_text(values: Column) -> Column:
    """Trimmed text; typed columns (from Parquet) are cast to their text form."""
    if not pa.types.is_string(values.type) and not pa.types.is_large_string(values.type):
        if pa.types.is_timestamp(values.type):
            values = pc.cast(values, pa.date32())
        values = pc.cast(values, pa.string())
    return pc.utf8_trim_whitespace(pc.fill_null(values, ""))


def empty(values: Column) -> Column:
    return pc.equal(values, "")


def required_text(values: Column, column: str, problems: Problems) -> Column:
    text = as_text(values)
    problems.add_rows("value.missing", column, empty(text), text, lambda _: "the cell is empty; a value is needed")
    return text


def codes(values: Column, column: str, problems: Problems, pattern: str, expected: str) -> Column:
    """Upper-cased codes matching pattern (a regex); 'expected' says what a good one looks like."""
    text = pc.utf8_upper(as_text(values))
    bad = pc.invert(pc.match_substring_regex(text, pattern))
    problems.add_rows("value.code", column, bad, text, lambda value: f"{value!r} is not {expected}")
    return text


def known(values: Column, column: str, problems: Problems, allowed: frozenset[str], what: str) -> None:
    """Report codes that are not in the allowed set (for example practice codes not in the practice list)."""
    bad = pc.and_(
        pc.invert(pc.is_in(values, value_set=pa.array(sorted(allowed), pa.string()))), pc.invert(empty(values))
    )
    problems.add_rows("value.unknown", column, bad, values, lambda value: f"{value!r} is not {what}")


def whole_numbers(values: Column, column: str, problems: Problems) -> Column:
    """Counts: whole numbers, zero or more, as int64."""
    if pa.types.is_integer(values.type):
        numbers = pc.cast(values, pa.int64())
        problems.add_rows("value.missing", column, pc.is_null(numbers), numbers, lambda _: "the cell is empty")
        negative = pc.less(numbers, 0)
        problems.add_rows("value.negative", column, negative, numbers, _negative_count)
        return pc.if_else(negative, None, numbers)
    if pa.types.is_floating(values.type):
        values = pc.cast(values, pa.string())  # 3.0 -> "3", 3.5 -> "3.5": judged as text below
    text = as_text(values)
    good = pc.match_substring_regex(text, _WHOLE)
    negative = pc.match_substring_regex(text, _NEGATIVE_WHOLE)
    fraction = pc.match_substring_regex(text, _DECIMAL)
    problems.add_rows("value.missing", column, empty(text), text, lambda _: "the cell is empty; a count is needed")
    problems.add_rows("value.negative", column, negative, text, _negative_count)
    problems.add_rows("value.fraction", column, fraction, text, lambda v: f"{v!r} is not a whole number of events")
    other = pc.invert(pc.or_(pc.or_(good, negative), pc.or_(fraction, empty(text))))
    problems.add_rows("value.number", column, other, text, lambda v: f"{v!r} is not a number: expected a count like 12")
    return pc.cast(pc.if_else(good, text, None), pa.int64())


def _negative_count(value: str | None) -> str:
    return f"{value} is negative; counts must be zero or more"


def pence(values: Column, column: str, problems: Problems, *, allow_negative: bool = False) -> Column:
    """Money in pounds ('1234.56', '£1,234.5', decimal type) -> int64 pence; floats are refused."""
    if pa.types.is_floating(values.type):
        problems.add(
            "value.float",
            "the column holds floating-point numbers; money must be exact: store it as text or decimal pounds "
            "(or whole pence in a cost_pence column)",
            column=column,
        )
        return pa.nulls(len(values), pa.int64())
    text = as_text(values)
    good = pc.match_substring_regex(text, _POUNDS)
    too_precise = pc.match_substring_regex(text, _TOO_PRECISE)
    problems.add_rows("value.missing", column, empty(text), text, lambda _: "the cell is empty; an amount is needed")
    problems.add_rows("value.precision", column, too_precise, text, _too_precise)
    other = pc.invert(pc.or_(pc.or_(good, too_precise), empty(text)))
    problems.add_rows("value.money", column, other, text, lambda v: f"{v!r} is not an amount of money like 1234.56")
    cleaned = pc.replace_substring_regex(pc.if_else(good, text, "0"), r"[£,]", "")
    parts = pc.extract_regex(cleaned, _POUNDS_PARTS)
    units = pc.cast(pc.struct_field(parts, "units"), pa.int64())
    frac = pc.cast(pc.utf8_rpad(pc.struct_field(parts, "frac"), width=2, padding="0"), pa.int64())
    amount = pc.add(pc.multiply(units, 100), frac)
    amount = pc.if_else(pc.equal(pc.struct_field(parts, "sign"), "-"), pc.negate(amount), amount)
    if not allow_negative:
        negative = pc.less(amount, 0)
        problems.add_rows("value.negative", column, negative, text, lambda v: f"{v} is negative; expected zero or more")
    return pc.if_else(good, amount, None)


def _too_precise(value: str | None) -> str:
    return f"{value!r} has more than two decimal places; money must be whole pence (like 1234.56)"


def whole_pence(values: Column, column: str, problems: Problems) -> Column:
    """A *_pence column: whole pence as integers, zero or more."""
    return whole_numbers(values, column, problems)


def by_distinct_value(
    values: Column,
    column: str,
    problems: Problems,
    parse: Callable[[str], date],
    expected: str,
    *,
    optional: bool = False,
) -> Column:
    """Dates and months: parse each distinct text once in Python (they repeat a lot), then map back.

    Empty cells are refused, or become nulls when optional.
    """
    if pa.types.is_date(values.type) or pa.types.is_timestamp(values.type):
        return pc.cast(values, pa.date32())
    text = as_text(values)
    distinct = pc.unique(text).to_pylist()
    parsed: dict[str, date | None] = {}
    bad_values: list[str] = []
    for item in distinct:
        try:
            parsed[item] = None if optional and not item else parse(item)
        except ValueError:
            parsed[item] = None
            bad_values.append(item)
    bad = pc.is_in(text, value_set=pa.array(bad_values, pa.string()))
    problems.add_rows(
        "value.date", column, bad, text, lambda v: f"{v!r} is not {expected}" if v else "the cell is empty"
    )
    keys = pa.array(distinct, pa.string())
    lookup = pa.array([parsed[item] for item in distinct], pa.date32())
    return pc.take(lookup, pc.index_in(text, value_set=keys))


def parse_month(text: str) -> date:
    """'2025-04' (or '2025-04-01', as Excel dates come) -> date(2025, 4, 1)."""
    parts = text.split("-")
    if len(parts) == 3 and parts[2] == "01":
        parts = parts[:2]
    if len(parts) != 2 or len(parts[0]) != 4 or len(parts[1]) != 2 or not all(p.isdigit() for p in parts):
        raise ValueError(text)
    return date(int(parts[0]), int(parts[1]), 1)


def parse_day(text: str) -> date:
    """'2025-04-17' or '17/04/2025' -> a date."""
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)
