"""A settlement: lines that each explain themselves and name the clause that produced them."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum

from gainshare.domain.money import Money


class LineKind(Enum):
    COST = "cost"  # baseline, actual and provision costs per scheme
    SAVING = "saving"  # net saving per scheme and in total
    STEP = "step"  # an intermediate step of the sharing rules
    SHARE = "share"  # a party's final share
    ACCOUNT = "account"  # payments on account and the true-up


@dataclass(frozen=True, slots=True)
class SettlementLine:
    kind: LineKind
    code: str
    description: str
    clause: str
    amount: Money
    exact: Decimal | None = None  # the unrounded value in pence, where rounding happened on this line
    party: str | None = None
    scheme: str | None = None
    inputs: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Settlement:
    agreement_id: str
    agreement_version: int
    period: str
    lines: tuple[SettlementLine, ...]
    net_saving: Money
    baseline_cost: Money
    shares: tuple[tuple[str, Money], ...]  # party id -> share (negative: the party bears a loss)
    true_ups: tuple[tuple[str, Money], ...] = field(default_factory=tuple)

    def share_of(self, party_id: str) -> Money:
        return dict(self.shares).get(party_id, Money(0))

    def lines_of(self, kind: LineKind) -> tuple[SettlementLine, ...]:
        return tuple(line for line in self.lines if line.kind is kind)
