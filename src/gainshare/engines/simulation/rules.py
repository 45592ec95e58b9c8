"""The agreement's sharing rules (domain/terms.py), vectorised over scenarios and periods.

Mirrors engines/sharing.py step for step, in float64 pence: quality gate, threshold (first-pound or excess-only;
amount, share of baseline or revenue, population table; the lesser), flat share or marginal bands (on pence or
on shares of the baseline), quality multiplier (with a full-share standard), cap (the lesser of its limits,
rounded down to the penny), and for losses: one- or two-sided, a fixed rate or the complement of the gain share
(floor, ceiling, rate below the quality minimum), loss threshold and cap. The result is the provider side's
exact share before rounding; tests/simulation checks it against the exact engine.
"""

from __future__ import annotations

import decimal
import math
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from numpy.typing import NDArray

from gainshare.domain.errors import InvalidInputError
from gainshare.domain.issues import Issue, Source
from gainshare.domain.terms import (
    BandBasis,
    ComplementRate,
    Limit,
    LossTerms,
    PopulationRateRow,
    QualityMode,
    SharingRules,
    Threshold,
    ThresholdSharing,
)
from gainshare.engines.simulation.distributions import Floats

Mask = NDArray[np.bool_]
_FLOOR_NUDGE = 1e-12  # relative: float error in a limit is far smaller; keeps floor(99.99999999..) at 100


@dataclass(frozen=True)
class LimitRule:
    """A limit as the lesser of a constant (amount, share of revenue) and rates of the baseline."""

    constant: float | None
    baseline_rates: tuple[float, ...]

    def value(self, baseline: Floats) -> Floats:
        result = np.full(baseline.shape, math.inf if self.constant is None else self.constant)
        for rate in self.baseline_rates:
            result = np.minimum(result, rate * baseline)
        return result


@dataclass(frozen=True)
class ThresholdRule:
    limit: LimitRule
    excess_only: bool


@dataclass(frozen=True)
class BandRule:
    lower: float
    upper: float | None
    rate: float


@dataclass(frozen=True)
class QualityRule:
    gate: bool
    multiplier: bool
    minimum: float
    full_share_from: float | None


@dataclass(frozen=True)
class ComplementRule:
    flat: float
    floor: float
    ceiling: float
    below_minimum: float | None


@dataclass(frozen=True)
class LossRule:
    rate: float | ComplementRule
    threshold: ThresholdRule | None
    cap: LimitRule | None


@dataclass(frozen=True)
class CompiledRules:
    """SharingRules turned into floats once, for one population and revenue."""

    flat: float | None
    bands: tuple[BandRule, ...]
    bands_on_baseline: bool
    threshold: ThresholdRule | None
    cap: LimitRule | None
    quality: QualityRule | None
    losses: LossRule | None


@dataclass(frozen=True)
class Shared:
    provider: Floats  # the provider side's exact share in pence, negative when it bears a loss
    threshold_met: Mask  # a saving at or above the gain threshold (at or above zero when there is none)


def compile_rules(rules: SharingRules, population: int | None = None, revenue: float | None = None) -> CompiledRules:
    gains = rules.gains
    schedule = gains.share
    quality = rules.quality
    return CompiledRules(
        flat=None if schedule.flat is None else float(schedule.flat),
        bands=tuple(
            BandRule(float(band.lower), None if band.upper is None else float(band.upper), float(band.provider_share))
            for band in schedule.bands
        ),
        bands_on_baseline=schedule.band_basis is BandBasis.PERCENT_OF_BASELINE,
        threshold=_threshold(gains.threshold, population, revenue),
        cap=_limit(gains.cap, population, revenue),
        quality=None
        if quality is None
        else QualityRule(
            gate=quality.mode is not QualityMode.MULTIPLIER,
            multiplier=quality.mode is not QualityMode.GATE,
            minimum=float(quality.minimum),
            full_share_from=None if quality.full_share_from is None else float(quality.full_share_from),
        ),
        losses=None if rules.losses is None else _losses(rules, rules.losses, population, revenue),
    )


def apply(rules: CompiledRules, net: Floats, baseline: Floats, score: Floats) -> Shared:
    """The provider side's exact share of each net saving (any shape; score broadcasts against it)."""
    gain, met = _gain(rules, net, baseline, score)
    if rules.losses is None:
        return Shared(np.where(net >= 0, gain, 0.0), met & (net >= 0))
    loss = _loss(rules, rules.losses, -net, baseline, score)
    return Shared(np.where(net >= 0, gain, -loss), met & (net >= 0))


def _gain(rules: CompiledRules, saving: Floats, baseline: Floats, score: Floats) -> tuple[Floats, Mask]:
    met, start = _threshold_start(rules.threshold, saving, baseline)
    gross = (saving - start) * rules.flat if rules.flat is not None else _bands(rules, start, saving, baseline)
    allowed = met
    quality = rules.quality
    if quality is not None:
        if quality.gate:
            allowed = allowed & (score >= quality.minimum)
        if quality.multiplier:
            full = quality.full_share_from
            gross = gross * (score if full is None else np.where(score >= full, 1.0, score))
    return np.where(allowed, _cap(rules.cap, gross, baseline), 0.0), met


