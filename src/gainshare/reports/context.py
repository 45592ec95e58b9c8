"""Declared report contexts: typed values that a template or workbook writer reads, built from domain values.

A context holds what one document shows and nothing else; the writers (HTML, PDF, Excel) never reach back into
engines or services. The caller passes the time the document was generated, so building a context reads no clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from gainshare import __version__
from gainshare.domain.agreement import Agreement
from gainshare.domain.figures import Figures, PeriodFacts, SchemeFigures
from gainshare.domain.ledger import Transaction
from gainshare.domain.money import Money, format_rate, total
from gainshare.domain.parties import Party, PartyRole
from gainshare.domain.periods import Period
from gainshare.domain.settlement import LineKind, Settlement, SettlementLine
from gainshare.engines.settlement import group_rows


@dataclass(frozen=True, slots=True)
class SchemeSection:
    """One scheme's cost lines and net saving in the period."""

    id: str
    name: str
    baseline: Money
    actual: Money
    provision: Money
    setup: Money
    net_saving: Money
    lines: tuple[SettlementLine, ...]  # the cost lines, then the scheme's net saving line


@dataclass(frozen=True, slots=True)
class ShareRow:
    party: Party
    amount: Money
    line: SettlementLine


@dataclass(frozen=True, slots=True)
class PostingRow:
    account: str
    debit: Money | None
    credit: Money | None


@dataclass(frozen=True, slots=True)
class LedgerSection:
    key: str
    description: str
    postings: tuple[PostingRow, ...]
    debits: Money
    credits: Money

    @property
    def balanced(self) -> bool:
        return self.debits == self.credits


@dataclass(frozen=True, slots=True)
class StatementContext:
    """Everything the settlement statement shows, for one period of one agreement version."""

    agreement: Agreement
    period: Period
    settlement: Settlement
    rows: tuple[SchemeFigures, ...]  # the figures settled in this period, as supplied
    facts: PeriodFacts
    schemes: tuple[SchemeSection, ...]
    total_line: SettlementLine
    steps: tuple[SettlementLine, ...]
    provider_side: SettlementLine
    shares: tuple[ShareRow, ...]
    account_lines: tuple[SettlementLine, ...]
    true_ups: tuple[tuple[Party, Money], ...]
    ledger: tuple[LedgerSection, ...]
    notes: tuple[str, ...]
    generated_at: datetime
    generator: str = f"gainshare {__version__}"

    @property
    def title(self) -> str:
        return f"Settlement statement {self.period.id}"

    @property
    def reference(self) -> str:
        """Agreement id, version and period: printed on every page."""
        return f"{self.agreement.id} v{self.agreement.version} · {self.period.id}"

    @property
    def commissioner_total(self) -> Money:
        return self.settlement.net_saving - self.provider_side.amount

    @property
    def shares_total(self) -> Money:
        return total([row.amount for row in self.shares])

    def total_of(self, column: str) -> Money:
        """The total of one cost column over the schemes: 'baseline', 'actual', 'provision' or 'setup'."""
        if column not in ("baseline", "actual", "provision", "setup", "net_saving"):
            raise ValueError(f"no cost column {column!r}")
        return total([getattr(scheme, column) for scheme in self.schemes])


