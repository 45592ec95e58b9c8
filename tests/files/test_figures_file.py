"""Figures files: CSV and YAML, with every bad cell named by row and column."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from gainshare.adapters.figures_file import load_figures
from gainshare.domain.errors import InvalidInputError
from gainshare.domain.money import Money

HEADER = "period,scheme,baseline_activity,actual_activity,provision_activity\n"


def write(tmp_path: Path, text: str, name: str = "figures.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def issues(path: Path) -> list[str]:
    with pytest.raises(InvalidInputError) as caught:
        load_figures(path)
    return [issue.render() for issue in caught.value.issues]


def test_csv_rows_load_with_months_and_financial_years(tmp_path: Path) -> None:
    figures = load_figures(write(tmp_path, HEADER + "2025-04,anticoag,100,40,60\n2025-26,ecg,12.5,3,9\n"))
    first, second = figures.rows
    assert first.span.id == "2025-04" and first.baseline_activity == Decimal(100)
    assert second.span.start.isoformat() == "2025-04-01" and second.span.end.isoformat() == "2026-03-31"
    assert second.baseline_activity == Decimal("12.5")


def test_csv_costs_instead_of_activity(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "period,scheme,baseline_cost,actual_cost\n2025-26,all,£1,000.50,250\n".replace("£1,000.50", '"£1,000.50"'),
    )
    [row] = load_figures(path).rows
    assert row.baseline_cost == Money(100050) and row.actual_cost == Money(25000)


def test_negative_count_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "2025-04,anticoag,100,-4,60\n")
    assert issues(path) == [
        f"{path}, row 2, column 'actual_activity': -4 is negative; activity counts must be zero or more"
    ]


def test_bad_period_and_missing_scheme(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "April,,100,4,60\n")
    found = issues(path)
    assert any("row 2, column 'period': 'April' is not a period" in p for p in found)
    assert any("row 2, column 'scheme': the scheme id is missing" in p for p in found)


def test_unknown_column_in_header(tmp_path: Path) -> None:
    path = write(tmp_path, "period,scheme,baseline_activity,nhs_number\n2025-04,a,1,4857773456\n")
    assert issues(path) == [
        f"{path}, row 1, column 'nhs_number': unknown column; expected some of period, scheme, "
        "baseline_activity, actual_activity, provision_activity, baseline_cost, actual_cost, "
        "provision_cost"
    ]


def test_activity_and_cost_together_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "period,scheme,baseline_activity,baseline_cost\n2025-04,a,1,5\n")
    assert any("give baseline_activity or baseline_cost, not both" in p for p in issues(path))


def test_yaml_figures_with_facts(tmp_path: Path) -> None:
    text = (
        "periods:\n  2025-26: {quality_score: '0.9', population: 12000, revenue: '1000000', "
        "paid_on_account: {FED: '100.00'}}\n"
        "rows:\n  - {period: 2025-26, scheme: a, baseline_cost: '100', actual_cost: '50'}\n"
    )
    figures = load_figures(write(tmp_path, text, "figures.yaml"))
    facts = figures.facts["2025-26"]
    assert facts.quality_score == Decimal("0.9") and facts.population == 12000
    assert facts.paid_on_account == (("FED", Money(10000)),)


def test_yaml_float_money_and_score_are_refused(tmp_path: Path) -> None:
    text = "periods:\n  2025-26: {quality_score: 0.9}\nrows:\n  - {period: 2025-26, scheme: a, baseline_cost: 10.5}\n"
    found = issues(write(tmp_path, text, "figures.yaml"))
    assert found == [
        f"{tmp_path / 'figures.yaml'}, rows[1].baseline_cost: 10.5 is a float; write money as a quoted "
        "string such as '1234.56'"
    ]


def test_yaml_facts_float_score_is_refused(tmp_path: Path) -> None:
    text = "periods:\n  2025-26: {quality_score: 0.9}\nrows: []\n"
    [problem] = issues(write(tmp_path, text, "figures.yaml"))
    assert "periods.2025-26: quality_score 0.9 is a float" in problem
