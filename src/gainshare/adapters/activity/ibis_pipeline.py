"""The activity pipeline, written once as Ibis expressions; it runs on whichever backend holds the activity table.

Input: the aggregated activity table (practice_code, service_line, pod, month, activity, cost_pence; money in
int64 pence, months as the first day of the month). Everything here is integer sums, which every backend does
exactly: no floats, no decimal scales for a backend to trim. The agreement's baseline adjustments are applied
to these sums by the activity service with the savings engine's Decimal arithmetic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import ibis
import ibis.expr.types as ir

from gainshare.adapters.loaders.activity_schema import (
    ACTIVITY,
    COST_PENCE,
    DATE,
    MONTH,
    POD,
    PRACTICE_CODE,
    SERVICE_LINE,
)
from gainshare.services.ports import ActualCell, BaselineCell, PipelinePlan, SchemeMonth

SCHEME = "scheme"
TERM_MONTH = "term_month"
TERM_YEAR = "term_year"
BASELINE_MONTH = "baseline_month"
PROVISION = "provision"
ACTUAL_COLUMNS = ("hospital_activity", "hospital_cost_pence", "provision_activity", "provision_cost_pence")


def monthly_from_episodes(episodes: ir.Table, pod: str) -> ir.Table:
    """Patient-level episodes summed to the aggregated shape: one row per practice, service line and month."""
    month = episodes[DATE].truncate("M").cast("date")
    grouped = episodes.group_by(
        [episodes[PRACTICE_CODE], episodes[SERVICE_LINE], ibis.literal(pod).name(POD), month.name(MONTH)]
    )
    return grouped.aggregate(
        [episodes.count().cast("int64").name(ACTIVITY), episodes[COST_PENCE].sum().cast("int64").name(COST_PENCE)]
    )


def _service_lines(plan: PipelinePlan) -> ir.Table:
    lines, schemes = zip(*plan.service_lines, strict=True) if plan.service_lines else ((), ())
    return ibis.memtable(
        {SERVICE_LINE: list(lines), SCHEME: list(schemes)}, schema={SERVICE_LINE: "string", SCHEME: "string"}
    )


def _calendar(plan: PipelinePlan) -> ir.Table:
    return ibis.memtable(
        {
            TERM_MONTH: [month.month for month in plan.calendar],
            TERM_YEAR: [month.term_year for month in plan.calendar],
            BASELINE_MONTH: [month.baseline_month for month in plan.calendar],
        },
        schema={TERM_MONTH: "date", TERM_YEAR: "int64", BASELINE_MONTH: "date"},
    )


def classified(activity: ir.Table, plan: PipelinePlan) -> ir.Table:
    """Activity of the agreement's service lines, with its scheme and whether it is out-of-hospital provision."""
    lines = _service_lines(plan)
    joined = activity.join(lines, activity[SERVICE_LINE] == lines[SERVICE_LINE])
    pods = list(plan.provision_pods)
    provision = joined[POD].isin(pods) if pods else ibis.literal(False)
    return joined.select(
        joined[PRACTICE_CODE],
        joined[SCHEME],
        joined[MONTH],
        joined[ACTIVITY],
        joined[COST_PENCE],
        provision.name(PROVISION),
    )


def _keys(table: ir.Table, by_practice: bool) -> list[ir.Value]:
    keys: list[ir.Value] = [table[SCHEME], table[TERM_MONTH], table[TERM_YEAR]]
    return [table[PRACTICE_CODE], *keys] if by_practice else keys


def _in_order(table: ir.Table, by_practice: bool) -> ir.Table:
    """Rows by month, scheme and practice: the same order on every backend, sorted where the data is."""
    keys = [TERM_MONTH, SCHEME, PRACTICE_CODE] if by_practice else [TERM_MONTH, SCHEME]
    return table.order_by(keys)


def _in_baseline_months(activity: ir.Table, plan: PipelinePlan) -> ir.Table:
    """Hospital rows of the baseline year, each with the term month (and term year) it is the baseline for."""
    hospital = classified(activity, plan)
    hospital = hospital.filter(~hospital[PROVISION])
    calendar = _calendar(plan)
    return hospital.join(calendar, hospital[MONTH] == calendar[BASELINE_MONTH])


def _in_term_months(activity: ir.Table, plan: PipelinePlan) -> ir.Table:
    rows = classified(activity, plan)
    calendar = _calendar(plan)
    return rows.join(calendar, rows[MONTH] == calendar[TERM_MONTH])


