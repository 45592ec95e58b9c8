"""Inter-practice referrals: items one member practice provides for another's patients, at an agreed price."""

from __future__ import annotations

from dataclasses import dataclass

from gainshare.domain.money import Money, total


@dataclass(frozen=True, slots=True)
class ReferralItem:
    referring: str  # the practice whose patients were seen; it pays
    providing: str  # the practice (or hub) that saw them; it is paid
    month: str  # 'YYYY-MM'
    items: int
    price: Money  # per item
    source_row: int | None = None

    @property
    def amount(self) -> Money:
        return Money(self.items * self.price.pence)


@dataclass(frozen=True, slots=True)
class CounterpartyLine:
    counterparty: str
    items_out: int  # referred by this practice to the counterparty
    amount_out: Money
    items_in: int  # received by this practice from the counterparty
    amount_in: Money

    @property
    def net(self) -> Money:
        return self.amount_in - self.amount_out


@dataclass(frozen=True, slots=True)
class PracticeStatement:
    """One practice's month: what it referred out, what it received, and the one amount it pays or receives."""

    practice: str
    month: str
    lines: tuple[CounterpartyLine, ...]

    @property
    def items_out(self) -> int:
        return sum(line.items_out for line in self.lines)

    @property
    def amount_out(self) -> Money:
        return total([line.amount_out for line in self.lines])

    @property
    def items_in(self) -> int:
        return sum(line.items_in for line in self.lines)

    @property
    def amount_in(self) -> Money:
        return total([line.amount_in for line in self.lines])

    @property
    def net(self) -> Money:
        """Positive: the practice receives this; negative: it pays."""
        return self.amount_in - self.amount_out


@dataclass(frozen=True, slots=True)
class MonthlyNetting:
    month: str
    statements: tuple[PracticeStatement, ...]

    def total_net(self) -> Money:
        """Always zero: every item is paid by one practice and received by another."""
        return total([statement.net for statement in self.statements])

    def statement_of(self, practice: str) -> PracticeStatement:
        for statement in self.statements:
            if statement.practice == practice:
                return statement
        raise KeyError(practice)
