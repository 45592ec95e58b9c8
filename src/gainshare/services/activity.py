"""Activity data: import into the activity store, the adjusted baseline, and savings as Figures to settle.

The heavy lifting (scans, joins, monthly sums over national patient-level data) happens in the activity
pipeline behind the ActivityPipeline port, in exact integers. The baseline adjustments of the agreement are
constant per scheme and term year, so they are applied here to the pipeline's sums with the same Decimal
arithmetic as the savings engine (BaselineAdjustments.activity_factor and price_factor): exact whatever the
rates and the length of the term, and the same numbers the settlement engine produces.
"""

from __future__ import annotations

import decimal
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from gainshare.domain.agreement import Agreement
from gainshare.domain.errors import InvalidInputError
from gainshare.domain.figures import Figures, SchemeFigures
from gainshare.domain.issues import Issue, Source
from gainshare.domain.money import Money
from gainshare.domain.periods import Period, add_months, month_period
from gainshare.engines.rounding import EXACT, round_pence
from gainshare.services.ports import (
    ActivityImportRequest,
    ActivityKind,
    ActivityPipeline,
    ActivityStore,
    ActualCell,
    AgreementReader,
    BaselineCell,
    ImportOutcome,
    PipelinePlan,
    ProgressCallback,
    SchemeMonth,
    TermMonth,
)
from gainshare.services.settlements import SettlementResult, settle_all

DEFAULT_PROVISION_PODS: tuple[str, ...] = ("HUB",)  # the demo federation's hub activity
STORE_SOURCE = "activity store"


@dataclass(frozen=True, slots=True)
class SchemeMapping:
    """Which service lines make up each scheme (by default the line named like the scheme's id), and which
    points of delivery are the out-of-hospital provision the commissioner pays for (every other pod is hospital).
    """

    service_lines: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    provision_pods: tuple[str, ...] = DEFAULT_PROVISION_PODS

    def pairs(self, agreement: Agreement) -> tuple[tuple[str, str], ...]:
        """(service_line, scheme) for every scheme; InvalidInputError for unknown schemes or shared lines."""
        scheme_ids = [scheme.id for scheme in agreement.schemes]
        issues = [
            Issue("mapping.scheme", f"{scheme!r} is not a scheme of the agreement ({', '.join(scheme_ids)})")
            for scheme in self.service_lines
            if scheme not in scheme_ids
        ]
        owner: dict[str, str] = {}
        for scheme in scheme_ids:
            for line in self.service_lines.get(scheme) or (scheme,):
                if line in owner and owner[line] != scheme:
                    issues.append(
                        Issue(
                            "mapping.shared",
                            f"service line {line!r} is mapped to both {owner[line]!r} and {scheme!r}; "
                            "its activity would count twice",
                        )
                    )
                owner.setdefault(line, scheme)
        if issues:
            raise InvalidInputError(issues)
        return tuple(sorted(owner.items()))


def term_calendar(agreement: Agreement) -> tuple[TermMonth, ...]:
    """Every month of the term with its term year and the same month of the baseline year (the year before)."""
    months: list[TermMonth] = []
    cursor = date(agreement.term_start.year, agreement.term_start.month, 1)
    while cursor <= agreement.term_end:
        year = agreement.term_year(cursor)
        months.append(TermMonth(cursor, year, add_months(cursor, -12 * year)))
        cursor = add_months(cursor, 1)
    return tuple(months)


def pipeline_plan(agreement: Agreement, mapping: SchemeMapping) -> PipelinePlan:
    return PipelinePlan(mapping.pairs(agreement), tuple(mapping.provision_pods), term_calendar(agreement))


@dataclass(frozen=True, slots=True)
class BaselineLine:
    """One scheme (and practice) in one term month: historic activity adjusted as the agreement says."""

    practice_code: str | None
    scheme: str
    month: date
    period: str
    term_year: int
    historic_activity: int
    historic_cost: Money  # what the hospital charged in the baseline month, from the data
    adjusted_activity: Decimal  # historic activity x (1 + list growth) ^ term year
    baseline_cost: Decimal  # exact pence: adjusted activity x hospital price x (1 + uplift - efficiency) ^ year


@dataclass(frozen=True, slots=True)
class BaselineTotal:
    """One scheme over one settlement period, the baseline cost rounded once as the settlement rounds it."""

    scheme: str
    period: str
    historic_activity: int
    adjusted_activity: Decimal
    baseline_cost: Money
    exact_cost: Decimal


@dataclass(frozen=True)
class BaselineReport:
    agreement: Agreement
    lines: list[BaselineLine]
    totals: list[BaselineTotal]


@dataclass(frozen=True)
class SavingsReport:
    agreement: Agreement
    figures: Figures
    result: SettlementResult


