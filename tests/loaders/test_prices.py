from __future__ import annotations

from pathlib import Path

from gainshare.adapters.loaders.prices import load_local_prices, load_national_prices
from gainshare.domain.money import Money
from tests.loaders.conftest import issues_of, prices_sheets, rendered, write_csv, write_xlsx


def test_finds_tables_under_title_rows(prices_xlsx: Path) -> None:
    prices = load_national_prices(prices_xlsx)
    dermatology = prices.attendance("330")
    assert dermatology is not None
    assert dermatology.name == "Dermatology"
    assert (dermatology.first_single, dermatology.first_multi) == (Money(16000), Money(19400))
    assert (dermatology.follow_up_single, dermatology.follow_up_multi) == (Money(8725), Money(12000))
    surgery = prices.attendance("100")
    assert surgery is not None and surgery.first_multi == Money(20150) and surgery.follow_up_multi is None
    assert [(p.hrg, p.price) for p in prices.procedures] == [("JC42B", Money(14550))]  # '-' and blank: no price


def test_header_not_found_names_the_sheets(tmp_path: Path) -> None:
    sheets = prices_sheets()
    sheets["2. OP procedures"][1] = ["Code", "Description", "Price"]
    issues = issues_of(lambda: load_national_prices(write_xlsx(tmp_path / "p.xlsx", sheets)))
    text = rendered(issues)
    assert "no outpatient procedure table found" in text
    assert "'Cover', '1. OP attendances', '2. OP procedures'" in text
    assert "hrg (one of hrg, hrg_code)" in text


def test_price_with_three_decimal_places(tmp_path: Path) -> None:
    sheets = prices_sheets()
    sheets["1. OP attendances"][5][4] = 87.255
    issues = issues_of(lambda: load_national_prices(write_xlsx(tmp_path / "p.xlsx", sheets)))
    assert rendered(issues) == (
        f"{tmp_path / 'p.xlsx'} (sheet '1. OP attendances'), row 6, column 'Follow-up attendance - single "
        "professional': '87.255' has more than two decimal places; prices are whole pence"
    )


def test_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "p.xlsx"
    path.write_text("not excel")
    assert issues_of(lambda: load_national_prices(path))[0].code == "file.unreadable"


def test_local_prices(tmp_path: Path) -> None:
    rows = [["dermatology", "attendance", "95.00"], ["ophthalmology", "attendance", "£1,072.5"]]
    prices = load_local_prices(write_csv(tmp_path / "local.csv", rows, ["service_line", "unit", "price"]))
    assert [(p.service_line, p.unit, p.price) for p in prices] == [
        ("dermatology", "attendance", Money(9500)),
        ("ophthalmology", "attendance", Money(107250)),
    ]


def test_local_price_float_looking_money(tmp_path: Path) -> None:
    rows = [["dermatology", "attendance", "95.125"]]
    issues = issues_of(
        lambda: load_local_prices(write_csv(tmp_path / "l.csv", rows, ["service_line", "unit", "price"]))
    )
    assert [(i.source.row, i.source.column, i.code) for i in issues] == [(2, "price", "value.precision")]


def test_local_price_duplicate_service_line(tmp_path: Path) -> None:
    rows = [["dermatology", "attendance", "95"], ["dermatology", "attendance", "96"]]
    issues = issues_of(
        lambda: load_local_prices(write_csv(tmp_path / "l.csv", rows, ["service_line", "unit", "price"]))
    )
    assert "row 3, column 'service_line': 'dermatology' already has a price at row 2" in rendered(issues)
