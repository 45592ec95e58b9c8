"""Refusing patient identifiers: columns named like names or NHS numbers, or holding valid NHS numbers.

Activity files must carry pseudonymised ids only. A column is refused when its name looks like a name or an
NHS number, or when most of a sample of its values are valid NHS numbers (10 digits passing the Modulus 11
check). A random 10-digit pseudonym passes that check about one time in eleven, so a column of pseudonyms is not
mistaken for NHS numbers.
"""

from __future__ import annotations

import re

import pyarrow as pa
import pyarrow.compute as pc
from nhs_number.validate import is_valid

from gainshare.adapters.loaders._problems import Problems

SAMPLE_SIZE = 1000
SCAN_ROWS = 200_000  # NHS numbers would be everywhere in a column, so the first rows tell
NHS_NUMBER_SHARE = 0.8  # this share of the sampled 10-digit values being valid NHS numbers refuses the column

_NAME_WORDS = ("forename", "forenames", "surname", "firstname", "lastname", "givenname", "familyname", "fullname")
_NHS_NUMBER_NAMES = re.compile(r"^(patient)?(nhs|nhsno|nhsnum|nhsnumber|newnhsno|nhsnumberverified)$")
_TEN_DIGITS = r"^[0-9]{3}[ -]?[0-9]{3}[ -]?[0-9]{4}$"


def _squashed(column: str) -> str:
    return re.sub(r"[^a-z0-9]", "", column.lower())


def is_name_column(column: str) -> bool:
    squashed = _squashed(column)
    if squashed in {"name", "names", "middlename", "patientname", "personname", "patient"}:
        return True
    return any(squashed.endswith(word) or squashed.startswith(word) for word in _NAME_WORDS)


def is_nhs_number_column(column: str) -> bool:
    squashed = _squashed(column)
    return bool(_NHS_NUMBER_NAMES.match(squashed)) or ("nhs" in squashed and "number" in squashed)


def looks_like_nhs_numbers(values: pa.Array | pa.ChunkedArray) -> bool:
    """Whether most of a sample of the column's 10-digit values are valid NHS numbers."""
    if not (pa.types.is_string(values.type) or pa.types.is_integer(values.type)):
        return False
    text = pc.utf8_trim_whitespace(pc.cast(values, pa.string()))
    candidates = pc.filter(text, pc.fill_null(pc.match_substring_regex(text, _TEN_DIGITS), False))
    sample = pc.unique(candidates).slice(0, SAMPLE_SIZE).to_pylist()
    if not sample:
        return False
    valid = sum(1 for item in sample if is_valid(re.sub(r"[ -]", "", item)))
    return valid >= NHS_NUMBER_SHARE * len(sample)


def check_no_identifiers(table: pa.Table, problems: Problems) -> None:
    """Add an Issue for each column that looks like a name or NHS number, by its name or by its values."""
    for column in table.column_names:
        if is_nhs_number_column(column):
            problems.add(
                "identifier.nhs_number",
                "the column is named like an NHS number; activity files must not carry NHS numbers "
                "(use a pseudonymised patient_id)",
                row=1,
                column=column,
            )
        elif is_name_column(column):
            problems.add(
                "identifier.name",
                "the column is named like a person's name; activity files must not carry names",
                row=1,
                column=column,
            )
        elif looks_like_nhs_numbers(table.column(column).slice(0, SCAN_ROWS)):
            problems.add(
                "identifier.nhs_number",
                "the column's values are valid NHS numbers (10 digits passing the Modulus 11 check); activity "
                "files must not carry NHS numbers (use a pseudonymised patient_id)",
                column=column,
            )
