"""The negotiation frontier: a grid of share, threshold and cap on the same scenarios, each party's constraints,
the feasible and efficient terms, and a recommended point with its reason."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

import numpy as np

from gainshare.domain.money import Money
from gainshare.domain.terms import GainTerms, Limit, ShareSchedule, SharingRules, Threshold, ThresholdSharing
from gainshare.engines.simulation.distributions import Floats
from gainshare.engines.simulation.outcomes import Model
from gainshare.engines.simulation.rules import CompiledRules, apply
from gainshare.engines.simulation.scenarios import DEFAULT_CHUNK

SAME_SPLIT = 0.005  # expected values within 0.5% of the expected net saving count as the same split


@dataclass(frozen=True)
class Grid:
    """Values to try: the provider's flat share, the gain threshold and cap as shares of the baseline.

    A threshold of 0 means none; a cap of None means none.
    """

    shares: tuple[Decimal, ...]
    thresholds: tuple[Decimal, ...] = (Decimal(0),)
    caps: tuple[Decimal | None, ...] = (None,)
    threshold_sharing: ThresholdSharing = ThresholdSharing.FIRST_POUND


@dataclass(frozen=True)
class Constraints:
    """What each party needs. Money in pence."""

    provider_max_loss_probability: float = 0.10  # P(provider net position after its costs < 0)
    provider_min_expected_share: int = 0  # e.g. its set-up cost
    commissioner_min_expected_retained: int = 0


@dataclass(frozen=True)
class GridPoint:
    share: Decimal
    threshold: Decimal
    cap: Decimal | None
    rules: SharingRules
    provider_expected_share: int
    provider_expected_net: int
    provider_loss_probability: float
    commissioner_expected_retained: int
    commissioner_loss_probability: float
    threshold_probability: float
    provider_expected_loss: int  # E[max(0, -provider net position)]: how much it stands to lose, on average
    commissioner_expected_loss: int  # E[max(0, -retained saving)]
    failures: tuple[str, ...] = ()
    efficient: bool = False

    @property
    def feasible(self) -> bool:
        return not self.failures


@dataclass(frozen=True)
class Frontier:
    scenarios: int
    constraints: Constraints
    points: tuple[GridPoint, ...]
    recommended: GridPoint | None
    reason: str
    failure_counts: dict[str, int] = field(default_factory=dict)


def terms_at(
    base: SharingRules, share: Decimal, threshold: Decimal, cap: Decimal | None, sharing: ThresholdSharing
) -> SharingRules:
    """The base terms with a flat gain share, a threshold and a cap (shares of the baseline); the rest kept."""
    clause = base.gains.clause
    gains = GainTerms(
        ShareSchedule(base.gains.share.clause, flat=share),
        Threshold(Limit(f"{clause}.threshold", percent_of_baseline=threshold), sharing) if threshold > 0 else None,
        None if cap is None else Limit(f"{clause}.cap", percent_of_baseline=cap),
        clause,
    )
    return replace(base, gains=gains)


@dataclass
class _Sums:
    share: float = 0.0
    provider_net: float = 0.0
    provider_losses: int = 0
    retained: float = 0.0
    commissioner_losses: int = 0
    threshold: float = 0.0
    provider_shortfall: float = 0.0
    commissioner_shortfall: float = 0.0
    net: float = 0.0


def search(
    model: Model,
    base: SharingRules,
    grid: Grid,
    constraints: Constraints,
    count: int,
    rng: np.random.Generator,
    chunk: int = DEFAULT_CHUNK,
) -> Frontier:
    """Every grid point on the same scenarios; expected values and probabilities accumulate chunk by chunk."""
    keys = list(itertools.product(grid.shares, grid.thresholds, grid.caps))
    rules = [terms_at(base, share, threshold, cap, grid.threshold_sharing) for share, threshold, cap in keys]
    compiled = [model.compile(item) for item in rules]
    sums = [_Sums() for _ in keys]
    for evaluated in model.scenarios(count, rng, chunk):
        net = evaluated.net.sum(axis=1)
        for compiled_rules, total in zip(compiled, sums, strict=True):
            _accumulate(
                compiled_rules,
                evaluated.net,
                evaluated.baseline,
                evaluated.quality,
                evaluated.provider_costs,
                net,
                total,
            )
    points = [_point(key, item, total, count, constraints) for key, item, total in zip(keys, rules, sums, strict=True)]
    expected_net = abs(sums[0].net / count) if sums else 0.0
    points = _mark_efficient(points, SAME_SPLIT * expected_net)
    recommended, reason = _recommend(points, constraints)
    failures: dict[str, int] = {}
    for point in points:
        for failure in point.failures:
            failures[failure] = failures.get(failure, 0) + 1
    return Frontier(count, constraints, tuple(points), recommended, reason, failures)


def _accumulate(
    rules: CompiledRules,
    net_by_period: Floats,
    baseline: Floats,
    quality: Floats,
    costs: Floats,
    net: Floats,
    into: _Sums,
) -> None:
    shared = apply(rules, net_by_period, baseline, quality[:, None])
    share = shared.provider.sum(axis=1)
    provider_net = share - costs
    retained = net - share
    into.share += float(share.sum())
    into.provider_net += float(provider_net.sum())
    into.provider_losses += int(np.count_nonzero(provider_net < 0))
    into.retained += float(retained.sum())
    into.commissioner_losses += int(np.count_nonzero(retained < 0))
    into.threshold += float(shared.threshold_met.mean(axis=1).sum())
    into.provider_shortfall += float(np.maximum(-provider_net, 0.0).sum())
    into.commissioner_shortfall += float(np.maximum(-retained, 0.0).sum())
    into.net += float(net.sum())


def _point(
    key: tuple[Decimal, Decimal, Decimal | None], rules: SharingRules, sums: _Sums, count: int, constraints: Constraints
) -> GridPoint:
    share, threshold, cap = key
    point = GridPoint(
        share=share,
        threshold=threshold,
        cap=cap,
        rules=rules,
        provider_expected_share=round(sums.share / count),
        provider_expected_net=round(sums.provider_net / count),
        provider_loss_probability=sums.provider_losses / count,
        commissioner_expected_retained=round(sums.retained / count),
        commissioner_loss_probability=sums.commissioner_losses / count,
        threshold_probability=sums.threshold / count,
        provider_expected_loss=round(sums.provider_shortfall / count),
        commissioner_expected_loss=round(sums.commissioner_shortfall / count),
    )
    return replace(point, failures=_failures(point, constraints))


def _failures(point: GridPoint, constraints: Constraints) -> tuple[str, ...]:
    failures: list[str] = []
    if point.provider_loss_probability >= constraints.provider_max_loss_probability:
        failures.append("provider loss probability")
    if point.provider_expected_share < constraints.provider_min_expected_share:
        failures.append("provider expected share")
    if point.commissioner_expected_retained < constraints.commissioner_min_expected_retained:
        failures.append("commissioner expected retained saving")
    return tuple(failures)


def _dominates(better: GridPoint, worse: GridPoint, tolerance: float) -> bool:
    """Better risks for both parties (none worse, one strictly), at an expected split no worse than a tolerance.

    The expected shares add up to the same expected saving whatever the terms, so on expected values alone no term
    set beats another; terms differ in who bears the risk. Expected values within the tolerance count as the same
    split.
    """
    risks_better = (
        -better.provider_loss_probability,
        -better.provider_expected_loss,
        -better.commissioner_loss_probability,
        -better.commissioner_expected_loss,
    )
    risks_worse = (
        -worse.provider_loss_probability,
        -worse.provider_expected_loss,
        -worse.commissioner_loss_probability,
        -worse.commissioner_expected_loss,
    )
    same_split = (
        better.provider_expected_net >= worse.provider_expected_net - tolerance
        and better.commissioner_expected_retained >= worse.commissioner_expected_retained - tolerance
    )
    no_worse = all(b >= w for b, w in zip(risks_better, risks_worse, strict=True))
    return same_split and no_worse and risks_better != risks_worse


def _mark_efficient(points: list[GridPoint], tolerance: float) -> list[GridPoint]:
    feasible = [point for point in points if point.feasible]
    return [
        replace(point, efficient=point.feasible and not any(_dominates(other, point, tolerance) for other in feasible))
        for point in points
    ]


def _recommend(points: Sequence[GridPoint], constraints: Constraints) -> tuple[GridPoint | None, str]:
    candidates = [point for point in points if point.efficient]
    if not candidates:
        return None, "No terms in the grid meet every party's constraints."

    def imbalance(point: GridPoint) -> tuple[float, float]:
        provider, commissioner = _surpluses(point, constraints)
        return abs(provider - commissioner), point.provider_loss_probability

    best = min(candidates, key=imbalance)
    provider, commissioner = _surpluses(best, constraints)
    feasible = sum(1 for point in points if point.feasible)
    reason = (
        f"Of {feasible} feasible terms ({len(candidates)} on the frontier), this one splits the expected surplus over "
        f"each party's minimum most equally: provider {_pounds(provider)} above its minimum expected share, "
        f"commissioner {_pounds(commissioner)} above its minimum expected retained saving; the provider's "
        f"probability of a loss after its costs is {best.provider_loss_probability:.1%}."
    )
    return best, reason


def _surpluses(point: GridPoint, constraints: Constraints) -> tuple[int, int]:
    return (
        point.provider_expected_share - constraints.provider_min_expected_share,
        point.commissioner_expected_retained - constraints.commissioner_min_expected_retained,
    )


def _pounds(pence: int) -> str:
    return str(Money(pence))
