"""An agreement as an ordered list of clauses (key path -> plain value), for summaries and diffs.

Lists are keyed by id (parties[FED], schemes[anticoag]) so that inserting an item does not shift the rest.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from gainshare.domain.agreement import Agreement
from gainshare.domain.money import format_rate
from gainshare.domain.terms import ComplementRate, Limit, SharingRules, Threshold

Clause = tuple[str, str]


def agreement_clauses(agreement: Agreement) -> list[Clause]:
    return list(_clauses(agreement))


def _clauses(agreement: Agreement) -> Iterator[Clause]:
    yield "id", agreement.id
    yield "version", str(agreement.version)
    yield "title", agreement.title
    for party in agreement.parties:
        key = f"parties[{party.id}]"
        yield f"{key}.name", party.name
        yield f"{key}.role", party.role.value
        if party.ods_code:
            yield f"{key}.ods_code", party.ods_code
        if party.member_of:
            yield f"{key}.member_of", party.member_of
    yield "term.start", agreement.term_start.isoformat()
    yield "term.end", agreement.term_end.isoformat()
    yield (
        "term.settlement_period",
        {12: "annual", 3: "quarterly", 1: "monthly"}.get(
            agreement.months_per_period, f"{agreement.months_per_period} months"
        ),
    )
    yield "baseline.list_growth", format_rate(agreement.baseline.list_growth)
    yield "baseline.price_uplift", format_rate(agreement.baseline.price_uplift)
    yield "baseline.efficiency", format_rate(agreement.baseline.efficiency)
    for scheme in agreement.schemes:
        key = f"schemes[{scheme.id}]"
        yield f"{key}.name", scheme.name
        yield f"{key}.hospital_price", str(scheme.hospital_price)
        yield f"{key}.provision_price", str(scheme.provision_price)
        if scheme.setup_funding:
            yield f"{key}.setup_funding", f"{scheme.setup_funding.amount} in {scheme.setup_funding.period}"
        for period_id, amount in scheme.planned_savings:
            yield f"{key}.planned_saving[{period_id}]", str(amount)
    yield from _sharing(agreement.sharing)
    if agreement.payments_on_account:
        for instalment in agreement.payments_on_account.instalments:
            yield f"payments_on_account[{instalment.due}]", f"{format_rate(instalment.percent)} of forecast share"
    for item in agreement.reinvestment:
        yield f"reinvestment[{item.project}]", f"{format_rate(item.share_of_provider_gain)} of the provider's gain"


def _sharing(rules: SharingRules) -> Iterator[Clause]:
    gains = rules.gains
    if gains.share.flat is not None:
        yield "sharing.gains.provider_share", format_rate(gains.share.flat)
    for index, band in enumerate(gains.share.bands, start=1):
        upper = "and above" if band.upper is None else f"to {_bound(band.upper, gains.share.band_basis.value)}"
        yield (
            f"sharing.gains.bands[{index}]",
            f"{format_rate(band.provider_share)} of savings from "
            f"{_bound(band.lower, gains.share.band_basis.value)} {upper}",
        )
    yield from _threshold("sharing.gains.threshold", gains.threshold)
    yield from _limit("sharing.gains.cap", gains.cap)
    losses = rules.losses
    if losses is None:
        yield "sharing.losses", "none: one-sided (gains only)"
    else:
        share = losses.provider_share
        if isinstance(share, ComplementRate):
            text = f"1 - gain share x quality, between {format_rate(share.floor)} and {format_rate(share.ceiling)}"
            if share.below_quality_minimum is not None:
                text += f"; {format_rate(share.below_quality_minimum)} below the quality minimum"
        else:
            text = format_rate(share)
        yield "sharing.losses.provider_share", text
        yield from _threshold("sharing.losses.threshold", losses.threshold)
        yield from _limit("sharing.losses.cap", losses.cap)
    if rules.quality:
        text = f"{rules.quality.mode.value}, minimum {rules.quality.minimum}"
        if rules.quality.full_share_from is not None:
            text += f", full share from {rules.quality.full_share_from}"
        yield "sharing.quality", text
    for name, split in (("provider_split", rules.provider_split), ("commissioner_split", rules.commissioner_split)):
        for party, weight in split.weights if split else ():
            yield f"sharing.{name}[{party}]", format_rate(weight)
    yield "sharing.rounding", rules.rounding.value


def _bound(value: Decimal, basis: str) -> str:
    if basis == "amount":
        return f"£{value / 100:,.2f}"
    return f"{format_rate(value)} of baseline"


def _threshold(key: str, threshold: Threshold | None) -> Iterator[Clause]:
    if threshold is not None:
        yield from _limit(key, threshold.limit)
        yield f"{key}.sharing", threshold.sharing.value


def _limit(key: str, limit: Limit | None) -> Iterator[Clause]:
    if limit is None:
        return
    if limit.amount is not None:
        yield f"{key}.amount", str(limit.amount)
    if limit.percent_of_baseline is not None:
        yield f"{key}.percent_of_baseline", format_rate(limit.percent_of_baseline)
    if limit.percent_of_revenue is not None:
        yield f"{key}.percent_of_revenue", format_rate(limit.percent_of_revenue)
    for row in limit.population_table:
        upper = "+" if row.population_to is None else f"-{row.population_to:,}"
        rate = (
            format_rate(row.rate_from)
            if row.rate_from == row.rate_to
            else (f"{format_rate(row.rate_from)} to {format_rate(row.rate_to)}")
        )
        yield f"{key}.population[{row.population_from:,}{upper}]", rate


@dataclass(frozen=True, slots=True)
class ClauseChange:
    clause: str
    before: str | None  # None: added
    after: str | None  # None: removed

    @property
    def kind(self) -> str:
        if self.before is None:
            return "added"
        return "removed" if self.after is None else "changed"


def diff_clauses(before: Agreement, after: Agreement) -> list[ClauseChange]:
    """What changed between two versions, clause by clause, in the order of the later version."""
    old = dict(agreement_clauses(before))
    new = dict(agreement_clauses(after))
    changes = [ClauseChange(key, old.get(key), value) for key, value in new.items() if old.get(key) != value]
    changes += [ClauseChange(key, value, None) for key, value in old.items() if key not in new]
    return changes
