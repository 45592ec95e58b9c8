"""The opportunity pack as an Excel workbook (XlsxWriter): the figures a finance person can check, as formulas.

Sheets:

- Summary: the discount rate (an input cell every service sheet uses), and per service its NPV, net saving over
  the term, payback and the number of practices outside the 99.8% limits, all read from the other sheets; the
  rank is a formula (1 + the number of services with a higher NPV).
- one sheet per service: its inputs with their sources, a monthly ramp-up table, and a year-by-year table:
  ramp = the average of the monthly shares of the mature level; activity moved = hospital activity x movable
  share x ramp; gross saving = ROUND(activity moved x (hospital price - out-of-hospital cost), 2); net = gross -
  running cost; discount factor = 1 / (1 + rate)^year; present value = net x factor; NPV = ROUND(- set-up + sum
  of present values, 2); payback interpolated within the year the cumulative net cash turns non-negative.
- Assumptions: every default the figures use, with its note and source (or "assumption" where there is none).
- Funnel data: each practice's observed and expected counts per service, the ratio (a formula), the 95% and 99.8%
  limits of its count (PHE method, values from the engine), the ratio limits and the status (formulas).
- Funnel limits: the points of the four control lines of each funnel plot.

Input cells are values from the engine. Money, shares and rates go through reports.excel.number/pounds (checked to
read back as the same decimal); statistics (expected counts, Poisson limits, a yearly activity rate that is not a
whole number) are written as the nearest double, as any spreadsheet holds them. The tests evaluate the formulas
with pycel and compare them with the engine's Decimal results to the penny.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from gainshare.domain.catalogue import Assumption
from gainshare.domain.opportunity import ServiceOpportunity
from gainshare.domain.variation import FunnelPoint
from gainshare.reports import excel, formatting
from gainshare.services.discover import OpportunityPack, VariationReport

SUMMARY = "Summary"
ASSUMPTIONS = "Assumptions"
FUNNEL = "Funnel data"
LIMITS = "Funnel limits"
RATE_CELL = f"{SUMMARY}!$B$5"
NOT_WITHIN = "not within the term"

# Rows (0-based, as XlsxWriter counts) of a service sheet.
INPUT_ROW = 3  # the first input: hospital activity a year
INPUTS = (
    ("activity", "Hospital activity a year (baseline)", "units a year"),
    ("movable", "Share that could move at maturity", "share"),
    ("price", "Hospital price per unit", "£ a unit"),
    ("ooh", "Out-of-hospital cost per unit", "£ a unit"),
    ("margin", "Saving per unit moved (price - out-of-hospital cost)", "£ a unit"),
    ("setup", "Set-up cost (start of the term)", "£"),
    ("running", "Running cost a year", "£ a year"),
    ("ramp", "Ramp-up (months to the mature level)", "months"),
    ("rate", "Discount rate (from the Summary sheet)", "a year"),
)
TABLE_ROW = 14  # header of the year table; year 0 (set-up) is the next row
RESULT_GAP = 2  # blank rows between the last year and the results
YEAR_COLUMNS = (
    "Year", "Ramp (share of the mature level)", "Activity moved", "Gross saving", "Running cost", "Net saving",
    "Discount factor", "Present value", "Cumulative net (undiscounted)", "Payback in this year (years)",
    "Cumulative present value", "Discounted payback in this year (years)",
)  # fmt: skip
RAMP_COLUMN = 13  # N: month number, O: share of the mature level in that month
FUNNEL_COLUMNS = (
    "Service line", "Practice", "Registered patients", "Observed", "Expected", "Ratio (observed / expected)",
    "95% lower (count)", "95% upper (count)", "99.8% lower (count)", "99.8% upper (count)", "95% lower (ratio)",
    "95% upper (ratio)", "99.8% lower (ratio)", "99.8% upper (ratio)", "Standardised rate per 1,000 a year",
    "Funnel status",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class ServiceCells:
    """Where a service's results are, for the Summary sheet's formulas and for tests."""

    sheet: str
    npv: str
    net_saving: str
    payback: str
    discounted_payback: str
    gross: tuple[str, ...]  # year 1 .. T
    net: tuple[str, ...]
    factor: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class WorkbookLayout:
    services: dict[str, ServiceCells]  # by service line
    summary_rank: dict[str, str]  # service line -> rank cell on the Summary sheet
    funnel_status: dict[tuple[str, str], str]  # (service line, practice) -> status cell
    funnel_ratio: dict[tuple[str, str], str]


def cell(row: int, column: int, sheet: str | None = None, *, absolute: bool = False) -> str:
    """A1 reference from 0-based row and column, optionally on another sheet."""
    letters = ""
    number = column + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    text = f"${letters}${row + 1}" if absolute else f"{letters}{row + 1}"
    return f"{quote_sheet(sheet)}!{text}" if sheet else text


def quote_sheet(name: str) -> str:
    return f"'{name}'" if re.search(r"[^A-Za-z0-9_]", name) else name


def sheet_name(service_line: str, taken: set[str]) -> str:
    """A valid, unique worksheet name (31 characters, none of []:*?/\\) for a service line."""
    base = re.sub(r"[\[\]:*?/\\']", "-", service_line)[:28] or "service"
    name, counter = base, 2
    while name.lower() in {item.lower() for item in taken} or name in (SUMMARY, ASSUMPTIONS, FUNNEL, LIMITS):
        name, counter = f"{base[:26]}-{counter}", counter + 1
    taken.add(name)
    return name


def _statistic(value: Decimal | int) -> float:
    """A statistic (not money) as the nearest double: expected counts and limits have many more digits."""
    return float(value)


class _Formats:
    def __init__(self, book: Any) -> None:
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.bold = book.add_format({"bold": True})
        self.header = book.add_format({"bold": True, "text_wrap": True, "valign": "top", "bottom": 2})
        self.money = book.add_format({"num_format": formatting.EXCEL_MONEY})
        self.exact = book.add_format({"num_format": formatting.EXCEL_EXACT})
        self.money_bold = book.add_format({"num_format": formatting.EXCEL_MONEY, "bold": True, "top": 2})
        self.rate = book.add_format({"num_format": formatting.EXCEL_RATE})
        self.input_rate = book.add_format({"num_format": formatting.EXCEL_RATE, "bg_color": "#FFF2CC"})
        self.input_money = book.add_format({"num_format": formatting.EXCEL_MONEY, "bg_color": "#FFF2CC"})
        self.input_count = book.add_format({"num_format": formatting.EXCEL_COUNT, "bg_color": "#FFF2CC"})
        self.factor = book.add_format({"num_format": formatting.EXCEL_FACTOR})
        self.count = book.add_format({"num_format": formatting.EXCEL_COUNT})
        self.years = book.add_format({"num_format": "0.00"})
        self.wrap = book.add_format({"text_wrap": True, "valign": "top"})
        self.muted = book.add_format({"font_color": "#4C6272", "text_wrap": True, "valign": "top"})


def write_workbook(pack: OpportunityPack) -> tuple[bytes, WorkbookLayout]:
    """The workbook's bytes and where its results are."""
    import xlsxwriter  # noqa: PLC0415  (only the pack writers need it)

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    formats = _Formats(book)
    summary = book.add_worksheet(SUMMARY)
    taken: set[str] = set()
    services: dict[str, ServiceCells] = {}
    for item in pack.opportunity.appraisal.services:
        name = sheet_name(item.case.service_line, taken)
        services[item.case.service_line] = _service_sheet(book.add_worksheet(name), name, item, pack, formats)
    _assumptions_sheet(book.add_worksheet(ASSUMPTIONS), _all_assumptions(pack), formats)
    funnel = book.add_worksheet(FUNNEL)
    status, ratio, status_ranges = _funnel_sheet(funnel, pack.variations, formats)
    _limits_sheet(book.add_worksheet(LIMITS), pack.variations, formats)
    ranks = _summary_sheet(summary, pack, services, status_ranges, formats)
    book.close()
    return buffer.getvalue(), WorkbookLayout(services, ranks, status, ratio)


