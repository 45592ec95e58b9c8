"""The organisations in an agreement."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

# ODS organisation codes: practices are a letter and five digits (A81001); commissioners,
# federations and trusts use 3 to 6 alphanumerics (QHL, 15E, RRK, Y06453...).
_ODS_CODE = re.compile(r"^[A-Z0-9]{3,8}$")
_PRACTICE_CODE = re.compile(r"^[A-Z]\d{5}$")


class PartyRole(Enum):
    COMMISSIONER = "commissioner"
    PROVIDER = "provider"
    PRACTICE = "practice"


def is_ods_code(code: str) -> bool:
    return bool(_ODS_CODE.match(code))


def is_practice_code(code: str) -> bool:
    return bool(_PRACTICE_CODE.match(code))


@dataclass(frozen=True, slots=True)
class Party:
    id: str
    name: str
    role: PartyRole
    ods_code: str | None = None
    member_of: str | None = None

    @property
    def shares_in_settlement(self) -> bool:
        return self.role in (PartyRole.COMMISSIONER, PartyRole.PROVIDER)