def _bands(rules: CompiledRules, start: Floats, saving: Floats, baseline: Floats) -> Floats:
    total = np.zeros(np.broadcast_shapes(saving.shape, baseline.shape))
    scale = baseline if rules.bands_on_baseline else np.ones_like(baseline)
    for band in rules.bands:
        lower = np.maximum(band.lower * scale, start)
        upper = saving if band.upper is None else np.minimum(band.upper * scale, saving)
        total += np.maximum(upper - lower, 0.0) * band.rate
    return total


def _loss(rules: CompiledRules, terms: LossRule, loss: Floats, baseline: Floats, score: Floats) -> Floats:
    met, start = _threshold_start(terms.threshold, loss, baseline)
    rate = terms.rate
    if isinstance(rate, ComplementRule):
        quality = rules.quality
        used = score if quality is not None else np.ones_like(score)
        factor = np.clip(1 - rate.flat * used, rate.floor, rate.ceiling)
        if rate.below_minimum is not None and quality is not None:
            factor = np.where(used < quality.minimum, rate.below_minimum, factor)
        gross = (loss - start) * factor
    else:
        gross = (loss - start) * rate
    return np.where(met, _cap(terms.cap, gross, baseline), 0.0)


def _threshold_start(threshold: ThresholdRule | None, amount: Floats, baseline: Floats) -> tuple[Mask, Floats]:
    """Whether each amount meets the threshold, and where sharing starts on the amount axis."""
    if threshold is None:
        return np.ones(amount.shape, dtype=np.bool_), np.zeros_like(amount)
    value = threshold.limit.value(baseline)
    return amount >= value, value if threshold.excess_only else np.zeros_like(value)


def _cap(cap: LimitRule | None, gross: Floats, baseline: Floats) -> Floats:
    if cap is None:
        return gross
    value = cap.value(baseline)
    ceiling = np.floor(value + _FLOOR_NUDGE * np.abs(value))
    return np.minimum(gross, ceiling)


def _losses(rules: SharingRules, terms: LossTerms, population: int | None, revenue: float | None) -> LossRule:
    share = terms.provider_share
    rate: float | ComplementRule
    if isinstance(share, ComplementRate):
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
        below = share.below_quality_minimum
        rate = ComplementRule(
            float(flat), float(share.floor), float(share.ceiling), None if below is None else float(below)
        )
    else:
        rate = float(share)
    return LossRule(rate, _threshold(terms.threshold, population, revenue), _limit(terms.cap, population, revenue))


def _threshold(threshold: Threshold | None, population: int | None, revenue: float | None) -> ThresholdRule | None:
    if threshold is None:
        return None
    return ThresholdRule(
        _limit_rule(threshold.limit, population, revenue), threshold.sharing is ThresholdSharing.EXCESS_ONLY
    )


def _limit(limit: Limit | None, population: int | None, revenue: float | None) -> LimitRule | None:
    return None if limit is None else _limit_rule(limit, population, revenue)


def _limit_rule(limit: Limit, population: int | None, revenue: float | None) -> LimitRule:
    constants: list[float] = []
    rates: list[float] = []
    if limit.amount is not None:
        constants.append(float(limit.amount.pence))
    if limit.percent_of_baseline is not None:
        rates.append(float(limit.percent_of_baseline))
    if limit.percent_of_revenue is not None:
        constants.append(float(limit.percent_of_revenue) * _needed(revenue, limit, "revenue"))
    if limit.population_table:
        rows = limit.population_table
        rates.append(float(_population_rate(rows, int(_needed(population, limit, "population")), limit.clause)))
    if not constants and not rates:
        raise InvalidInputError([Issue("limit.empty", "the limit states no amount", Source(clause=limit.clause))])
    return LimitRule(min(constants) if constants else None, tuple(rates))


def _population_rate(rows: tuple[PopulationRateRow, ...], population: int, clause: str) -> Decimal:
    """As engines/limits.py: the rate for a population, interpolated linearly inside its row."""
    for row in rows:
        upper = row.population_to
        if population >= row.population_from and (upper is None or population <= upper):
            if upper is None or upper == row.population_from or row.rate_from == row.rate_to:
                return row.rate_from
            with decimal.localcontext(decimal.Context(prec=60)):
                position = Decimal(population - row.population_from) / (upper - row.population_from)
                return row.rate_from + (row.rate_to - row.rate_from) * position
    raise InvalidInputError(
        [Issue("limit.population", f"no row of the table covers a population of {population:,}", Source(clause=clause))]
    )


def _needed(value: float | None, limit: Limit, what: str) -> float:
    if value is None:
        raise InvalidInputError(
            [
                Issue(
                    "assumptions.missing",
                    f"this limit needs the period's {what}; give it under 'facts' in the assumptions",
                    Source(clause=limit.clause),
                )
            ]
        )
    return value
