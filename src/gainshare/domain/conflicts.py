"""Conflicts of interest: the register of declared interests and the flags raised when they meet a decision.

The categories follow NHS England's "Managing Conflicts of Interest in the NHS" guidance (2017): financial
interests, non-financial professional interests, non-financial personal interests, and indirect interests (those
of a close family member or business partner). A register names who declared, the organisation the interest is in,
its nature, a description, and the dates it applies from and to (none: still current).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum


class InterestNature(Enum):
    FINANCIAL = "financial"
    NON_FINANCIAL_PROFESSIONAL = "non-financial professional"
    NON_FINANCIAL_PERSONAL = "non-financial personal"
    INDIRECT = "indirect"


class DecisionKind(Enum):
    """Decisions on the commissioner side that a conflicted person should not take."""

    MILESTONE_SIGN_OFF = "milestone sign-off"
    PAYMENT_APPROVAL = "payment approval"
    AGREEMENT_SIGNATURE = "agreement signature"


class ConflictPolicy(Enum):
    REFUSE = "refuse"  # the decision is refused, and the refusal is audited
    FLAG = "flag"  # the decision goes ahead, with the flags audited and recorded against it


@dataclass(frozen=True, slots=True)
class Declaration:
    """One declared interest of one person."""

    person: str  # the person's key in the register: their email address, lower case
    person_name: str
    role: str  # position in the commissioner (for example "Governing body GP member")
    organisation_code: str  # ODS code of the organisation the interest is in (a federation or a practice)
    organisation_name: str
    nature: InterestNature
    description: str
    valid_from: date
    valid_to: date | None = None  # None: still current
    declared_on: date | None = None
    action_taken: str = ""

    def current_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True, slots=True)
class Decision:
    """A decision someone is about to take about a federation, for the conflict check."""

    kind: DecisionKind
    person: str  # the register key (email, lower case) of the person deciding
    on: date
    federation_code: str
    federation_name: str = ""
    member_codes: frozenset[str] = frozenset()  # the federation's member practices
    subject: str = ""  # what is decided, for the reason text (for example "stage year-1 for C82001")


@dataclass(frozen=True, slots=True)
class ConflictFlag:
    declaration: Declaration
    decision: Decision
    reason: str


@dataclass(frozen=True, slots=True)
class Register:
    declarations: tuple[Declaration, ...]
    source: str = ""

    def of(self, person: str) -> tuple[Declaration, ...]:
        key = person.strip().lower()
        return tuple(item for item in self.declarations if item.person == key)
