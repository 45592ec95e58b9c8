"""The ODS GP practice list `epraccur`: a headerless CSV in the published 27-column layout (or its zip)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from gainshare.adapters.loaders._columns import as_text, by_distinct_value, codes, empty, required_text
from gainshare.adapters.loaders._csv import read_csv_text
from gainshare.domain.practices import Practice, PracticeList, PracticeStatus

# The published layout; the five address lines are why there are 27 columns.
COLUMNS: tuple[str, ...] = (
    "organisation_code",
    "name",
    "national_grouping",
    "high_level_health_geography",
    "address_line_1",
    "address_line_2",
    "address_line_3",
    "address_line_4",
    "address_line_5",
    "postcode",
    "open_date",
    "close_date",
    "status_code",
    "organisation_sub_type_code",
    "commissioner",
    "join_provider_purchaser_date",
    "left_provider_purchaser_date",
    "contact_telephone_number",
    "null_1",
    "null_2",
    "null_3",
    "amended_record_indicator",
    "null_4",
    "provider_purchaser",
    "null_5",
    "prescribing_setting",
    "null_6",
)
ADDRESS = ("address_line_1", "address_line_2", "address_line_3", "address_line_4", "address_line_5")
DATES = ("open_date", "close_date", "join_provider_purchaser_date", "left_provider_purchaser_date")
STATUSES = "".join(status.value for status in PracticeStatus)


def load_epraccur(path: Path) -> PracticeList:
    """Every practice in the file, or InvalidInputError naming each bad row and column."""
    text = read_csv_text(path, column_names=COLUMNS)
    table = text.table
    problems = text.problems()
    columns: dict[str, pa.ChunkedArray] = {name: as_text(table.column(name)) for name in COLUMNS}
    columns["organisation_code"] = codes(
        table.column("organisation_code"),
        "organisation_code",
        problems,
        r"^[A-Z0-9]{3,8}$",
        "an ODS organisation code (3 to 8 letters and digits, like A81001)",
    )
    required_text(table.column("name"), "name", problems)
    columns["status_code"] = codes(
        table.column("status_code"),
        "status_code",
        problems,
        f"^[{STATUSES}]$",
        f"a status code ({', '.join(STATUSES)})",
    )
    setting = columns["prescribing_setting"]
    bad_setting = pc.invert(pc.or_(empty(setting), pc.match_substring_regex(setting, r"^[0-9]{1,3}$")))
    problems.add_rows(
        "value.number", "prescribing_setting", bad_setting, setting, lambda v: f"{v!r} is not a prescribing setting"
    )
    dates = {
        name: by_distinct_value(
            table.column(name), name, problems, _ods_date, "a date written YYYYMMDD (or empty)", optional=True
        )
        for name in DATES
    }
    problems.raise_if_any()
    return PracticeList(_practices(columns, dates), str(path))


def _ods_date(text: str) -> date:
    if len(text) != 8 or not text.isdigit():
        raise ValueError(text)
    return datetime.strptime(text, "%Y%m%d").date()


def _practices(columns: dict[str, pa.ChunkedArray], dates: dict[str, pa.ChunkedArray]) -> tuple[Practice, ...]:
    lists = {name: columns[name].to_pylist() for name in COLUMNS}
    day_lists = {name: dates[name].to_pylist() for name in DATES}
    practices: list[Practice] = []
    for index, code in enumerate(lists["organisation_code"]):
        setting = lists["prescribing_setting"][index]
        practices.append(
            Practice(
                code=code,
                name=lists["name"][index],
                postcode=lists["postcode"][index],
                status=PracticeStatus(lists["status_code"][index]),
                commissioner_code=lists["commissioner"][index],
                open_date=day_lists["open_date"][index],
                close_date=day_lists["close_date"][index],
                national_grouping=lists["national_grouping"][index],
                health_geography=lists["high_level_health_geography"][index],
                address=tuple(line for name in ADDRESS if (line := lists[name][index])),
                sub_type=lists["organisation_sub_type_code"][index],
                join_provider_date=day_lists["join_provider_purchaser_date"][index],
                left_provider_date=day_lists["left_provider_purchaser_date"][index],
                telephone=lists["contact_telephone_number"][index],
                provider_purchaser=lists["provider_purchaser"][index],
                prescribing_setting=int(setting) if setting else None,
            )
        )
    return tuple(practices)
