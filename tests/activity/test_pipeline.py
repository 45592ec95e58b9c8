"""The Ibis pipeline on DuckDB, and the activity service turning it into Figures the settlement engine settles."""

from __future__ import annotations

import decimal
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from gainshare.adapters.activity.duckdb_store import DuckDBActivityStore
from gainshare.adapters.activity.ibis_pipeline import IbisActivityPipeline
from gainshare.domain.agreement import Agreement
from gainshare.domain.errors import InvalidInputError
from gainshare.domain.figures import Figures, SchemeFigures
from gainshare.domain.periods import add_months, month_period
from gainshare.engines.rounding import EXACT
from gainshare.services.activity import ActivityService, SchemeMapping, pipeline_plan, term_calendar
from gainshare.services.ports import ActivityKind
from gainshare.services.settlements import settle_all
from tests.activity.conftest import (
    BASELINE_YEAR,
    TERM_MONTHS,
    WHEN,
    activity_rows,
    two_scheme_agreement,
    write_csv,
)

ROWS = activity_rows(BASELINE_YEAR) + activity_rows(TERM_MONTHS, seed=2)


class Fixed:
    def __init__(self, agreement: Agreement) -> None:
        self.agreement = agreement

    def load(self, location: str) -> Agreement:
        return self.agreement


@pytest.fixture
def service(tmp_path: Path, store_path: Path) -> Iterator[ActivityService]:
    with DuckDBActivityStore(store_path) as store:
        result = ActivityService(store, IbisActivityPipeline(store.activity_table), Fixed(two_scheme_agreement()))
        result.import_file(str(write_csv(tmp_path / "a.csv", ROWS)), ActivityKind.AGGREGATED, WHEN)
        yield result


def expected_scheme_months(rows: list[dict[str, Any]], lines: dict[str, str], pods: set[str]) -> list[SchemeFigures]:
    """The figures worked out by hand in plain Python from the rows."""
    agreement = two_scheme_agreement()
    sums: dict[tuple[str, date], list[int]] = defaultdict(lambda: [0, 0, 0])
    by_key = defaultdict(int)
    for row in rows:
        if row["service_line"] in lines:
            by_key[(lines[row["service_line"]], row["month"], row["pod"] in pods)] += row["activity"]
    for month in TERM_MONTHS:
        year = agreement.term_year(month)
        for scheme in set(lines.values()):
            cell = sums[(scheme, month)]
            cell[0] = by_key[(scheme, add_months(month, -12 * year), False)]
            cell[1] = by_key[(scheme, month, False)]
            cell[2] = by_key[(scheme, month, True)]
    return [
        SchemeFigures(scheme, month_period(m.year, m.month), Decimal(b), Decimal(a), Decimal(p))
        for (scheme, m), (b, a, p) in sorted(sums.items(), key=lambda item: (item[0][1], item[0][0]))
    ]


def test_calendar_matches_each_term_month_with_the_baseline_year() -> None:
    calendar = term_calendar(two_scheme_agreement())
    assert len(calendar) == 24
    assert (calendar[0].month, calendar[0].term_year, calendar[0].baseline_month) == (
        date(2025, 4, 1), 1, date(2024, 4, 1))  # fmt: skip
    assert (calendar[12].month, calendar[12].term_year, calendar[12].baseline_month) == (
        date(2026, 4, 1), 2, date(2024, 4, 1))  # fmt: skip
    assert calendar[-1].baseline_month == date(2025, 3, 1)


def test_figures_are_the_hand_worked_sums(service: ActivityService) -> None:
    figures = service.figures(two_scheme_agreement(), SchemeMapping())
    lines = {"anticoag": "anticoag", "joint-injections": "joint-injections"}
    assert list(figures.rows) == expected_scheme_months(ROWS, lines, {"HUB"})


def test_mapping_overrides_service_lines_and_provision_pods(service: ActivityService) -> None:
    mapping = SchemeMapping({"anticoag": ("anticoag", "dermatology")}, provision_pods=("HUB", "OP"))
    figures = service.figures(two_scheme_agreement(), mapping)
    lines = {"anticoag": "anticoag", "dermatology": "anticoag", "joint-injections": "joint-injections"}
    assert list(figures.rows) == expected_scheme_months(ROWS, lines, {"HUB", "OP"})


def test_a_service_line_in_two_schemes_or_an_unknown_scheme_is_refused(service: ActivityService) -> None:
    mapping = SchemeMapping({"anticoag": ("joint-injections",), "nope": ("x",)})
    with pytest.raises(InvalidInputError) as caught:
        service.figures(two_scheme_agreement(), mapping)
    assert {issue.code for issue in caught.value.issues} == {"mapping.scheme", "mapping.shared"}


