"""Settle one period of an agreement: costs, net saving, shares, payments on account and true-up.

Rounding happens here and only here: each cost line once, the provider side's share once, then splits by
largest remainder so that every party's share adds up to the net saving to the penny.
"""

from __future__ import annotations

from decimal import Decimal

from gainshare.domain.agreement import Agreement
from gainshare.domain.errors import InvalidInputError
from gainshare.domain.figures import Figures, PeriodFacts, SchemeFigures
from gainshare.domain.issues import Issue, Source
from gainshare.domain.money import Money, total
from gainshare.domain.parties import Party, PartyRole
from gainshare.domain.periods import Period
from gainshare.domain.settlement import LineKind, Settlement, SettlementLine
from gainshare.domain.terms import Split
from gainshare.engines.rounding import largest_remainder, round_pence
from gainshare.engines.savings import scheme_costs
from gainshare.engines.sharing import share


def settle(agreement: Agreement, figures: Figures, period_id: str) -> Settlement:
    """The settlement of one period. Raises InvalidInputError naming every problem with the figures."""
    return settle_periods(agreement, figures, [period_id])[0]


def settle_periods(agreement: Agreement, figures: Figures, period_ids: list[str] | None = None) -> list[Settlement]:
    """Settle the named periods, or every period the figures touch, in term order; rows are checked once."""
    issues = check_rows(agreement, figures)
    if issues:
        raise InvalidInputError(issues)
    grouped = group_rows(agreement, figures)
    if period_ids is None:
        period_ids = [period.id for period in agreement.periods() if period.id in grouped]
    return [
        settle_period(
            agreement,
            _period(agreement, period_id),
            grouped.get(period_id, []),
            figures.facts.get(period_id, PeriodFacts()),
        )
        for period_id in period_ids
    ]


def settle_period(agreement: Agreement, period: Period, rows: list[SchemeFigures], facts: PeriodFacts) -> Settlement:
    """Settle one period from rows already checked to belong to it."""
    mode = agreement.sharing.rounding
    costs = scheme_costs(agreement, period, rows, mode)
    lines: list[SettlementLine] = [line for cost in costs for line in cost.lines]
    net = total([cost.net_saving for cost in costs])
    baseline = total([cost.baseline for cost in costs])
    lines.append(
        SettlementLine(
            LineKind.SAVING,
            "saving.total",
            f"Net saving across all schemes in {period.id} (baseline {baseline}).",
            "schemes",
            net,
        )
    )
    outcome = share(agreement.sharing, net.pence, baseline.pence, facts)
    lines.extend(outcome.steps)
    provider_total = Money(round_pence(outcome.provider_exact, mode))
    shares = _party_shares(agreement, provider_total, net)
    lines.extend(_share_lines(agreement, shares, provider_total, outcome.provider_exact, net))
    true_ups, account_lines = _true_ups(agreement, shares, facts)
    lines.extend(account_lines)
    return Settlement(
        agreement.id, agreement.version, period.id, tuple(lines), net, baseline, tuple(shares), tuple(true_ups)
    )


def _period(agreement: Agreement, period_id: str) -> Period:
    try:
        return agreement.period(period_id)
    except KeyError:
        known = ", ".join(period.id for period in agreement.periods())
        raise InvalidInputError(
            [
                Issue(
                    "period.unknown",
                    f"{period_id!r} is not a settlement period of this agreement; its periods are {known}",
                    Source(clause="term"),
                )
            ]
        ) from None


def group_rows(agreement: Agreement, figures: Figures) -> dict[str, list[SchemeFigures]]:
    """Rows by the settlement period that contains them (rows outside the term are left out)."""
    grouped: dict[str, list[SchemeFigures]] = {}
    for row in figures.rows:
        period = agreement.period_containing(row.span)
        if period is not None:
            grouped.setdefault(period.id, []).append(row)
    return grouped


def check_rows(agreement: Agreement, figures: Figures) -> list[Issue]:
    issues: list[Issue] = []
    scheme_ids = {scheme.id for scheme in agreement.schemes}
    for row in figures.rows:
        where = Source(file=figures.source, row=row.source_row)
        if row.scheme not in scheme_ids:
            issues.append(
                Issue(
                    "figures.scheme",
                    f"scheme {row.scheme!r} is not in the agreement (its schemes are {', '.join(sorted(scheme_ids))})",
                    where,
                )
            )
        if agreement.period_containing(row.span) is None:
            issues.append(
                Issue(
                    "figures.period",
                    f"period {row.span.id} is outside the agreement's term "
                    f"{agreement.term_start} to {agreement.term_end} or spans two settlement periods",
                    where,
                )
            )
    return issues