def _service_sheet(
    sheet: Any, name: str, item: ServiceOpportunity, pack: OpportunityPack, formats: _Formats
) -> ServiceCells:
    case = item.case
    appraisal = pack.opportunity.appraisal
    sheet.set_column(0, 0, 44)
    sheet.set_column(1, 11, 16)
    sheet.set_column(RAMP_COLUMN, RAMP_COLUMN + 1, 14)
    sheet.write(0, 0, f"{case.name}: opportunity over {appraisal.term_years} years", formats.title)
    sheet.write(1, 0, f"Baseline: hospital activity {pack.opportunity.period.label}, as a yearly rate.", formats.muted)
    for column, text in enumerate(("Input", "Value", "Unit", "Source")):
        sheet.write(INPUT_ROW - 1, column, text, formats.header)
    at = {key: INPUT_ROW + index for index, (key, _label, _unit) in enumerate(INPUTS)}
    ref = {key: cell(row, 1, absolute=True) for key, row in at.items()}
    sources = {a.subject.rsplit(".", 1)[-1]: a.evidence.render() for a in case.assumptions}
    values: dict[str, tuple[Any, Any, str]] = {
        "activity": (_statistic(case.annual_hospital_activity), formats.input_count, "activity file (12 months)"),
        "movable": (excel.number(case.movable_share), formats.input_rate, sources.get("movable_share", "")),
        "price": (excel.pounds(case.hospital_price), formats.input_money, sources.get("hospital_price", "")),
        "ooh": (
            excel.pounds(case.out_of_hospital_cost), formats.input_money,
            sources.get("out_of_hospital_cost", ""),
        ),
        "margin": (f"={ref['price']}-{ref['ooh']}", formats.money, "formula"),
        "setup": (excel.pounds(case.setup_cost), formats.input_money, sources.get("setup_cost", "")),
        "running": (
            excel.pounds(case.annual_running_cost), formats.input_money,
            sources.get("annual_running_cost", ""),
        ),
        "ramp": (case.ramp_up_months, formats.input_count, sources.get("ramp_up_months", "")),
        "rate": (f"={RATE_CELL}", formats.rate, "Summary sheet"),
    }  # fmt: skip
    for key, label, unit in INPUTS:
        value, number_format, source = values[key]
        row = at[key]
        sheet.write(row, 0, label)
        sheet.write(row, 1, value, number_format)
        sheet.write(row, 2, unit)
        sheet.write(row, 3, source, formats.muted)
    _ramp_table(sheet, appraisal.term_years, ref["ramp"], formats)
    return _year_table(sheet, name, appraisal.term_years, ref, formats)


