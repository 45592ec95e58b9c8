"""GP practices as the ODS practice list (epraccur) describes them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from enum import Enum


class PracticeStatus(Enum):
    """ODS status codes."""

    ACTIVE = "A"
    CLOSED = "C"
    DORMANT = "D"
    PROPOSED = "P"


# ODS prescribing settings (epraccur column 26) that matter here; the full list has about twenty.
PRESCRIBING_SETTING_GP_PRACTICE = 4


@dataclass(frozen=True, slots=True)
class Practice:
    code: str
    name: str
    postcode: str
    status: PracticeStatus
    commissioner_code: str
    open_date: date | None = None
    close_date: date | None = None
    national_grouping: str = ""
    health_geography: str = ""
    address: tuple[str, ...] = ()
    sub_type: str = ""
    join_provider_date: date | None = None
    left_provider_date: date | None = None
    telephone: str = ""
    provider_purchaser: str = ""
    prescribing_setting: int | None = None

    @property
    def is_gp_practice(self) -> bool:
        return self.prescribing_setting == PRESCRIBING_SETTING_GP_PRACTICE

    def open_on(self, day: date) -> bool:
        """Whether the practice was open on the day (by its open and close dates; proposed ones never are)."""
        if self.status is PracticeStatus.PROPOSED:
            return False
        opened = self.open_date is None or self.open_date <= day
        return opened and (self.close_date is None or day <= self.close_date)


@dataclass(frozen=True, slots=True)
class PracticeList:
    """The practices of one ODS extract, by code."""

    practices: tuple[Practice, ...]
    source: str = ""
    _by_code: dict[str, Practice] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_code", {practice.code: practice for practice in self.practices})

    def __len__(self) -> int:
        return len(self.practices)

    def __iter__(self) -> Iterator[Practice]:
        return iter(self.practices)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def get(self, code: str) -> Practice | None:
        return self._by_code.get(code)

    def codes(self) -> frozenset[str]:
        return frozenset(self._by_code)

    def where(
        self, *, commissioner: str | None = None, statuses: Iterable[PracticeStatus] | None = None
    ) -> tuple[Practice, ...]:
        """Practices of one commissioner (sub-ICB or CCG code) and/or with one of the statuses."""
        wanted = frozenset(statuses) if statuses is not None else None
        return tuple(
            practice
            for practice in self.practices
            if (commissioner is None or practice.commissioner_code == commissioner)
            and (wanted is None or practice.status in wanted)
        )
