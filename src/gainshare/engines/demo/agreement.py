"""A demo agreement and its figures, as plain documents in the project's agreement and figures formats.

The agreement's term starts at the scheme start; its baseline year is the twelve months before. Figures are
monthly scheme rows (hospital activity in the same month of the baseline year, hospital activity now, hub
activity now) for every complete settlement year inside the data, plus each year's registered population.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from gainshare.domain.money import Money, format_rate
from gainshare.domain.periods import add_months, split_term
from gainshare.engines.demo.calendar import financial_year_index
from gainshare.engines.demo.federation import DemoFederation

AGREEMENT_ID = "demo-federation"
COMMISSIONER = {"id": "ICB", "role": "commissioner", "name": "NHS Northvale Integrated Care Board (synthetic)"}
COMMISSIONER_ODS = "QZZ"
FEDERATION = {"id": "FED", "role": "provider", "name": "Northvale GP Federation (synthetic)"}
FEDERATION_ODS = "Y99901"
TERM_YEARS = 3
PLANNED_SAVING = (0.09, 0.12, 0.14)  # each year's planned net saving per scheme, of its baseline-year hospital cost


def _rate(value: float) -> str:
    return format_rate(Decimal(str(round(value, 4))))


def agreement_document(federation: DemoFederation) -> dict[str, Any]:
    """An agreement file (format version 1) for the federation's schemes, 50:50 above a 1% threshold, with planned
    savings per scheme and year and payments on account in the first year."""
    parameters = federation.parameters
    start = parameters.scheme_start
    end = add_months(start, 12 * TERM_YEARS) - timedelta(days=1)
    start_index = parameters.activity.scheme_start_index
    baseline_year = int(financial_year_index(federation.months)[start_index - 1])
    prices = federation.activity.hospital_prices_pence[:, baseline_year]
    periods = [period.id for period in split_term(start, end, 12)]
    first_period = periods[0]
    baseline_activity = federation.activity.hospital.sum(axis=0)[:, start_index - 12 : start_index].sum(axis=1)
    schemes: list[dict[str, Any]] = []
    for index, line in enumerate(federation.lines):
        scheme: dict[str, Any] = {
            "id": line.id,
            "name": line.name,
            "hospital_price": Money(int(prices[index])).plain(),
            "provision_price": Money(int(federation.activity.hub_prices_pence[index])).plain(),
            "planned_saving": {
                period: str(round(int(baseline_activity[index]) * int(prices[index]) * rate / 10_000) * 100)
                for period, rate in zip(periods, PLANNED_SAVING, strict=True)
            },
        }
        if index == 0:
            scheme["setup_funding"] = {"amount": "25000.00", "period": first_period}
        schemes.append(scheme)
    practices = [
        {"id": f"P{index + 1:02d}", "role": "practice", "name": p.name, "ods_code": p.code, "member_of": "FED"}
        for index, p in enumerate(federation.practices)
    ]
    return {
        "gainshare": 1,
        "id": AGREEMENT_ID,
        "version": 1,
        "title": "Northvale out-of-hospital services gain share (synthetic demo)",
        "parties": [
            {**COMMISSIONER, "ods_code": COMMISSIONER_ODS},
            {**FEDERATION, "ods_code": FEDERATION_ODS},
            *practices,
        ],
        "term": {"start": start, "end": end, "settlement_period": "annual"},
        "baseline": {
            "list_growth": _rate(baseline_list_growth(federation)),
            "price_uplift": _rate(parameters.activity.price_uplift),
            "efficiency": _rate(parameters.activity.efficiency),
        },
        "schemes": schemes,
        "sharing": {
            "gains": {
                "provider_share": "50%",
                "threshold": {"percent_of_baseline": "1%", "sharing": "first-pound", "clause": "Schedule 2, 3.1"},
                "cap": {"percent_of_baseline": "15%"},
            },
            "rounding": "half-up",
        },
        "payments_on_account": {  # on account of the first year's forecast share, then the year-end true-up
            "instalments": [
                {"due": add_months(start, 7) - timedelta(days=1), "percent": "25%"},
                {"due": add_months(start, 10) - timedelta(days=1), "percent": "50%"},
            ],
            "clause": "Schedule 3, 2.1",
        },
        "reinvestment": [{"project": "Frailty hub", "share_of_provider_gain": "40%"}],
    }


def baseline_list_growth(federation: DemoFederation) -> float:
    """The federation's registered list growth over the baseline year, to a tenth of a percent."""
    start = federation.parameters.activity.scheme_start_index
    totals = federation.list_sizes.sum(axis=0)
    return round(float(totals[start] / totals[start - 12]) - 1.0, 3)


def figures_document(federation: DemoFederation) -> dict[str, Any]:
    """Monthly scheme rows and yearly facts for every complete settlement year in the data."""
    start = federation.parameters.activity.scheme_start_index
    years = (len(federation.months) - start) // 12
    hospital = federation.activity.hospital.sum(axis=0)  # (L, M)
    hub = federation.activity.hub.sum(axis=0)
    totals = federation.list_sizes.sum(axis=0)
    term = split_term(federation.months[start], add_months(federation.months[start], 12 * TERM_YEARS), 12)
    rows: list[dict[str, Any]] = []
    for month in range(start, start + 12 * years):
        baseline_month = start - 12 + (month - start) % 12
        label = _month_label(federation.months[month])
        for index, line in enumerate(federation.lines):
            rows.append(
                {
                    "period": label,
                    "scheme": line.id,
                    "baseline_activity": int(hospital[index, baseline_month]),
                    "actual_activity": int(hospital[index, month]),
                    "provision_activity": int(hub[index, month]),
                }
            )
    periods = {term[year].id: {"population": int(totals[start + 12 * year + 11])} for year in range(years)}
    return {"agreement": AGREEMENT_ID, "periods": periods, "rows": rows}


def _month_label(month: date) -> str:
    return f"{month.year:04d}-{month.month:02d}"