def _ramp_table(sheet: Any, term_years: int, ramp_months: str, formats: _Formats) -> None:
    sheet.write(TABLE_ROW, RAMP_COLUMN, "Month of the term", formats.header)
    sheet.write(TABLE_ROW, RAMP_COLUMN + 1, "Share of the mature level", formats.header)
    for month in range(1, term_years * 12 + 1):
        row = TABLE_ROW + month
        sheet.write_number(row, RAMP_COLUMN, month)
        month_cell = cell(row, RAMP_COLUMN)
        sheet.write_formula(row, RAMP_COLUMN + 1, f"=IF({ramp_months}=0,1,MIN(1,{month_cell}/{ramp_months}))",
                            formats.factor)  # fmt: skip


def _year_table(sheet: Any, name: str, term_years: int, ref: dict[str, str], formats: _Formats) -> ServiceCells:
    for column, text in enumerate(YEAR_COLUMNS):
        sheet.write(TABLE_ROW, column, text, formats.header)
    start = TABLE_ROW + 1  # year 0: the set-up cost
    sheet.write_number(start, 0, 0)
    sheet.write(start, 1, "set-up, not discounted", formats.muted)
    sheet.write_formula(start, 5, f"=-{ref['setup']}", formats.money)
    sheet.write_number(start, 6, 1, formats.factor)
    sheet.write_formula(start, 7, f"={cell(start, 5)}*{cell(start, 6)}", formats.exact)
    sheet.write_formula(start, 8, f"={cell(start, 5)}", formats.money)
    sheet.write_formula(start, 10, f"={cell(start, 7)}", formats.exact)
    for year in range(1, term_years + 1):
        _year_row(sheet, start + year, year, ref, formats)
    last = start + term_years
    first_year = start + 1
    results = last + RESULT_GAP
    labels = ("Net present value", "Net saving over the term (undiscounted)", "Payback (years)", "Discounted payback")
    formulas = (
        f"=ROUND(SUM({cell(start, 7)}:{cell(last, 7)}),2)",
        f"={cell(last, 8)}",
        _payback_formula(ref["setup"], cell(first_year, 5), cell(first_year, 9), cell(last, 9)),
        _payback_formula(ref["setup"], cell(first_year, 7), cell(first_year, 11), cell(last, 11)),
    )
    number_formats = (formats.money_bold, formats.money, formats.years, formats.years)
    for offset, (label, formula, number_format) in enumerate(zip(labels, formulas, number_formats, strict=True)):
        sheet.write(results + offset, 0, label, formats.bold)
        sheet.write_formula(results + offset, 1, formula, number_format)
    sheet.write(
        results + len(labels), 0,
        "Set-up falls at the start of the term (year 0, not discounted); each year's flows at its end. Payback "
        "assumes each year's net saving accrues evenly through the year.", formats.muted,
    )  # fmt: skip
    years = range(first_year, last + 1)
    return ServiceCells(
        sheet=name,
        npv=cell(results, 1, name),
        net_saving=cell(results + 1, 1, name),
        payback=cell(results + 2, 1, name),
        discounted_payback=cell(results + 3, 1, name),
        gross=tuple(cell(row, 3, name) for row in years),
        net=tuple(cell(row, 5, name) for row in years),
        factor=tuple(cell(row, 6, name) for row in years),
    )


