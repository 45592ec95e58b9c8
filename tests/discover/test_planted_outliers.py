"""Synthetic federations with planted outliers: the planted ones are found, the others flagged no more often than
the limits allow. Seeded, so the result is fixed; the bounds are chosen so that a correct engine fails them with
probability under 1 in 10,000 even before fixing the seed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from scipy import stats

from gainshare.adapters.catalogue import load_catalogue
from gainshare.domain.money import Money
from gainshare.domain.population import AgeBand, AgeSexBand, RegisteredPatients, Sex
from gainshare.domain.variation import ActivityRow, PracticeObservation, Significance
from gainshare.engines.demo.federation import DemoParameters, generate_federation
from gainshare.engines.demo.reference import AGE_BANDS
from gainshare.engines.variation import analyse_variation, federation_reference, national_reference
from gainshare.services.discover import DiscoverInputs, DiscoverService

BANDS = (*(AgeBand(5 * index, 5 * index + 4) for index in range(19)), AgeBand(95, None))
SEXES = (Sex.FEMALE, Sex.MALE)
PRACTICES = 30
REPLICATES = 200


@dataclass(frozen=True)
class Synthetic:
    observations: list[PracticeObservation]
    planted: dict[str, str]  # practice code -> "high" or "low"
    rates_per_1000: dict[tuple[Sex, AgeBand], Decimal]


def rates() -> dict[tuple[Sex, AgeBand], Decimal]:
    """Yearly rates per 1,000 rising with age: 5 at 0-4 to about 100 at 95+, women 10% higher."""
    found: dict[tuple[Sex, AgeBand], Decimal] = {}
    for index, band in enumerate(BANDS):
        base = Decimal(5) + Decimal(index * index) / 4
        found[(Sex.MALE, band)] = base
        found[(Sex.FEMALE, band)] = base * Decimal("1.1")
    return found


def synthetic(seed: int) -> Synthetic:
    """30 practices of 3,000 to 15,000 patients with varied age mixes; Poisson counts; 3 high and 1 low planted."""
    rng = np.random.default_rng(seed)
    table = rates()
    sizes = rng.integers(3_000, 15_001, size=PRACTICES)
    big = [index for index in range(PRACTICES) if sizes[index] >= 8_000]
    chosen = rng.choice(big, size=4, replace=False)
    planted = {f"P{int(index):03d}": ("high" if rank < 3 else "low") for rank, index in enumerate(chosen)}
    observations = []
    for index in range(PRACTICES):
        code = f"P{index:03d}"
        tilt = np.exp(rng.normal(0, 0.3) * np.linspace(-1, 1, len(BANDS)))
        shares = rng.dirichlet(np.full(len(BANDS) * 2, 20.0)) * np.concatenate([tilt, tilt])
        counts = np.floor(sizes[index] * shares / shares.sum()).astype(int)
        bands = tuple(
            (sex, band, int(counts[s * len(BANDS) + b])) for s, sex in enumerate(SEXES) for b, band in enumerate(BANDS)
        )
        mean = sum(float(table[(sex, band)]) * patients / 1000 for sex, band, patients in bands)
        factor = {"high": 2.0, "low": 0.4}.get(planted.get(code, ""), 1.0)
        observations.append(PracticeObservation(code, int(rng.poisson(mean * factor)), bands))
    return Synthetic(observations, planted, table)


def crude(data: Synthetic) -> Decimal:
    events = sum(float(data.rates_per_1000[(s, b)]) * n for o in data.observations for s, b, n in o.bands)
    return Decimal(str(round(events / sum(o.registered for o in data.observations), 9)))


def test_planted_outliers_found_and_false_positives_within_the_limits() -> None:
    false_99_8 = false_95 = trials = missed = 0
    for seed in range(REPLICATES):
        data = synthetic(seed)
        reference = national_reference(data.rates_per_1000, crude(data), period_months=12)
        result = analyse_variation("synthetic", data.observations, reference, 12, Money(1000))
        for item in result.practices:
            direction = data.planted.get(item.practice_code)
            if direction == "high":
                missed += item.significance is not Significance.HIGH_99_8
            elif direction == "low":
                missed += item.significance is not Significance.LOW_99_8
            else:
                trials += 1
                false_99_8 += item.significance in (Significance.HIGH_99_8, Significance.LOW_99_8)
                false_95 += item.significance is not Significance.NOT_SIGNIFICANT
    assert trials == REPLICATES * (PRACTICES - 4)
    # Planted at twice (or 0.4 times) an expected count over 200 (235 at least here): a miss is all but impossible.
    assert missed == 0
    # Under the null each practice is outside the 99.8% (95%) limits with probability at most about 0.002 (0.05).
    assert false_99_8 <= stats.binom.ppf(1 - 1e-4, trials, 0.002)
    assert false_95 <= stats.binom.ppf(1 - 1e-4, trials, 0.05)
    # ... and the limits are not so wide that nothing is ever flagged at 95%.
    assert false_95 >= stats.binom.ppf(1e-4, trials, 0.03)


def test_planted_outliers_found_against_the_federation_itself() -> None:
    data = synthetic(2024)
    weights = {key: value for key, value in data.rates_per_1000.items()}
    reference = federation_reference(data.observations, weights)
    result = analyse_variation("synthetic", data.observations, reference, 12, Money(1000))
    for code, direction in data.planted.items():
        found = result.practice(code)
        assert found is not None
        assert found.significance is (Significance.HIGH_99_8 if direction == "high" else Significance.LOW_99_8)


class PackagedCatalogue:
    def load(self, location: str | None = None):  # type: ignore[no-untyped-def]
        return load_catalogue()


def test_the_demo_federations_planted_outliers_are_found() -> None:
    """The demo generator plants outliers and records them; Discover finds each in the baseline year."""
    federation = generate_federation(DemoParameters())
    assert federation.activity.outliers
    start = federation.parameters.activity.scheme_start_index  # before this month nothing has moved to hubs
    codes = [practice.code for practice in federation.practices]
    rows = tuple(
        ActivityRow(code, line.id, line.pod, federation.months[m], int(federation.activity.demand[p, i, m]), 0)
        for p, code in enumerate(codes)
        for i, line in enumerate(federation.lines)
        for m in range(start)
    )
    extract = federation.months[0]
    bands = tuple(
        AgeSexBand(code, extract, sex, AgeBand.parse(label), int(federation.band_counts[p, 0, s, b]))
        for p, code in enumerate(codes)
        for s, sex in enumerate(SEXES)  # the demo's sex axis is F, M
        for b, label in enumerate(AGE_BANDS)
    )
    inputs = DiscoverInputs(RegisteredPatients(bands=bands), rows)
    service = DiscoverService(PackagedCatalogue())
    for outlier in federation.activity.outliers:
        found = service.variation(inputs, outlier.service_line).result.practice(outlier.practice_code)
        assert found is not None
        wanted = Significance.HIGH_99_8 if outlier.direction == "high" else Significance.LOW_99_8
        assert found.significance is wanted, (outlier, found.ratio)