def baseline_expr(activity: ir.Table, plan: PipelinePlan, by_practice: bool = False) -> ir.Table:
    """Hospital activity and cost in the baseline-year month matching each term month, per scheme (and practice)."""
    joined = _in_baseline_months(activity, plan)
    sums = joined.group_by(_keys(joined, by_practice)).aggregate(
        [joined[ACTIVITY].sum().cast("int64").name(ACTIVITY), joined[COST_PENCE].sum().cast("int64").name(COST_PENCE)]
    )
    return _in_order(sums, by_practice)


def actuals_expr(activity: ir.Table, plan: PipelinePlan, by_practice: bool = False) -> ir.Table:
    """Hospital and out-of-hospital activity and cost in each term month, per scheme (and practice)."""
    joined = _in_term_months(activity, plan)
    hospital = ~joined[PROVISION]
    provision = joined[PROVISION]
    sums = [
        joined[column].sum(where=where).fill_null(0).cast("int64").name(name)
        for (column, where), name in zip(
            [(ACTIVITY, hospital), (COST_PENCE, hospital), (ACTIVITY, provision), (COST_PENCE, provision)],
            ACTUAL_COLUMNS,
            strict=True,
        )
    ]
    return _in_order(joined.group_by(_keys(joined, by_practice)).aggregate(sums), by_practice)


def scheme_months_expr(activity: ir.Table, plan: PipelinePlan) -> ir.Table:
    """Per scheme and term month with any data in the store: baseline, actual and provision activity."""
    zero = ibis.literal(0, type="int64")
    base = _in_baseline_months(activity, plan)
    term = _in_term_months(activity, plan)
    long = base.select(
        base[SCHEME], base[TERM_MONTH], base[ACTIVITY].name("baseline"), zero.name("actual"), zero.name(PROVISION)
    ).union(
        term.select(
            term[SCHEME],
            term[TERM_MONTH],
            zero.name("baseline"),
            term[PROVISION].ifelse(zero, term[ACTIVITY]).name("actual"),
            term[PROVISION].ifelse(term[ACTIVITY], zero).name(PROVISION),
        )
    )
    reported = activity.select(activity[MONTH]).distinct()
    long = long.semi_join(reported, long[TERM_MONTH] == reported[MONTH])
    sums = long.group_by([long[SCHEME], long[TERM_MONTH]]).aggregate(
        [long[name].sum().cast("int64").name(name) for name in ("baseline", "actual", PROVISION)]
    )
    return _in_order(sums, by_practice=False)


def _records(expr: ir.Table) -> list[dict[str, Any]]:
    return list(expr.to_pyarrow().to_pylist())


def _rows(expr: ir.Table, columns: list[str]) -> Iterator[tuple[Any, ...]]:
    """The named columns of the result, row by row (column-wise conversion: much faster than dicts per row)."""
    table = expr.to_pyarrow()
    return zip(*(table.column(name).to_pylist() for name in columns), strict=True)


class IbisActivityPipeline:
    """ActivityPipeline over an Ibis table of aggregated activity, on any backend (DuckDB, PySpark, ...)."""

    def __init__(self, activity: Callable[[], ir.Table]) -> None:
        self._activity = activity

    def baseline(self, plan: PipelinePlan, by_practice: bool = False) -> list[BaselineCell]:
        expr = baseline_expr(self._activity(), plan, by_practice)
        columns = [SCHEME, TERM_MONTH, TERM_YEAR, ACTIVITY, COST_PENCE]
        if by_practice:
            return [BaselineCell(*row) for row in _rows(expr, [PRACTICE_CODE, *columns])]
        return [BaselineCell(None, *row) for row in _rows(expr, columns)]

    def actuals(self, plan: PipelinePlan, by_practice: bool = False) -> list[ActualCell]:
        expr = actuals_expr(self._activity(), plan, by_practice)
        columns = [SCHEME, TERM_MONTH, TERM_YEAR, *ACTUAL_COLUMNS]
        if by_practice:
            return [ActualCell(*row) for row in _rows(expr, [PRACTICE_CODE, *columns])]
        return [ActualCell(None, *row) for row in _rows(expr, columns)]

    def scheme_months(self, plan: PipelinePlan) -> list[SchemeMonth]:
        expr = scheme_months_expr(self._activity(), plan)
        return [SchemeMonth(*row) for row in _rows(expr, [SCHEME, TERM_MONTH, "baseline", "actual", PROVISION])]

    def months_with_data(self) -> set[date]:
        activity = self._activity()
        return {row[MONTH] for row in _records(activity.select(activity[MONTH]).distinct())}