def _year_row(sheet: Any, row: int, year: int, ref: dict[str, str], formats: _Formats) -> None:
    first_month = TABLE_ROW + (year - 1) * 12 + 1
    shares = f"{cell(first_month, RAMP_COLUMN + 1)}:{cell(first_month + 11, RAMP_COLUMN + 1)}"
    a, b, c, d, e, f, g, h, i, k = (cell(row, column) for column in (0, 1, 2, 3, 4, 5, 6, 7, 8, 10))
    before_i, before_k = cell(row - 1, 8), cell(row - 1, 10)
    sheet.write_number(row, 0, year)
    sheet.write_formula(row, 1, f"=AVERAGE({shares})", formats.factor)
    sheet.write_formula(row, 2, f"={ref['activity']}*{ref['movable']}*{b}", formats.count)
    sheet.write_formula(row, 3, f"=ROUND({c}*{ref['margin']},2)", formats.money)
    sheet.write_formula(row, 4, f"={ref['running']}", formats.money)
    sheet.write_formula(row, 5, f"={d}-{e}", formats.money)
    sheet.write_formula(row, 6, f"=1/(1+{ref['rate']})^{a}", formats.factor)
    sheet.write_formula(row, 7, f"={f}*{g}", formats.exact)
    sheet.write_formula(row, 8, f"={before_i}+{f}", formats.money)
    sheet.write_formula(row, 9, f'=IF(AND({before_i}<0,{i}>=0,{f}>0),{a}-1+(-{before_i})/{f},"")', formats.years)
    sheet.write_formula(row, 10, f"={before_k}+{h}", formats.exact)
    sheet.write_formula(row, 11, f'=IF(AND({before_k}<0,{k}>=0,{h}>0),{a}-1+(-{before_k})/{h},"")', formats.years)


def _payback_formula(setup: str, first_flow: str, first: str, last: str) -> str:
    """0 when there is no set-up and year 1 does not lose; else the first year's crossing, or not within the term."""
    return f'=IF(AND({setup}<=0,{first_flow}>=0),0,IF(COUNT({first}:{last})=0,"{NOT_WITHIN}",MIN({first}:{last})))'


