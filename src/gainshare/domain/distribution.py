"""Distribution of the federation's share: management top-slice, member practices, reinvestment projects."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from gainshare.domain.agreement import Reinvestment
from gainshare.domain.money import Money, total


class Basis(Enum):
    """What a practice's part of the practice pool is in proportion to."""

    WEIGHTED_LIST = "weighted-list"
    ACTIVITY = "activity"
    PERFORMANCE = "performance"


class LossHandling(Enum):
    """How a negative share (a loss the federation bears) is passed on."""

    LIKE_GAINS = "like-gains"  # the same split as a gain: top-slice, projects and practices all bear part
    PRACTICES = "practices"  # practices bear it all, on their usual basis
    CENTRAL = "central"  # the federation bears it centrally; nothing passes on


class RecipientKind(Enum):
    MANAGEMENT = "management"
    PROJECT = "project"
    PRACTICE = "practice"
    CENTRAL = "central"


@dataclass(frozen=True, slots=True)
class PracticeMeasures:
    practice: str
    weighted_list: Decimal = Decimal(0)
    activity: Decimal = Decimal(0)  # units delivered for the schemes (e.g. hub appointments)
    score: Decimal = Decimal(0)  # performance score; parts are in proportion to it


@dataclass(frozen=True, slots=True)
class DistributionPolicy:
    top_slice: Decimal  # management's rate of the share
    mix: tuple[tuple[Basis, Decimal], ...]  # weights of the bases in the practice pool (normalised)
    reinvestment: tuple[Reinvestment, ...] = ()  # each project's rate of the share
    losses: LossHandling = LossHandling.LIKE_GAINS
    clause: str = "distribution"


@dataclass(frozen=True, slots=True)
class AllocationLine:
    recipient: str
    kind: RecipientKind
    amount: Money
    fraction: Decimal  # exact fraction of the share this line stands for, before rounding to pence
    basis: str
    inputs: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Distribution:
    federation: str
    period: str
    share: Money
    clause: str
    lines: tuple[AllocationLine, ...]

    def total(self) -> Money:
        return total([line.amount for line in self.lines])

    def amount_for(self, recipient: str) -> Money:
        return total([line.amount for line in self.lines if line.recipient == recipient])

    def lines_of(self, kind: RecipientKind) -> tuple[AllocationLine, ...]:
        return tuple(line for line in self.lines if line.kind is kind)
