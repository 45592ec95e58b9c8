"""Checks on an agreement's meaning (its shape is checked where it is read). Each problem names its clause."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from decimal import Decimal

from gainshare.domain.agreement import Agreement, BaselineAdjustments, Scheme
from gainshare.domain.issues import Issue, Source
from gainshare.domain.money import format_rate
from gainshare.domain.parties import PartyRole, is_ods_code, is_practice_code
from gainshare.domain.terms import (
    ComplementRate,
    Limit,
    QualityMode,
    QualityTerms,
    ShareSchedule,
    SharingRules,
    Split,
    Threshold,
)


def check_agreement(agreement: Agreement) -> list[Issue]:
    """Every problem with the agreement's meaning, or an empty list."""
    return [
        *_parties(agreement),
        *_term(agreement),
        *_schemes(agreement),
        *_sharing(agreement),
        *_payments(agreement),
        *_reinvestment(agreement),
    ]


def _issue(code: str, clause: str, message: str) -> Issue:
    return Issue(code, message, Source(clause=clause))


def _parties(agreement: Agreement) -> Iterator[Issue]:
    for party_id, count in Counter(party.id for party in agreement.parties).items():
        if count > 1:
            yield _issue("party.duplicate", "parties", f"party id {party_id!r} is used {count} times")
    for role in (PartyRole.COMMISSIONER, PartyRole.PROVIDER):
        if not agreement.parties_with_role(role):
            yield _issue("party.missing", "parties", f"the agreement needs at least one {role.value}")
    providers = {party.id for party in agreement.parties_with_role(PartyRole.PROVIDER)}
    for index, party in enumerate(agreement.parties):
        clause = f"parties[{index}]"
        if party.role is PartyRole.PRACTICE:
            if not party.ods_code or not is_practice_code(party.ods_code):
                yield _issue(
                    "party.practice_code",
                    f"{clause}.ods_code",
                    f"practice {party.name!r} has "
                    f"{party.ods_code!r}, which is not a GP practice code (a letter and five digits, "
                    "e.g. M85001)",
                )
            if party.member_of not in providers:
                yield _issue(
                    "party.member_of",
                    f"{clause}.member_of",
                    f"practice {party.name!r} is a member of "
                    f"{party.member_of!r}, which is not a provider in this agreement",
                )
        elif party.ods_code is not None and not is_ods_code(party.ods_code):
            yield _issue("party.ods_code", f"{clause}.ods_code", f"{party.ods_code!r} is not an ODS code")


def _term(agreement: Agreement) -> Iterator[Issue]:
    if agreement.term_end <= agreement.term_start:
        yield _issue(
            "term.order", "term.end", f"the term ends ({agreement.term_end}) before it starts ({agreement.term_start})"
        )


def _schemes(agreement: Agreement) -> Iterator[Issue]:
    for scheme_id, count in Counter(scheme.id for scheme in agreement.schemes).items():
        if count > 1:
            yield _issue("scheme.duplicate", "schemes", f"scheme id {scheme_id!r} is used {count} times")
    period_ids = {period.id for period in agreement.periods()} if agreement.term_end > agreement.term_start else set()
    for scheme in agreement.schemes:
        yield from _scheme(scheme, period_ids)
    yield from _baseline(agreement.baseline)


def _scheme(scheme: Scheme, period_ids: set[str]) -> Iterator[Issue]:
    for name, price in (("hospital_price", scheme.hospital_price), ("provision_price", scheme.provision_price)):
        if price.pence < 0:
            yield _issue("scheme.price", f"{scheme.clause}.{name}", f"{name} must not be negative")
    setup = scheme.setup_funding
    periods = [(f"{scheme.clause}.planned_saving.{period}", period) for period, _ in scheme.planned_savings]
    if setup is not None:
        periods.append((f"{scheme.clause}.setup_funding.period", setup.period))
        if setup.amount.pence < 0:
            yield _issue("scheme.setup_amount", f"{scheme.clause}.setup_funding.amount", "must not be negative")
    for clause, period in periods:
        if period not in period_ids:
            known = ", ".join(sorted(period_ids))
            yield _issue("scheme.period", clause, f"{period!r} is not a settlement period in the term ({known})")


def _baseline(baseline: BaselineAdjustments) -> Iterator[Issue]:
    for name, rate in (
        ("list_growth", baseline.list_growth),
        ("price_uplift", baseline.price_uplift),
        ("efficiency", baseline.efficiency),
    ):
        if not Decimal(-1) < rate < Decimal(1):
            yield _issue(
                "baseline.rate",
                f"{baseline.clause}.{name}",
                f"{format_rate(rate)} is not a plausible yearly rate (it must be between -100% and 100%)",
            )


def _sharing(agreement: Agreement) -> Iterator[Issue]:
    rules = agreement.sharing
    yield from _schedule(rules.gains.share)
    yield from _threshold(rules.gains.threshold)
    yield from _limit(rules.gains.cap)
    if rules.losses is not None:
        losses = rules.losses
        if isinstance(losses.provider_share, ComplementRate):
            yield from _fraction(losses.provider_share.floor, f"{losses.clause}.provider_share.floor")
            yield from _fraction(losses.provider_share.ceiling, f"{losses.clause}.provider_share.ceiling")
            if losses.provider_share.floor > losses.provider_share.ceiling:
                yield _issue("loss.floor", f"{losses.clause}.provider_share", "the floor is above the ceiling")
            yield from _below_quality_minimum(rules, losses.provider_share, losses.clause)
            if rules.gains.share.flat is None:
                yield _issue(
                    "loss.complement",
                    f"{losses.clause}.provider_share",
                    "a loss share that is the complement of the gain share needs a flat gain share",
                )
        else:
            yield from _fraction(losses.provider_share, f"{losses.clause}.provider_share")
        yield from _threshold(losses.threshold)
        yield from _limit(losses.cap)
    if rules.quality is not None:
        yield from _quality(rules.quality)
    yield from _split(agreement, rules.provider_split, PartyRole.PROVIDER)
    yield from _split(agreement, rules.commissioner_split, PartyRole.COMMISSIONER)