def _summary_sheet(
    sheet: Any,
    pack: OpportunityPack,
    services: dict[str, ServiceCells],
    status_ranges: dict[str, tuple[str, str]],
    formats: _Formats,
) -> dict[str, str]:
    appraisal = pack.opportunity.appraisal
    sheet.set_column(0, 0, 8)
    sheet.set_column(1, 1, 34)
    sheet.set_column(2, 7, 18)
    sheet.write(0, 0, pack.title, formats.title)
    sheet.write(1, 0, f"Data: {pack.source}.", formats.muted)
    sheet.write(2, 0, f"Baseline: hospital activity {pack.opportunity.period.label}, as a yearly rate.", formats.muted)
    sheet.write(4, 0, "Discount rate")
    sheet.write_number(4, 1, excel.number(appraisal.discount_rate), formats.input_rate)
    sheet.write(4, 2, "HM Treasury Green Book rate; change it here and every service sheet follows.", formats.muted)
    sheet.write(5, 0, "Term")
    sheet.write(5, 1, f"{appraisal.term_years} years")
    header = 7
    columns = (
        "Rank",
        "Service",
        "Net present value",
        "Net saving over the term",
        "Payback (years)",
        "Discounted payback (years)",
        "Practices above the 99.8% limit",
        "Practices below the 99.8% limit",
    )
    for column, text in enumerate(columns):
        sheet.write(header, column, text, formats.header)
    first, last = header + 1, header + len(appraisal.services)
    ranks: dict[str, str] = {}
    for index, item in enumerate(appraisal.services):
        row = first + index
        found = services[item.case.service_line]
        npv = cell(row, 2)
        sheet.write_formula(
            row, 0, f'=COUNTIF({cell(first, 2, absolute=True)}:{cell(last, 2, absolute=True)},">"&{npv})+1'
        )
        sheet.write(row, 1, item.case.name)
        sheet.write_formula(row, 2, f"={found.npv}", formats.money)
        sheet.write_formula(row, 3, f"={found.net_saving}", formats.money)
        sheet.write_formula(row, 4, f"={found.payback}", formats.years)
        sheet.write_formula(row, 5, f"={found.discounted_payback}", formats.years)
        statuses = status_ranges.get(item.case.service_line)
        for column, word in ((6, "above 99.8%"), (7, "below 99.8%")):
            if statuses is not None:
                sheet.write_formula(
                    row, column, f'=COUNTIF({quote_sheet(FUNNEL)}!{statuses[0]}:{statuses[1]},"{word}")'
                )
        ranks[item.case.service_line] = cell(row, 0)
    sheet.write(last + 1, 1, "Total", formats.bold)
    sheet.write_formula(last + 1, 2, f"=SUM({cell(first, 2)}:{cell(last, 2)})", formats.money_bold)
    notes = (
        appraisal.discounting, appraisal.payback_convention,
        "Yellow cells are inputs (the service catalogue's defaults or the activity file); every other figure is a "
        "formula. The Assumptions sheet lists where each input comes from.",
    )  # fmt: skip
    for offset, text in enumerate(notes):
        sheet.write(
            last + 3 + offset, 1, text[0].upper() + text[1:] + ("" if text.endswith(".") else "."), formats.muted
        )
    return ranks


def _all_assumptions(pack: OpportunityPack) -> list[Assumption]:
    found: list[Assumption] = []
    for item in (*pack.opportunity.appraisal.assumptions, *(a for v in pack.variations for a in v.result.assumptions)):
        if item not in found:
            found.append(item)
    return found


def _assumptions_sheet(sheet: Any, assumptions: list[Assumption], formats: _Formats) -> None:
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, 1, 22)
    sheet.set_column(2, 2, 12)
    sheet.set_column(3, 4, 60)
    sheet.write(0, 0, "Assumptions and sources", formats.title)
    sheet.write(
        1, 0, "Kind 'assumption': a default with no citable source, to be challenged or replaced.", formats.muted
    )
    for column, text in enumerate(("Subject", "Value", "Kind", "Note", "Source")):
        sheet.write(3, column, text, formats.header)
    for index, item in enumerate(assumptions, start=4):
        kind = "assumption" if item.evidence.is_assumption else "sourced"
        for column, text in enumerate((item.subject, item.value, kind, item.evidence.note, item.evidence.source or "")):
            sheet.write_string(index, column, text, formats.wrap)


