"""Split the federation's share: management top-slice, reinvestment projects, then member practices.

Two steps, each by largest remainder on pence so that every penny is allocated and the parts add up to the
share exactly: first the share between management (its top-slice rate), each project (its rate of the share)
and the practice pool (what is left); then the pool between practices, each in proportion to

    sum over bases b of mix_b x (practice's measure_b / all practices' measure_b)

with the mix weights normalised to add up to one. A negative share (a loss) is split the same way, borne by
the practices alone, or borne centrally by the federation, as the policy says.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable, Sequence
from decimal import Decimal

from gainshare.domain.distribution import (
    AllocationLine,
    Basis,
    Distribution,
    DistributionPolicy,
    LossHandling,
    PracticeMeasures,
    RecipientKind,
)
from gainshare.domain.errors import InvalidInputError
from gainshare.domain.issues import Issue, Source
from gainshare.domain.ledger import Posting, Transaction
from gainshare.domain.money import Money, format_rate
from gainshare.engines.rounding import EXACT, largest_remainder

_MEASURE: dict[Basis, Callable[[PracticeMeasures], Decimal]] = {
    Basis.WEIGHTED_LIST: lambda m: m.weighted_list,
    Basis.ACTIVITY: lambda m: m.activity,
    Basis.PERFORMANCE: lambda m: m.score,
}


def distribute(
    federation: str, period: str, share: Money, practices: Sequence[PracticeMeasures], policy: DistributionPolicy
) -> Distribution:
    """The allocation of a share. Raises InvalidInputError naming every problem with the policy or measures."""
    issues = check_policy(policy, practices)
    if issues:
        raise InvalidInputError(issues)
    if share.pence < 0 and policy.losses is LossHandling.CENTRAL:
        line = AllocationLine(
            federation, RecipientKind.CENTRAL, share, Decimal(1), "A loss borne centrally by the federation."
        )
        return Distribution(federation, period, share, policy.clause, (line,))
    with decimal.localcontext(EXACT):
        top = _top_level(federation, share, policy)
        pool = top.pop()
        lines = [*top, *_practice_lines(pool, practices, policy)]
    return Distribution(federation, period, share, policy.clause, tuple(lines))


def _top_level(federation: str, share: Money, policy: DistributionPolicy) -> list[AllocationLine]:
    """Management and project lines, then the practice pool as the last line."""
    practices_only = share.pence < 0 and policy.losses is LossHandling.PRACTICES
    top_slice = Decimal(0) if practices_only else policy.top_slice
    projects = [(p.project, Decimal(0) if practices_only else p.share_of_provider_gain) for p in policy.reinvestment]
    pool = 1 - top_slice - sum((rate for _, rate in projects), Decimal(0))
    parts = largest_remainder(share.pence, [top_slice, *(rate for _, rate in projects), pool])
    lines = [
        AllocationLine(
            federation, RecipientKind.MANAGEMENT, Money(parts[0]), top_slice,
            f"Management top-slice: {format_rate(top_slice)} of the share {share}.",
        )
    ]  # fmt: skip
    for (project, rate), part in zip(projects, parts[1:-1], strict=True):
        text = f"Reinvestment in {project}: {format_rate(rate)} of the share {share}."
        lines.append(AllocationLine(project, RecipientKind.PROJECT, Money(part), rate, text))
    lines.append(AllocationLine("practice pool", RecipientKind.PRACTICE, Money(parts[-1]), pool, ""))
    return lines


def _practice_lines(
    pool: AllocationLine, practices: Sequence[PracticeMeasures], policy: DistributionPolicy
) -> list[AllocationLine]:
    weights = practice_weights(practices, policy.mix)
    parts = largest_remainder(pool.amount.pence, [weights[m.practice] for m in practices])
    mix_total = sum((weight for _, weight in policy.mix), Decimal(0))
    lines: list[AllocationLine] = []
    for measures, part in zip(practices, parts, strict=True):
        fraction = weights[measures.practice]
        inputs = tuple(
            (
                basis.value,
                f"{_MEASURE[basis](measures)} of {_basis_total(practices, basis)}, mix {format_rate(w / mix_total)}",
            )
            for basis, w in policy.mix
            if w
        )
        text = (
            f"{measures.practice}: {fraction * 100:.4f}% of the practice pool {pool.amount} "
            f"({format_rate(pool.fraction)} of the share) by " + "; ".join(f"{b} {v}" for b, v in inputs) + "."
        )
        lines.append(
            AllocationLine(
                measures.practice, RecipientKind.PRACTICE, Money(part), fraction * pool.fraction, text, inputs
            )
        )
    return lines


def practice_weights(practices: Sequence[PracticeMeasures], mix: Sequence[tuple[Basis, Decimal]]) -> dict[str, Decimal]:
    """Each practice's fraction of the pool; the fractions add up to one (to 60 significant digits)."""
    mix_total = sum((weight for _, weight in mix), Decimal(0))
    weights = {measures.practice: Decimal(0) for measures in practices}
    for basis, weight in mix:
        if not weight:
            continue
        basis_total = _basis_total(practices, basis)
        for measures in practices:
            weights[measures.practice] += weight / mix_total * _MEASURE[basis](measures) / basis_total
    return weights