def _quality(quality: QualityTerms) -> Iterator[Issue]:
    yield from _fraction(quality.minimum, f"{quality.clause}.minimum")
    full = quality.full_share_from
    if full is None:
        return
    clause = f"{quality.clause}.full_share_from"
    yield from _fraction(full, clause)
    if quality.mode is QualityMode.GATE:
        yield _issue(
            "quality.full_share", clause, "full_share_from only applies when the quality score scales the share"
        )
    if full < quality.minimum:
        yield _issue("quality.full_share", clause, f"full_share_from {full} is below the minimum {quality.minimum}")


def _below_quality_minimum(rules: SharingRules, complement: ComplementRate, clause: str) -> Iterator[Issue]:
    rate = complement.below_quality_minimum
    if rate is None:
        return
    yield from _fraction(rate, f"{clause}.provider_share.below_quality_minimum")
    if rules.quality is None:
        yield _issue(
            "loss.quality_minimum",
            f"{clause}.provider_share.below_quality_minimum",
            "a loss share for a quality score below the minimum needs a quality section",
        )


def _fraction(rate: Decimal, clause: str) -> Iterator[Issue]:
    if not Decimal(0) <= rate <= Decimal(1):
        yield _issue("rate.range", clause, f"{format_rate(rate)} is outside 0% to 100%")


def _schedule(schedule: ShareSchedule) -> Iterator[Issue]:
    if schedule.flat is not None:
        yield from _fraction(schedule.flat, f"{schedule.clause}.provider_share")
        return
    expected = Decimal(0)
    for index, band in enumerate(schedule.bands, start=1):
        clause = f"{schedule.clause}[{index}]"
        yield from _fraction(band.provider_share, f"{clause}.provider_share")
        if band.lower != expected:
            what = "overlaps the band before it" if band.lower < expected else "leaves a gap after the band before it"
            yield _issue(
                "band.order",
                f"{clause}.from",
                f"band {index} {what}: it should start where the previous band ends (the first band starts at 0)",
            )
        if band.upper is None and index != len(schedule.bands):
            yield _issue("band.open", f"{clause}.to", "only the last band may be open-ended")
        if band.upper is not None and band.upper <= band.lower:
            yield _issue("band.empty", f"{clause}.to", f"band {index} ends where or before it starts")
        expected = band.upper if band.upper is not None else expected


def _threshold(threshold: Threshold | None) -> Iterator[Issue]:
    if threshold is not None:
        yield from _limit(threshold.limit)


def _limit(limit: Limit | None) -> Iterator[Issue]:
    if limit is None:
        return
    if limit.amount is not None and limit.amount.pence < 0:
        yield _issue(
            "limit.negative", f"{limit.clause}.amount", f"{limit.amount} is negative; a limit must be zero or more"
        )
    for name, rate in (
        ("percent_of_baseline", limit.percent_of_baseline),
        ("percent_of_revenue", limit.percent_of_revenue),
    ):
        if rate is not None:
            yield from _fraction(rate, f"{limit.clause}.{name}")
    previous_end = -1
    for index, row in enumerate(limit.population_table, start=1):
        clause = f"{limit.clause}.population_table[{index}]"
        if row.population_from <= previous_end:
            yield _issue("table.order", clause, "rows must be in order of population and must not overlap")
        if row.population_to is not None and row.population_to < row.population_from:
            yield _issue("table.row", clause, "population_to is below population_from")
        yield from _fraction(row.rate_from, f"{clause}.rate_from")
        yield from _fraction(row.rate_to, f"{clause}.rate_to")
        previous_end = row.population_to if row.population_to is not None else 10**12


def _split(agreement: Agreement, split: Split | None, role: PartyRole) -> Iterator[Issue]:
    if split is None:
        return
    ids = {party.id for party in agreement.parties_with_role(role)}
    for party_id, weight in split.weights:
        if party_id not in ids:
            yield _issue(
                "split.party", f"{split.clause}.{party_id}", f"{party_id!r} is not a {role.value} in this agreement"
            )
        yield from _fraction(weight, f"{split.clause}.{party_id}")
    added = sum((weight for _, weight in split.weights), Decimal(0))
    if added != 1:
        yield _issue("split.total", split.clause, f"the weights add up to {format_rate(added)}, not 100%")


def _payments(agreement: Agreement) -> Iterator[Issue]:
    poa = agreement.payments_on_account
    if poa is None:
        return
    previous = Decimal(0)
    for index, instalment in enumerate(poa.instalments):
        clause = f"{poa.clause}.instalments[{index}]"
        yield from _fraction(instalment.percent, f"{clause}.percent")
        if instalment.percent < previous:
            yield _issue("poa.order", f"{clause}.percent", "cumulative percentages must not go down")
        previous = instalment.percent


def _reinvestment(agreement: Agreement) -> Iterator[Issue]:
    added = sum((item.share_of_provider_gain for item in agreement.reinvestment), Decimal(0))
    if added > 1:
        yield _issue(
            "reinvestment.total",
            "reinvestment",
            f"reinvestment commitments add up to {format_rate(added)} of the provider's gain, more than 100%",
        )
    for index, item in enumerate(agreement.reinvestment):
        yield from _fraction(item.share_of_provider_gain, f"reinvestment[{index}].share_of_provider_gain")