def _funnel_sheet(
    sheet: Any, variations: tuple[VariationReport, ...], formats: _Formats
) -> tuple[dict[tuple[str, str], str], dict[tuple[str, str], str], dict[str, tuple[str, str]]]:
    sheet.set_column(0, 1, 16)
    sheet.set_column(2, 15, 14)
    sheet.freeze_panes(1, 2)
    for column, text in enumerate(FUNNEL_COLUMNS):
        sheet.write(0, column, text, formats.header)
    status: dict[tuple[str, str], str] = {}
    ratio: dict[tuple[str, str], str] = {}
    ranges: dict[str, tuple[str, str]] = {}
    row = 1
    for report in variations:
        line = report.result.service_line
        first = row
        for item in sorted(report.result.practices, key=lambda p: p.practice_code):
            observed, expected = cell(row, 3), cell(row, 4)
            low95, high95, low998, high998 = (cell(row, column) for column in (6, 7, 8, 9))
            values = (
                item.interval_95.lower,
                item.interval_95.upper,
                item.interval_99_8.lower,
                item.interval_99_8.upper,
            )
            sheet.write_string(row, 0, line)
            sheet.write_string(row, 1, item.practice_code)
            sheet.write_number(row, 2, item.registered, formats.count)
            sheet.write_number(row, 3, item.observed, formats.count)
            sheet.write_number(row, 4, _statistic(item.expected), formats.count)
            sheet.write_formula(row, 5, f"={observed}/{expected}", formats.factor)
            for offset, value in enumerate(values):
                sheet.write_number(row, 6 + offset, _statistic(value), formats.count)
            for offset, bound in enumerate((low95, high95, low998, high998)):
                sheet.write_formula(row, 10 + offset, f"={bound}/{expected}", formats.factor)
            sheet.write_number(row, 14, _statistic(item.standardised_rate), formats.count)
            sheet.write_formula(
                row, 15,
                f'=IF({low998}>{expected},"above 99.8%",IF({high998}<{expected},"below 99.8%",'
                f'IF({low95}>{expected},"above 95%",IF({high95}<{expected},"below 95%","within limits"))))',
            )  # fmt: skip
            status[(line, item.practice_code)] = cell(row, 15, FUNNEL)
            ratio[(line, item.practice_code)] = cell(row, 5, FUNNEL)
            row += 1
        ranges[line] = (cell(first, 15, absolute=True), cell(row - 1, 15, absolute=True))
    note = (
        "Count limits: PHE Fingertips method (exact Poisson below 10 events, Byar's approximation from 10), computed "
        "by gainshare to 10 significant figures. A practice is above a limit when the lower end of its count's "
        "interval is above its expected count, below when the upper end is under it."
    )
    sheet.write(row + 1, 0, note)
    return status, ratio, ranges


def _limits_sheet(sheet: Any, variations: tuple[VariationReport, ...], formats: _Formats) -> None:
    sheet.set_column(0, 1, 18)
    sheet.set_column(2, 3, 16)
    sheet.write(
        0, 0, "The funnel plots' control limits: at an expected count, a ratio beyond this is outside the limit."
    )
    for column, text in enumerate(("Service line", "Limit", "Expected count", "Ratio")):
        sheet.write(2, column, text, formats.header)
    row = 3
    for report in variations:
        funnel = report.result.funnel
        lines: tuple[tuple[str, tuple[FunnelPoint, ...]], ...] = (
            ("upper 99.8%", funnel.upper_99_8), ("upper 95%", funnel.upper_95),
            ("lower 95%", funnel.lower_95), ("lower 99.8%", funnel.lower_99_8),
        )  # fmt: skip
        for label, points in lines:
            for point in points:
                sheet.write_string(row, 0, report.result.service_line)
                sheet.write_string(row, 1, label)
                sheet.write_number(row, 2, _statistic(point.expected), formats.count)
                sheet.write_number(row, 3, _statistic(point.ratio), formats.factor)
                row += 1