def _basis_total(practices: Sequence[PracticeMeasures], basis: Basis) -> Decimal:
    return sum((_MEASURE[basis](measures) for measures in practices), Decimal(0))


def check_policy(policy: DistributionPolicy, practices: Sequence[PracticeMeasures]) -> list[Issue]:
    where = Source(clause=policy.clause)
    problems: list[tuple[str, str]] = []
    rates = [policy.top_slice, *(project.share_of_provider_gain for project in policy.reinvestment)]
    if any(rate < 0 for rate in rates) or sum(rates, Decimal(0)) > 1:
        problems.append(
            ("distribution.rates", "the top-slice and reinvestment rates must be 0% or more and total 100% or less")
        )
    ids = [measures.practice for measures in practices]
    if not ids or len(set(ids)) != len(ids):
        problems.append(("distribution.practices", "name each member practice once"))
    if any(_MEASURE[basis](m) < 0 for m in practices for basis in Basis):
        problems.append(("distribution.measures", "list sizes, activity and scores must not be negative"))
    if any(weight < 0 for _, weight in policy.mix) or not any(weight > 0 for _, weight in policy.mix):
        problems.append(("distribution.mix", "give the bases weights of 0 or more, at least one above 0"))
    for basis, weight in policy.mix:
        if weight > 0 and _basis_total(practices, basis) <= 0:
            problems.append(("distribution.mix", f"the {basis.value} basis is used but every practice has 0"))
    return [Issue(code, text, where) for code, text in problems]


def distribution_transactions(distribution: Distribution) -> list[Transaction]:
    """Balanced transactions from the federation's share account: one for practices, projects, management.

    A central loss needs no transaction: it stays where it is. Negative amounts flow back to the federation.
    """
    source = f"{distribution.federation}:gain-share-for-distribution"
    accounts: dict[RecipientKind, Callable[[AllocationLine], str]] = {
        RecipientKind.PRACTICE: lambda line: f"{line.recipient}:gain-share",
        RecipientKind.PROJECT: lambda line: f"{distribution.federation}:reinvestment:{line.recipient}",
        RecipientKind.MANAGEMENT: lambda line: f"{distribution.federation}:management",
    }
    transactions: list[Transaction] = []
    for kind, account in accounts.items():
        postings = [Posting(account(line), line.amount) for line in distribution.lines_of(kind) if line.amount]
        if not postings:
            continue
        outflow = Money(sum(posting.amount.pence for posting in postings))
        key = f"{distribution.federation}/{distribution.period}/distribution/{kind.value}"
        description = f"Gain share {distribution.period}: {kind.value} distribution"
        transactions.append(Transaction(key, description, (Posting(source, -outflow), *postings)))
    return transactions
