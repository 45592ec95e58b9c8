"""The demo federation engine: determinism, realistic ranges, seasonality, growth, outliers and the hub shift."""

from __future__ import annotations

import re
from datetime import date

import numpy as np
import pytest

from gainshare.engines.demo.activity import ActivityParameters, ramp
from gainshare.engines.demo.federation import DemoFederation, DemoParameters, generate_federation
from gainshare.engines.demo.population import largest_remainder
from gainshare.engines.demo.reference import AGE_BANDS

SEEDS = (1, 2, 3)


@pytest.fixture(scope="module")
def federation() -> DemoFederation:
    return generate_federation(DemoParameters())


@pytest.fixture(scope="module")
def federations() -> list[DemoFederation]:
    return [generate_federation(DemoParameters(seed=seed)) for seed in SEEDS]


def _line(federation: DemoFederation, line_id: str) -> int:
    return [line.id for line in federation.lines].index(line_id)


def test_same_seed_gives_identical_values() -> None:
    first = generate_federation(DemoParameters(seed=11))
    second = generate_federation(DemoParameters(seed=11))
    assert first.practices == second.practices
    assert np.array_equal(first.band_counts, second.band_counts)
    assert np.array_equal(first.activity.hospital, second.activity.hospital)
    assert np.array_equal(first.activity.hub, second.activity.hub)
    assert first.activity.outliers == second.activity.outliers


def test_different_seeds_give_different_federations() -> None:
    first = generate_federation(DemoParameters(seed=11))
    second = generate_federation(DemoParameters(seed=12))
    assert [p.list_size for p in first.practices] != [p.list_size for p in second.practices]
    assert not np.array_equal(first.activity.hospital, second.activity.hospital)


def test_practices_have_synthetic_codes_and_realistic_sizes(federations: list[DemoFederation]) -> None:
    for federation in federations:
        codes = [p.code for p in federation.practices]
        assert len(codes) == 30 == len(set(codes))
        assert all(re.fullmatch(r"Z9\d{4}", code) for code in codes)
        assert all(re.fullmatch(r"[A-Z]{2}\d \d[A-Z]{2}", p.postcode) for p in federation.practices)
        assert all(53.6 < p.latitude < 54.3 and -3.2 < p.longitude < -2.4 for p in federation.practices)
        sizes = federation.list_sizes
        assert sizes.min() >= 2_000 and sizes.max() <= 25_000
        first = sizes[:, 0]
        assert first.mean() > np.median(first)  # right-skewed: a few large practices
        assert first.max() > 3 * first.min()


def test_three_years_of_months_and_ten_service_lines(federation: DemoFederation) -> None:
    assert len(federation.months) == 36
    assert federation.months[0] == date(2023, 4, 1) and federation.months[-1] == date(2026, 3, 1)
    assert all(month.day == 1 for month in federation.months)
    assert len(federation.lines) >= 10
    expected = {"anticoag", "joint-injections", "minor-surgery", "dermatology", "ecg", "spirometry", "abpm"}
    assert expected | {"phlebotomy", "ear-care", "wound-care"} <= {line.id for line in federation.lines}
    assert federation.activity.hospital.shape == (30, len(federation.lines), 36)


def test_band_counts_add_up_to_list_sizes(federation: DemoFederation) -> None:
    assert federation.band_counts.shape == (30, 36, 2, len(AGE_BANDS))
    assert np.array_equal(federation.band_counts.sum(axis=(2, 3)), federation.list_sizes)
    assert (federation.band_counts >= 0).all()


def test_largest_remainder_keeps_totals() -> None:
    exact = np.array([[0.5, 0.5, 1.0], [2.2, 0.4, 0.4]])
    rounded = largest_remainder(exact, np.array([2, 3]))
    assert rounded.sum(axis=1).tolist() == [2, 3]
    assert rounded[1].tolist() == [2, 1, 0] or rounded[1].tolist() == [2, 0, 1]


def _share(federation: DemoFederation, archetype: str, bands: slice) -> float:
    rows = [i for i, p in enumerate(federation.practices) if p.archetype == archetype]
    counts = federation.band_counts[rows, 0].sum(axis=1)  # (practices, bands), first month, both sexes
    return float(counts[:, bands].sum() / counts.sum())


def test_archetypes_have_their_age_mix(federations: list[DemoFederation]) -> None:
    for federation in federations:
        archetypes = {p.archetype for p in federation.practices}
        assert {"student-town", "elderly-coastal", "typical"} <= archetypes
        young_adults, over_65 = slice(3, 6), slice(13, None)
        assert _share(federation, "student-town", young_adults) > 1.5 * _share(federation, "typical", young_adults)
        assert _share(federation, "elderly-coastal", over_65) > 1.3 * _share(federation, "typical", over_65)
        assert _share(federation, "elderly-coastal", over_65) > 2 * _share(federation, "student-town", over_65)


def test_older_lists_have_more_age_related_activity(federation: DemoFederation) -> None:
    anticoag = _line(federation, "anticoag")
    per_1000 = federation.activity.expected[:, anticoag, :12].sum(axis=1) / federation.list_sizes[:, 0] * 1000
    by_type: dict[str, list[float]] = {p.archetype: [] for p in federation.practices}
    for practice, rate in zip(federation.practices, per_1000, strict=True):
        by_type[practice.archetype].append(float(rate))
    assert np.mean(by_type["elderly-coastal"]) > 2 * np.mean(by_type["student-town"])


