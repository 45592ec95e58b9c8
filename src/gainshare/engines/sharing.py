"""The sharing rules: from a net saving (or loss) to the provider side's exact share, step by step."""

from __future__ import annotations

import decimal
from dataclasses import dataclass, field
from decimal import Decimal

from gainshare.domain.errors import InvalidInputError
from gainshare.domain.figures import PeriodFacts
from gainshare.domain.issues import Issue, Source
from gainshare.domain.money import Money, format_rate
from gainshare.domain.settlement import LineKind, SettlementLine
from gainshare.domain.terms import (
    BandBasis,
    ComplementRate,
    Limit,
    LossTerms,
    QualityMode,
    QualityTerms,
    RoundingMode,
    ShareSchedule,
    SharingRules,
    Threshold,
    ThresholdSharing,
)
from gainshare.engines.limits import limit_pence
from gainshare.engines.rounding import EXACT, floor_pence, round_pence

_DISPLAY = RoundingMode.HALF_UP  # how a step's exact amount is shown; the shares are rounded by the agreement's mode


@dataclass
class _Steps:
    """Collects the explained steps of one sharing calculation."""

    lines: list[SettlementLine] = field(default_factory=list)

    def add(self, code: str, clause: str, text: str, exact: Decimal, **inputs: object) -> None:
        amount = Money(round_pence(exact, _DISPLAY))
        pairs = tuple((key, str(value)) for key, value in inputs.items())
        self.lines.append(SettlementLine(LineKind.STEP, code, text, clause, amount, exact, inputs=pairs))


@dataclass(frozen=True, slots=True)
class SharingOutcome:
    provider_exact: Decimal  # pence; positive: the provider side gains; negative: it bears a loss
    steps: tuple[SettlementLine, ...]


def share(rules: SharingRules, net_pence: int, baseline_pence: int, facts: PeriodFacts) -> SharingOutcome:
    """Apply the agreement's sharing rules to one settlement period's net saving."""
    steps = _Steps()
    with decimal.localcontext(EXACT):
        if net_pence >= 0:
            provider = _gain(rules, net_pence, baseline_pence, facts, steps)
        else:
            provider = -_loss(rules, -net_pence, baseline_pence, facts, steps)
    return SharingOutcome(provider, tuple(steps.lines))


def _quality_score(rules: SharingRules, facts: PeriodFacts) -> Decimal | None:
    if rules.quality is None:
        return None
    if facts.quality_score is None:
        raise InvalidInputError(
            [
                Issue(
                    "figures.missing",
                    "the sharing rules use a quality score, but the figures give none",
                    Source(clause=rules.quality.clause),
                )
            ]
        )
    return facts.quality_score


def _gain(rules: SharingRules, saving: int, baseline: int, facts: PeriodFacts, steps: _Steps) -> Decimal:
    terms = rules.gains
    score = _quality_score(rules, facts)
    quality = rules.quality
    if quality and score is not None and quality.mode is not QualityMode.MULTIPLIER and score < quality.minimum:
        steps.add(
            "quality.gate",
            quality.clause,
            f"Quality score {score} is below the minimum {quality.minimum}: no gain is shared.",
            Decimal(0),
            score=score,
            minimum=quality.minimum,
        )
        return Decimal(0)
    start = _threshold_start(terms.threshold, saving, baseline, facts, steps, "saving")
    if start is None:
        return Decimal(0)
    gross = _apply_schedule(terms.share, start, Decimal(saving), baseline, steps)
    if quality and score is not None and quality.mode is not QualityMode.GATE:
        gross = _scale_by_quality(quality, score, gross, steps)
    return _apply_cap(terms.cap, gross, baseline, facts, steps, "gain")


def _scale_by_quality(quality: QualityTerms, score: Decimal, gross: Decimal, steps: _Steps) -> Decimal:
    full = quality.full_share_from
    if full is not None and score >= full:
        steps.add(
            "quality.full_share",
            quality.clause,
            f"Quality score {score} meets the standard {full}: the provider side's gain is not scaled.",
            gross,
            score=score,
            full_share_from=full,
        )
        return gross
    scaled = gross * score
    steps.add(
        "quality.multiplier",
        quality.clause,
        f"The provider side's gain is scaled by the quality score {score}.",
        scaled,
        score=score,
    )
    return scaled


def _loss(rules: SharingRules, loss: int, baseline: int, facts: PeriodFacts, steps: _Steps) -> Decimal:
    terms = rules.losses
    if terms is None:
        steps.add(
            "loss.one_sided",
            "sharing.losses",
            f"The agreement is one-sided: the commissioner bears the whole loss of {Money(loss)}.",
            Decimal(0),
        )
        return Decimal(0)
    start = _threshold_start(terms.threshold, loss, baseline, facts, steps, "loss")
    if start is None:
        return Decimal(0)
    rate = _loss_rate(rules, terms, facts, steps)
    gross = (loss - start) * rate
    steps.add(
        "loss.share",
        terms.clause,
        f"The provider side bears {format_rate(rate)} of the loss of {_pounds(loss - start)}.",
        gross,
        rate=format_rate(rate),
        shared_loss=_pounds(loss - start),
    )
    return _apply_cap(terms.cap, gross, baseline, facts, steps, "loss")