def _party_shares(agreement: Agreement, provider_total: Money, net: Money) -> list[tuple[str, Money]]:
    providers = _split_parties(agreement, agreement.sharing.provider_split, PartyRole.PROVIDER)
    commissioners = _split_parties(agreement, agreement.sharing.commissioner_split, PartyRole.COMMISSIONER)
    commissioner_total = net - provider_total
    provider_parts = largest_remainder(provider_total.pence, [weight for _, weight in providers])
    commissioner_parts = largest_remainder(commissioner_total.pence, [weight for _, weight in commissioners])
    return [(party, Money(part)) for (party, _), part in zip(providers, provider_parts, strict=True)] + [
        (party, Money(part)) for (party, _), part in zip(commissioners, commissioner_parts, strict=True)
    ]


def _split_parties(agreement: Agreement, split: Split | None, role: PartyRole) -> list[tuple[str, Decimal]]:
    if split is not None:
        return list(split.weights)
    return [(party.id, Decimal(1)) for party in agreement.parties_with_role(role)[:1]]


def _share_lines(
    agreement: Agreement, shares: list[tuple[str, Money]], provider_total: Money, provider_exact: Decimal, net: Money
) -> list[SettlementLine]:
    mode = agreement.sharing.rounding
    lines = [
        SettlementLine(
            LineKind.SHARE,
            "share.provider_side",
            f"The provider side's share, rounded once ({mode.value}) to the penny.",
            "sharing.rounding",
            provider_total,
            provider_exact,
        )
    ]
    for party_id, amount in shares:
        party = agreement.party(party_id)
        lines.append(
            SettlementLine(
                LineKind.SHARE,
                f"share.{party.role.value}",
                _share_text(party, amount, net),
                _split_clause(agreement, party, amount),
                amount,
                party=party.id,
            )
        )
    return lines


def _share_text(party: Party, amount: Money, net: Money) -> str:
    verb = "receives" if amount.pence >= 0 else "bears"
    if party.role is PartyRole.COMMISSIONER:
        verb = "retains" if amount.pence >= 0 else "bears"
    portion = f" ({Decimal(amount.pence * 100) / net.pence:.2f}% of the net saving)" if net.pence else ""
    return f"{party.name} {verb} {abs(amount)}{portion}."


def _split_clause(agreement: Agreement, party: Party, amount: Money) -> str:
    """The clause behind a party's share line: its side's split, else the gains or losses terms."""
    rules = agreement.sharing
    split = rules.provider_split if party.role is PartyRole.PROVIDER else rules.commissioner_split
    if split is not None:
        return split.clause
    if party.role is PartyRole.COMMISSIONER:
        return "sharing"
    if amount.pence < 0 and rules.losses is not None:
        return rules.losses.clause
    return rules.gains.clause


def _true_ups(
    agreement: Agreement, shares: list[tuple[str, Money]], facts: PeriodFacts
) -> tuple[list[tuple[str, Money]], list[SettlementLine]]:
    paid = dict(facts.paid_on_account)
    clause = agreement.payments_on_account.clause if agreement.payments_on_account else "payments_on_account"
    results: list[tuple[str, Money]] = []
    lines: list[SettlementLine] = []
    for party_id, amount in shares:
        if party_id not in paid:
            continue
        party = agreement.party(party_id)
        due = amount - paid[party_id]
        results.append((party_id, due))
        lines.append(
            SettlementLine(
                LineKind.ACCOUNT,
                "account.paid",
                f"Paid to {party.name} on account during the period.",
                clause,
                paid[party_id],
                party=party_id,
            )
        )
        direction = "to" if due.pence >= 0 else "from"
        lines.append(
            SettlementLine(
                LineKind.ACCOUNT,
                "account.true_up",
                f"Final true-up: {abs(due)} {direction} "
                f"{party.name} (share {amount} less {paid[party_id]} paid on account).",
                clause,
                due,
                party=party_id,
            )
        )
    return results, lines