def _by_calendar_month(values: np.ndarray, federation: DemoFederation) -> np.ndarray:
    months = np.array([month.month for month in federation.months])
    return np.array([values[months == number].sum() for number in range(1, 13)])


def test_seasonality_is_visible_in_aggregate(federation: DemoFederation) -> None:
    spirometry = _by_calendar_month(
        federation.activity.demand[:, _line(federation, "spirometry")].sum(axis=0), federation
    )
    assert spirometry[0] > 1.2 * spirometry[6]  # January well above July
    dermatology = _by_calendar_month(
        federation.activity.demand[:, _line(federation, "dermatology")].sum(axis=0), federation
    )
    assert dermatology[6] > 1.1 * dermatology[0]  # skin lesions peak in summer
    planned = _by_calendar_month(
        federation.activity.demand[:, _line(federation, "minor-surgery")].sum(axis=0), federation
    )
    assert planned[11] < planned[10] and planned[7] < planned[6]  # December and August dips


def test_growth_is_visible_in_aggregate(federation: DemoFederation) -> None:
    yearly = federation.activity.demand.sum(axis=0).reshape(len(federation.lines), 3, 12).sum(axis=2)
    for line_id in ("dermatology", "spirometry", "ear-care"):
        first, _, last = yearly[_line(federation, line_id)]
        assert last > first * 1.05, line_id
    first, _, last = yearly[_line(federation, "anticoag")]
    assert last < first  # warfarin clinics shrink as patients move to DOACs
    totals = federation.list_sizes.sum(axis=0)
    assert totals[-1] > totals[0] * 1.01


def test_planted_outliers_are_recorded_and_elevated(federations: list[DemoFederation]) -> None:
    for federation in federations:
        outliers = federation.activity.outliers
        assert [o.direction for o in outliers] == ["high", "high", "high", "low"]
        codes = [p.code for p in federation.practices]
        ratio = federation.activity.demand.sum(axis=2) / federation.activity.expected.sum(axis=2)  # (P, L)
        for outlier in outliers:
            practice, line = codes.index(outlier.practice_code), _line(federation, outlier.service_line)
            others = np.delete(ratio[:, line], practice)
            if outlier.direction == "high":
                assert 1.7 <= outlier.factor <= 2.4
                assert ratio[practice, line] > 1.4 * np.median(others)
                assert ratio[practice, line] > others.max()
            else:
                assert outlier.factor < 1
                assert ratio[practice, line] < 0.7 * np.median(others)


def test_no_outliers_when_none_are_asked_for() -> None:
    quiet = ActivityParameters(high_outliers=0, low_outliers=0)
    assert generate_federation(DemoParameters(activity=quiet)).activity.outliers == ()


def test_activity_moves_to_hubs_after_the_scheme_starts(federation: DemoFederation) -> None:
    activity = federation.activity
    start = federation.parameters.activity.scheme_start_index
    assert federation.parameters.scheme_start == date(2024, 4, 1)
    assert activity.hub[:, :, :start].sum() == 0
    assert np.array_equal(activity.hospital[:, :, :start], activity.demand[:, :, :start])
    hub = activity.hub.sum(axis=0)
    hospital = activity.hospital.sum(axis=0)
    share = hub / (hub + hospital)
    assert (share[:, start] < share[:, start + 11]).all()  # ramp-up
    mature = share[:, -12:].mean(axis=1)
    for index, line in enumerate(federation.lines):
        assert 0.4 * line.max_shift < mature[index] < 1.2 * line.max_shift, line.id
    assert (hospital[:, -12:].sum(axis=1) < hospital[:, :12].sum(axis=1)).all()


def test_ramp_rises_from_zero_to_one() -> None:
    assert ramp(6, 2, 3).tolist() == pytest.approx([0, 0, 1 / 3, 2 / 3, 1, 1])


def test_hubs_are_spread_and_every_practice_has_one(federation: DemoFederation) -> None:
    hosts = federation.activity.hub_hosts
    assert len(hosts) == 4 == len(set(hosts))
    assert set(federation.activity.hub_of.tolist()) <= set(hosts)
    assert all(federation.activity.hub_of[host] == host for host in hosts)


def test_costs_are_whole_pence_at_the_year_price(federation: DemoFederation) -> None:
    activity = federation.activity
    assert activity.hospital_cost_pence.dtype == np.int64 and activity.hub_cost_pence.dtype == np.int64
    prices = activity.hospital_prices_pence
    assert (prices[:, 1] > prices[:, 0]).all()
    assert np.array_equal(activity.hospital_cost_pence[:, :, 0], activity.hospital[:, :, 0] * prices[:, 0])
    assert np.array_equal(activity.hospital_cost_pence[:, :, -1], activity.hospital[:, :, -1] * prices[:, 2])
    assert (activity.hub_prices_pence < prices[:, 0]).all()


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        (DemoParameters(practices=0), "number of practices"),
        (DemoParameters(seed=-1), "seed"),
        (DemoParameters(months=20), "12 months past"),
        (DemoParameters(activity=ActivityParameters(scheme_start_index=6)), "baseline year"),
    ],
)
def test_bad_parameters_are_refused(parameters: DemoParameters, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        generate_federation(parameters)