def _loss_rate(rules: SharingRules, terms: LossTerms, facts: PeriodFacts, steps: _Steps) -> Decimal:
    complement = terms.provider_share
    if not isinstance(complement, ComplementRate):
        return complement
    flat = rules.gains.share.flat
    if flat is None:
        raise InvalidInputError(
            [
                Issue(
                    "terms.complement",
                    "a loss rate set as the complement of the gain share needs a flat gain share",
                    Source(clause=terms.clause),
                )
            ]
        )
    score = _quality_score(rules, facts) if rules.quality else Decimal(1)
    score = score if score is not None else Decimal(1)
    quality = rules.quality
    if complement.below_quality_minimum is not None and quality is not None and score < quality.minimum:
        steps.add(
            "loss.quality_below_minimum",
            terms.clause,
            f"Quality score {score} is below the minimum {quality.minimum}: the provider side bears "
            f"{format_rate(complement.below_quality_minimum)} of the loss.",
            Decimal(0),
            score=score,
            minimum=quality.minimum,
        )
        return complement.below_quality_minimum
    raw = 1 - flat * score
    rate = min(max(raw, complement.floor), complement.ceiling)
    held = "" if rate == raw else f", held at the {'floor' if rate > raw else 'ceiling'} of {format_rate(rate)}"
    steps.add(
        "loss.complement_rate",
        terms.clause,
        f"Loss rate = 1 - {format_rate(flat)} x quality {score} = {format_rate(raw)}{held}.",
        Decimal(0),
        rate=format_rate(rate),
        floor=format_rate(complement.floor),
        ceiling=format_rate(complement.ceiling),
    )
    return rate


def _threshold_start(
    threshold: Threshold | None, amount: int, baseline: int, facts: PeriodFacts, steps: _Steps, what: str
) -> Decimal | None:
    """Where sharing starts on the amount axis, or None when the threshold is not met."""
    if threshold is None:
        return Decimal(0)
    value, how = limit_pence(threshold.limit, baseline, facts)
    clause = threshold.limit.clause
    if amount < value:
        steps.add(
            f"{what}.threshold_not_met",
            clause,
            f"The {what} of {Money(amount)} is below the threshold ({how}), so none of it is shared.",
            value,
            threshold=how,
        )
        return None
    if threshold.sharing is ThresholdSharing.FIRST_POUND:
        steps.add(
            f"{what}.threshold_met",
            clause,
            f"The {what} of {Money(amount)} meets the threshold ({how}): shared from the first pound.",
            value,
            threshold=how,
        )
        return Decimal(0)
    steps.add(
        f"{what}.threshold_met",
        clause,
        f"The {what} of {Money(amount)} meets the threshold ({how}): only the excess above it is shared.",
        value,
        threshold=how,
    )
    return value


def _apply_schedule(schedule: ShareSchedule, start: Decimal, saving: Decimal, baseline: int, steps: _Steps) -> Decimal:
    if schedule.flat is not None:
        gross = (saving - start) * schedule.flat
        steps.add(
            "gain.share",
            schedule.clause,
            f"The provider side's share is {format_rate(schedule.flat)} of {_pounds(saving - start)}.",
            gross,
            rate=format_rate(schedule.flat),
        )
        return gross
    total = Decimal(0)
    scale = Decimal(baseline) if schedule.band_basis is BandBasis.PERCENT_OF_BASELINE else Decimal(1)
    for index, band in enumerate(schedule.bands, start=1):
        lower = max(band.lower * scale, start)
        upper = saving if band.upper is None else min(band.upper * scale, saving)
        if upper <= lower:
            continue
        part = (upper - lower) * band.provider_share
        total += part
        steps.add(
            f"gain.band{index}",
            f"{schedule.clause}[{index}]",
            f"Band {index}: {format_rate(band.provider_share)} of the {_pounds(upper - lower)} of saving "
            f"between {_pounds(lower)} and {_pounds(upper)}.",
            part,
            rate=format_rate(band.provider_share),
        )
    return total


def _apply_cap(
    cap: Limit | None, gross: Decimal, baseline: int, facts: PeriodFacts, steps: _Steps, what: str
) -> Decimal:
    if cap is None:
        return gross
    value, how = limit_pence(cap, baseline, facts)
    ceiling = Decimal(floor_pence(value))
    if gross <= ceiling:
        return gross
    steps.add(
        f"{what}.capped",
        cap.clause,
        f"The provider side's {what} of {_pounds(gross)} is capped at {Money(int(ceiling))} ({how}).",
        ceiling,
        before_cap=_pounds(gross),
        cap=how,
    )
    return ceiling


def _pounds(exact_pence: Decimal) -> str:
    return str(Money(round_pence(exact_pence, _DISPLAY)))
