"""The landscape dataset shipped with the package: the 63 CCGs of HSJ's 2015 survey on incentivising federation.

`gainshare/data/ccg_survey_2015.csv` holds, for the 60 CCGs the article names, the status the article gives them,
the MCP vanguard flag, the example schemes, the CCG's ODS code and name in 2015, the chain of successor CCGs, and
the sub-ICB location and ICB that cover its practices today. Where the codes came from is in docs/incentives.md.

Names resolve leniently (case, "NHS", "CCG", "&" and punctuation do not matter) and through documented aliases for
the article's misspellings: "South Worchestershire" is South Worcestershire, "Blackburn with Darwin" is Blackburn
with Darwen, and "Harrogate and Rural Districts" is Harrogate and Rural District.
"""

from __future__ import annotations

import csv
import io
import re
from importlib import resources

from gainshare.domain.errors import InvalidInputError, NotFoundError
from gainshare.domain.incentives import SurveyEntry, SurveyStatus
from gainshare.domain.issues import Issue, Source

PACKAGED = "ccg_survey_2015.csv"
ALIASES = {
    "south worchestershire": "south worcestershire",
    "blackburn with darwin": "blackburn with darwen",
    "harrogate and rural districts": "harrogate and rural district",
}
_COLUMNS = (
    "survey_name",
    "status",
    "mcp_vanguard",
    "ccg_code",
    "ccg_name",
    "successor_chain",
    "sub_icb_code",
    "sub_icb_name",
    "icb_code",
    "icb_name",
    "name_note",
    "scheme_note",
)


def normalise(name: str) -> str:
    """'NHS Eastbourne, Hailsham & Seaford CCG' -> 'eastbourne hailsham and seaford'."""
    text = name.lower().replace("&", " and ")
    text = re.sub(r"[^a-z0-9 ]+", " ", text)
    words = [word for word in text.split() if word not in {"nhs", "ccg", "clinical", "commissioning", "group"}]
    joined = " ".join(words)
    return ALIASES.get(joined, joined)


def load_landscape() -> tuple[SurveyEntry, ...]:
    """The packaged survey dataset; InvalidInputError if the file has been damaged."""
    text = resources.files("gainshare.data").joinpath(PACKAGED).read_text(encoding="utf-8")
    return parse_landscape(text, f"gainshare/data/{PACKAGED}")


def parse_landscape(text: str, name: str) -> tuple[SurveyEntry, ...]:
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != _COLUMNS:
        raise InvalidInputError(
            [Issue("landscape.header", f"expected the columns {', '.join(_COLUMNS)}", Source(name))]
        )
    entries: list[SurveyEntry] = []
    issues: list[Issue] = []
    for number, row in enumerate(reader, start=2):
        try:
            entries.append(_entry(row))
        except ValueError as error:
            issues.append(Issue("landscape.row", str(error), Source(file=name, row=number)))
    if issues:
        raise InvalidInputError(issues)
    return tuple(entries)


def _entry(row: dict[str, str]) -> SurveyEntry:
    if row["mcp_vanguard"] not in {"yes", "no"}:
        raise ValueError(f"mcp_vanguard must be yes or no, not {row['mcp_vanguard']!r}")
    return SurveyEntry(
        survey_name=row["survey_name"],
        status=SurveyStatus(row["status"]),
        mcp_vanguard=row["mcp_vanguard"] == "yes",
        ccg_code=row["ccg_code"],
        ccg_name=row["ccg_name"],
        successor_chain=row["successor_chain"],
        sub_icb_code=row["sub_icb_code"],
        sub_icb_name=row["sub_icb_name"],
        icb_code=row["icb_code"],
        icb_name=row["icb_name"],
        name_note=row["name_note"],
        scheme_note=row["scheme_note"],
    )


def resolve(name: str, entries: tuple[SurveyEntry, ...]) -> SurveyEntry:
    """The entry for a CCG name as the article or ODS spells it (or its 2015 code); NotFoundError otherwise."""
    wanted = normalise(name)
    for entry in entries:
        if (
            wanted in {normalise(entry.survey_name), normalise(entry.ccg_name)}
            or name.strip().upper() == entry.ccg_code
        ):
            return entry
    raise NotFoundError(f"no CCG of the 2015 survey is called {name!r}")


def select(
    entries: tuple[SurveyEntry, ...], status: SurveyStatus | None = None, icb_code: str | None = None
) -> tuple[SurveyEntry, ...]:
    return tuple(
        entry
        for entry in entries
        if (status is None or entry.status is status) and (icb_code is None or entry.icb_code == icb_code.upper())
    )