def test_savings_settle_exactly_as_the_same_figures_given_by_hand(service: ActivityService) -> None:
    report = service.savings("agreement.yaml", SchemeMapping())
    lines = {"anticoag": "anticoag", "joint-injections": "joint-injections"}
    by_hand = settle_all(two_scheme_agreement(), Figures(tuple(expected_scheme_months(ROWS, lines, {"HUB"}))))
    assert [s.period for s in report.result.settlements] == ["2025-26", "2026-27"]
    assert report.result.settlements == by_hand.settlements
    assert report.result.transactions == by_hand.transactions


def test_baseline_adjustments_agree_with_the_settlement_engine(service: ActivityService) -> None:
    agreement = two_scheme_agreement()
    report = service.baseline("agreement.yaml", SchemeMapping())
    settled = service.savings("agreement.yaml", SchemeMapping()).result.settlements
    year_one = {t.scheme: t for t in report.totals if t.period == "2025-26"}
    engine = {
        line.scheme: line for s in settled if s.period == "2025-26" for line in s.lines if line.code == "cost.baseline"
    }
    for scheme in ("anticoag", "joint-injections"):
        assert year_one[scheme].exact_cost == engine[scheme].exact
        assert year_one[scheme].baseline_cost == engine[scheme].amount
    # year two (a whole year of baseline, though only a quarter of actuals so far) by hand
    anticoag = next(t for t in report.totals if t.period == "2026-27" and t.scheme == "anticoag")
    historic = sum(r["activity"] for r in ROWS if r["service_line"] == "anticoag" and r["pod"] == "OP" and r["month"]
                   in BASELINE_YEAR)  # fmt: skip
    with decimal.localcontext(EXACT):
        adjusted = historic * Decimal("1.012") ** 2
        assert anticoag.historic_activity == historic and anticoag.adjusted_activity == adjusted
        assert anticoag.exact_cost == adjusted * 3400 * Decimal("1.014") ** 2
    assert agreement.baseline.activity_factor(2) == Decimal("1.012") ** 2


def test_baseline_by_practice_adds_up_to_the_scheme_totals(service: ActivityService) -> None:
    by_practice = service.baseline("agreement.yaml", SchemeMapping(), by_practice=True)
    summed = service.baseline("agreement.yaml", SchemeMapping())
    assert {line.practice_code for line in by_practice.lines} == {"A81001", "A81002", "B82003"}
    assert by_practice.totals == summed.totals


def test_actuals_split_hospital_and_out_of_hospital_activity(service: ActivityService) -> None:
    cells = service.actuals("agreement.yaml", SchemeMapping(), by_practice=True)
    cell = next(c for c in cells if (c.practice_code, c.scheme, c.month) == ("A81002", "anticoag", TERM_MONTHS[0]))
    [hospital] = [r for r in ROWS if (r["practice_code"], r["service_line"], r["pod"], r["month"]) ==
                  ("A81002", "anticoag", "OP", TERM_MONTHS[0])]  # fmt: skip
    [provision] = [r for r in ROWS if (r["practice_code"], r["service_line"], r["pod"], r["month"]) ==
                   ("A81002", "anticoag", "HUB", TERM_MONTHS[0])]  # fmt: skip
    assert (cell.hospital_activity, cell.hospital_cost_pence) == (hospital["activity"], hospital["cost_pence"])
    assert (cell.provision_activity, cell.provision_cost_pence) == (provision["activity"], provision["cost_pence"])
    assert cell.term_year == 1


def test_a_term_month_without_its_baseline_month_is_reported(tmp_path: Path, store_path: Path) -> None:
    with DuckDBActivityStore(store_path) as store:
        service = ActivityService(store, IbisActivityPipeline(store.activity_table), Fixed(two_scheme_agreement()))
        service.import_file(str(write_csv(tmp_path / "a.csv", activity_rows(TERM_MONTHS[:2]))), ActivityKind.AGGREGATED,
                            WHEN)  # fmt: skip
        with pytest.raises(InvalidInputError) as caught:
            service.figures(two_scheme_agreement(), SchemeMapping())
    messages = [issue.message for issue in caught.value.issues]
    assert messages[0].startswith("the store has activity for 2025-04 but none for its baseline month 2024-04")
    assert len(messages) == 2


def test_an_empty_term_is_reported(tmp_path: Path, store_path: Path) -> None:
    with DuckDBActivityStore(store_path) as store:
        service = ActivityService(store, IbisActivityPipeline(store.activity_table), Fixed(two_scheme_agreement()))
        with pytest.raises(InvalidInputError, match=r"no activity in the agreement's term \(2025-04 to 2027-03\)"):
            service.figures(two_scheme_agreement(), SchemeMapping())


def test_plan_lists_each_service_line_once() -> None:
    plan = pipeline_plan(two_scheme_agreement(), SchemeMapping())
    assert plan.service_lines == (("anticoag", "anticoag"), ("joint-injections", "joint-injections"))
    assert plan.provision_pods == ("HUB",)
