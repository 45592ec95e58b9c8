"""Period figures from CSV (scheme rows) or YAML/JSON (scheme rows plus per-period facts)."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from gainshare.adapters.structured_text import read_document
from gainshare.domain.errors import InvalidInputError
from gainshare.domain.figures import Figures, PeriodFacts, SchemeFigures
from gainshare.domain.issues import Issue, Source
from gainshare.domain.money import Money, parse_rate, to_decimal
from gainshare.domain.periods import parse_period_label

ACTIVITY_COLUMNS = ("baseline_activity", "actual_activity", "provision_activity")
COST_COLUMNS = ("baseline_cost", "actual_cost", "provision_cost")
ROW_COLUMNS = ("period", "scheme", *ACTIVITY_COLUMNS, *COST_COLUMNS)
FACT_KEYS = ("quality_score", "population", "revenue", "paid_on_account")


def load_figures(path: Path) -> Figures:
    """Figures from a .csv, .yaml, .yml or .json file, or InvalidInputError naming every bad cell."""
    if path.suffix.lower() == ".csv":
        return _from_csv(path)
    return figures_from_data(read_document(path), str(path))


def _from_csv(path: Path) -> Figures:
    name = str(path)
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = [column.strip() for column in reader.fieldnames or []]
            _check_header(header, name)
            records = [
                ({key.strip(): value for key, value in record.items() if key}, number)
                for number, record in enumerate(reader, start=2)
            ]
    except FileNotFoundError:
        raise InvalidInputError([Issue("file.missing", "no such file", Source(file=name))]) from None
    except UnicodeDecodeError:
        raise InvalidInputError([Issue("file.encoding", "the file is not UTF-8 text", Source(file=name))]) from None
    return Figures(_rows(records, name), {}, name)


def _check_header(header: list[str], name: str) -> None:
    issues = [
        Issue(
            "figures.column",
            f"unknown column; expected some of {', '.join(ROW_COLUMNS)}",
            Source(file=name, row=1, column=column),
        )
        for column in header
        if column not in ROW_COLUMNS
    ]
    issues += [
        Issue("figures.column", "required column is missing", Source(file=name, row=1, column=column))
        for column in ("period", "scheme")
        if column not in header
    ]
    if issues:
        raise InvalidInputError(issues)


def figures_from_data(data: Any, name: str) -> Figures:
    if not isinstance(data, dict) or "rows" not in data:
        raise InvalidInputError(
            [
                Issue(
                    "figures.shape",
                    "a figures document needs a 'rows' list (and optionally 'periods' with per-period facts)",
                    Source(file=name),
                )
            ]
        )
    unknown = sorted(set(data) - {"rows", "periods", "agreement"})
    if unknown:
        raise InvalidInputError([Issue("figures.key", f"unknown key(s) {', '.join(unknown)}", Source(file=name))])
    rows_data = data["rows"]
    if not isinstance(rows_data, list):
        raise InvalidInputError([Issue("figures.shape", "'rows' must be a list", Source(file=name, clause="rows"))])
    records = [(row if isinstance(row, dict) else {"": row}, index) for index, row in enumerate(rows_data, 1)]
    return Figures(_rows(records, name, yaml_rows=True), _facts(data.get("periods") or {}, name), name)


def _rows(
    records: Iterable[tuple[Mapping[str, Any], int]], name: str, yaml_rows: bool = False
) -> tuple[SchemeFigures, ...]:
    rows: list[SchemeFigures] = []
    issues: list[Issue] = []
    for record, number in records:
        where = Source(file=name, clause=f"rows[{number}]") if yaml_rows else Source(file=name, row=number)
        row, row_issues = _row(record, number, where)
        issues.extend(row_issues)
        if row is not None:
            rows.append(row)
    if issues:
        raise InvalidInputError(issues)
    return tuple(rows)


def _row(record: Mapping[str, Any], number: int, where: Source) -> tuple[SchemeFigures | None, list[Issue]]:
    issues: list[Issue] = []

    def problem(column: str, message: str) -> None:
        issues.append(Issue("figures.value", message, where).at(column=column))

    for key in record:
        if key not in ROW_COLUMNS:
            problem(str(key), f"unknown column; expected some of {', '.join(ROW_COLUMNS)}")
    period_text = _text(record.get("period"))
    span = parse_period_label(period_text) if period_text else None
    if span is None:
        problem(
            "period", f"{period_text!r} is not a period: write a month as '2025-04' or a financial year as '2025-26'"
        )
    scheme = _text(record.get("scheme"))
    if not scheme:
        problem("scheme", "the scheme id is missing")
    values = _values(record, problem)
    if issues or span is None:
        return None, issues
    return SchemeFigures(scheme=scheme, span=span, source_row=number, **values), []


def _values(record: Mapping[str, Any], problem: Callable[[str, str], None]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for column in ACTIVITY_COLUMNS:
        values[column] = _cell(record.get(column), column, _count, problem)
    for column in COST_COLUMNS:
        values[column] = _cell(record.get(column), column, _money, problem)
    for activity, cost in zip(ACTIVITY_COLUMNS, COST_COLUMNS, strict=True):
        if values[activity] is not None and values[cost] is not None:
            problem(cost, f"give {activity} or {cost}, not both")
    if record.get("baseline_activity") in (None, "") and record.get("baseline_cost") in (None, ""):
        problem("baseline_activity", "give baseline_activity or baseline_cost")
    return values


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _cell(value: Any, column: str, parse: Callable[[Any], Any], problem: Callable[[str, str], None]) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return parse(value)
    except (ValueError, TypeError) as error:
        problem(column, str(error))
        return None


def _count(value: Any) -> Decimal:
    if isinstance(value, float):
        raise ValueError(f"{value!r} is a float; write counts as whole numbers or quoted decimals")
    number = to_decimal(value.strip() if isinstance(value, str) else value)
    if number < 0:
        raise ValueError(f"{number} is negative; activity counts must be zero or more")
    return number


def _money(value: Any) -> Money:
    if isinstance(value, float):
        raise ValueError(f"{value!r} is a float; write money as a quoted string such as '1234.56'")
    if isinstance(value, bool):
        raise ValueError("expected an amount of money")
    return Money.parse(str(value))


def _facts(data: Any, name: str) -> dict[str, PeriodFacts]:
    if not isinstance(data, dict):
        raise InvalidInputError(
            [
                Issue(
                    "figures.shape", "'periods' must map period ids to their facts", Source(file=name, clause="periods")
                )
            ]
        )
    facts: dict[str, PeriodFacts] = {}
    issues: list[Issue] = []
    for period_id, values in data.items():
        clause = f"periods.{period_id}"
        try:
            facts[str(period_id)] = _period_facts(values)
        except (ValueError, TypeError) as error:
            issues.append(Issue("figures.facts", str(error), Source(file=name, clause=clause)))
    if issues:
        raise InvalidInputError(issues)
    return facts


def _period_facts(values: Any) -> PeriodFacts:
    if not isinstance(values, dict):
        raise ValueError(f"expected {', '.join(FACT_KEYS)}")
    unknown = sorted(set(values) - set(FACT_KEYS))
    if unknown:
        raise ValueError(f"unknown key(s) {', '.join(unknown)}; expected some of {', '.join(FACT_KEYS)}")
    score = values.get("quality_score")
    population = values.get("population")
    if population is not None and (isinstance(population, bool) or not isinstance(population, int) or population < 0):
        raise ValueError(f"population must be a whole number of people, not {population!r}")
    revenue = values.get("revenue")
    paid = values.get("paid_on_account") or {}
    if not isinstance(paid, dict):
        raise ValueError("paid_on_account must map party ids to amounts")
    return PeriodFacts(
        quality_score=_score(score) if score is not None else None,
        population=population,
        revenue=_money(revenue) if revenue is not None else None,
        paid_on_account=tuple((str(party), _money(amount)) for party, amount in paid.items()),
    )


def _score(value: Any) -> Decimal:
    if isinstance(value, float):
        raise ValueError(f"quality_score {value!r} is a float; write it quoted, such as '0.92' or '92%'")
    score = parse_rate(str(value))
    if not Decimal(0) <= score <= Decimal(1):
        raise ValueError(f"quality_score {value!r} is outside 0 to 1")
    return score