@dataclass(frozen=True)
class ActivityService:
    store: ActivityStore
    pipeline: ActivityPipeline
    agreements: AgreementReader

    def import_file(
        self,
        path: str,
        kind: ActivityKind,
        imported_at: datetime,
        source: str | None = None,
        progress: ProgressCallback | None = None,
    ) -> ImportOutcome:
        """Import a file of activity or episodes; the same file twice changes nothing."""
        request = ActivityImportRequest(path, kind, source or kind.value, imported_at)
        return self.store.import_file(request, progress)

    def baseline(self, agreement_location: str, mapping: SchemeMapping, by_practice: bool = False) -> BaselineReport:
        agreement = self.agreements.load(agreement_location)
        cells = self.pipeline.baseline(pipeline_plan(agreement, mapping), by_practice)
        lines = adjusted_baseline(agreement, cells)
        return BaselineReport(agreement, lines, baseline_totals(agreement, lines))

    def actuals(self, agreement_location: str, mapping: SchemeMapping, by_practice: bool = False) -> list[ActualCell]:
        agreement = self.agreements.load(agreement_location)
        return self.pipeline.actuals(pipeline_plan(agreement, mapping), by_practice)

    def figures(self, agreement: Agreement, mapping: SchemeMapping) -> Figures:
        """SchemeFigures per scheme and reported month; InvalidInputError when a baseline month has no data."""
        plan = pipeline_plan(agreement, mapping)
        present = self.pipeline.months_with_data()
        reported = [month for month in plan.calendar if month.month in present]
        issues = [
            Issue(
                "activity.baseline_missing",
                f"the store has activity for {_label(month.month)} but none for its baseline month "
                f"{_label(month.baseline_month)}; import the baseline year first",
                Source(file=STORE_SOURCE),
            )
            for month in reported
            if month.baseline_month not in present
        ]
        if not reported:
            first, last = plan.calendar[0].month, plan.calendar[-1].month
            issues.append(
                Issue(
                    "activity.empty",
                    f"the store has no activity in the agreement's term ({_label(first)} to {_label(last)})",
                    Source(file=STORE_SOURCE),
                )
            )
        if issues:
            raise InvalidInputError(issues)
        return scheme_figures(self.pipeline.scheme_months(plan))

    def savings(self, agreement_location: str, mapping: SchemeMapping, period: str | None = None) -> SavingsReport:
        agreement = self.agreements.load(agreement_location)
        figures = self.figures(agreement, mapping)
        return SavingsReport(agreement, figures, settle_all(agreement, figures, period))


def scheme_figures(months: list[SchemeMonth]) -> Figures:
    rows = tuple(
        SchemeFigures(
            scheme=row.scheme,
            span=month_period(row.month.year, row.month.month),
            baseline_activity=Decimal(row.baseline_activity),
            actual_activity=Decimal(row.actual_activity),
            provision_activity=Decimal(row.provision_activity),
        )
        for row in sorted(months, key=lambda item: (item.month, item.scheme))
    )
    return Figures(rows, {}, STORE_SOURCE)


def adjusted_baseline(agreement: Agreement, cells: list[BaselineCell]) -> list[BaselineLine]:
    """The savings engine's arithmetic, line by line: activity x activity factor x price x price factor.

    The lines keep the cells' order (the pipeline's: month, scheme, practice).
    """
    adjustments = agreement.baseline
    periods = agreement.periods()
    factors: dict[tuple[str, int], tuple[Decimal, Decimal]] = {}
    period_ids: dict[date, str] = {}
    lines: list[BaselineLine] = []
    with decimal.localcontext(EXACT):
        for cell in cells:
            key = (cell.scheme, cell.term_year)
            if key not in factors:
                price = agreement.scheme(cell.scheme).hospital_price.pence
                factors[key] = (
                    adjustments.activity_factor(cell.term_year),
                    price * adjustments.price_factor(cell.term_year),
                )
            if cell.month not in period_ids:
                period_ids[cell.month] = _period_of(periods, cell.month).id
            activity_factor, unit_price = factors[key]
            adjusted = cell.activity * activity_factor
            lines.append(
                BaselineLine(
                    cell.practice_code,
                    cell.scheme,
                    cell.month,
                    period_ids[cell.month],
                    cell.term_year,
                    cell.activity,
                    Money(cell.cost_pence),
                    adjusted,
                    adjusted * unit_price,
                )
            )
    return lines


def baseline_totals(agreement: Agreement, lines: list[BaselineLine]) -> list[BaselineTotal]:
    sums: dict[tuple[str, str], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0), Decimal(0)])
    with decimal.localcontext(EXACT):
        for line in lines:
            cell = sums[(line.period, line.scheme)]
            cell[0] += line.historic_activity
            cell[1] += line.adjusted_activity
            cell[2] += line.baseline_cost
    order = {period.id: index for index, period in enumerate(agreement.periods())}
    mode = agreement.sharing.rounding
    return [
        BaselineTotal(scheme, period, int(values[0]), values[1], Money(round_pence(values[2], mode)), values[2])
        for (period, scheme), values in sorted(sums.items(), key=lambda item: (order[item[0][0]], item[0][1]))
    ]


def _period_of(periods: tuple[Period, ...], month: date) -> Period:
    for period in periods:
        if period.contains(month):
            return period
    raise ValueError(f"{month} is outside the agreement's term")  # the calendar comes from the term: a bug


def _label(month: date) -> str:
    return f"{month.year:04d}-{month.month:02d}"