def build_statement_context(
    agreement: Agreement,
    figures: Figures,
    settlement: Settlement,
    transactions: list[Transaction],
    generated_at: datetime,
    notes: tuple[str, ...] = (),
) -> StatementContext:
    """The statement context for one settled period. The settlement must be of this agreement and figures."""
    if (settlement.agreement_id, settlement.agreement_version) != (agreement.id, agreement.version):
        raise ValueError(
            f"settlement of {settlement.agreement_id} v{settlement.agreement_version} does not belong to "
            f"{agreement.id} v{agreement.version}"
        )
    period = agreement.period(settlement.period)
    key = f"{agreement.id}/v{agreement.version}/{period.id}/"
    provider_side = _single(settlement, "share.provider_side")
    return StatementContext(
        agreement=agreement,
        period=period,
        settlement=settlement,
        rows=tuple(group_rows(agreement, figures).get(period.id, [])),
        facts=figures.facts.get(period.id, PeriodFacts()),
        schemes=_schemes(agreement, settlement),
        total_line=_single(settlement, "saving.total"),
        steps=settlement.lines_of(LineKind.STEP),
        provider_side=provider_side,
        shares=tuple(
            ShareRow(agreement.party(line.party), line.amount, line)
            for line in settlement.lines_of(LineKind.SHARE)
            if line.party is not None
        ),
        account_lines=settlement.lines_of(LineKind.ACCOUNT),
        true_ups=tuple((agreement.party(party), amount) for party, amount in settlement.true_ups),
        ledger=tuple(_ledger(tx) for tx in transactions if tx.key.startswith(key)),
        notes=standard_notes(agreement) + notes,
        generated_at=generated_at,
    )


def _single(settlement: Settlement, code: str) -> SettlementLine:
    found = [line for line in settlement.lines if line.code == code]
    if len(found) != 1:
        raise ValueError(f"a settlement has one {code!r} line; this one has {len(found)}")
    return found[0]


def _schemes(agreement: Agreement, settlement: Settlement) -> tuple[SchemeSection, ...]:
    sections = []
    for scheme in agreement.schemes:
        lines = tuple(line for line in settlement.lines if line.scheme == scheme.id)
        if not lines:
            continue
        amounts = {line.code: line.amount for line in lines}
        sections.append(
            SchemeSection(
                id=scheme.id,
                name=scheme.name,
                baseline=amounts.get("cost.baseline", Money(0)),
                actual=amounts.get("cost.actual", Money(0)),
                provision=amounts.get("cost.provision", Money(0)),
                setup=amounts.get("cost.setup", Money(0)),
                net_saving=amounts.get("saving.scheme", Money(0)),
                lines=lines,
            )
        )
    return tuple(sections)


def _ledger(transaction: Transaction) -> LedgerSection:
    rows = tuple(
        PostingRow(p.account, p.amount if p.amount.pence > 0 else None, -p.amount if p.amount.pence < 0 else None)
        for p in transaction.postings
    )
    debits = Money(sum(p.amount.pence for p in transaction.postings if p.amount.pence > 0))
    credits = Money(-sum(p.amount.pence for p in transaction.postings if p.amount.pence < 0))
    return LedgerSection(transaction.key, transaction.description, rows, debits, credits)


def standard_notes(agreement: Agreement) -> tuple[str, ...]:
    """The assumptions every statement states: units, rounding, sign conventions, which side bears losses."""
    rules = agreement.sharing
    base = agreement.baseline
    losses = (
        "Two-sided: the provider side shares losses under the losses clause."
        if rules.losses is not None
        else "One-sided: the commissioner bears any loss in full."
    )
    commissioner = agreement.parties_with_role(PartyRole.COMMISSIONER)
    return (
        "Amounts are in pounds sterling; an amount in brackets is negative (a loss, or a payment the other way).",
        f"Exact amounts are rounded once per line, {rules.rounding.value}, to the penny; the commissioner side "
        "takes the exact remainder, so the shares add up to the net saving. Splits between parties of one side "
        "use the largest remainder on pence.",
        f"Baseline adjustments per year of the term ({base.clause}): list growth {format_rate(base.list_growth)} on "
        f"activity; price uplift {format_rate(base.price_uplift)} less efficiency {format_rate(base.efficiency)} "
        "on hospital prices.",
        losses,
        "Ledger postings: a positive amount is a debit, a negative amount a credit; each transaction balances. "
        f"The net saving is recognised on {commissioner[0].id if commissioner else 'the commissioner'}'s "
        "net-saving account and shared out to each party's account.",
        "Each line names the clause of the agreement that produced it (a clause number, or the key path in the "
        "agreement file).",
    )
