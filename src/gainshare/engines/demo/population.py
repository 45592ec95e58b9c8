"""Registered lists: each practice's age/sex mix and its monthly list size by quinary band and sex."""

from __future__ import annotations

from datetime import date

import numpy as np
from numpy.typing import NDArray

from gainshare.engines.demo.practices import MAX_LIST_SIZE, MIN_LIST_SIZE, Practice
from gainshare.engines.demo.reference import AGE_BANDS, ARCHETYPES, england_band_shares, male_shares

STUDENT_INTAKE = 1.03  # student-town lists swell by about 3% from October to June
_TERM_MONTHS = frozenset({10, 11, 12, 1, 2, 3, 4, 5, 6})


def band_shares(rng: np.random.Generator, practices: tuple[Practice, ...], noise: float = 0.08) -> NDArray[np.float64]:
    """Each practice's share of its list in each sex and age band, shape (practices, 2 sexes F/M, bands)."""
    england = england_band_shares()
    male = male_shares()
    shares = np.empty((len(practices), 2, len(AGE_BANDS)), dtype=np.float64)
    for index, practice in enumerate(practices):
        tilt = np.asarray(ARCHETYPES[practice.archetype].tilt, dtype=np.float64)
        ages = england * tilt * rng.lognormal(0.0, noise, size=len(AGE_BANDS))
        ages /= ages.sum()
        male_share = np.clip(male + rng.normal(0.0, 0.01, size=len(AGE_BANDS)), 0.1, 0.9)
        shares[index, 0] = ages * (1.0 - male_share)
        shares[index, 1] = ages * male_share
    return shares


def list_sizes(
    rng: np.random.Generator, practices: tuple[Practice, ...], months: tuple[date, ...]
) -> NDArray[np.int64]:
    """Registered patients per practice per month, shape (practices, months): slow growth, small wobble."""
    elapsed_years = np.arange(len(months), dtype=np.float64) / 12.0
    in_term = np.array([month.month in _TERM_MONTHS for month in months])
    sizes = np.empty((len(practices), len(months)), dtype=np.float64)
    for index, practice in enumerate(practices):
        trend = practice.list_size * (1.0 + practice.annual_growth) ** elapsed_years
        if practice.archetype == "student-town":
            trend = trend * np.where(in_term, STUDENT_INTAKE, 1.0)
        wobble = 1.0 + rng.normal(0.0, 0.0015, size=len(months))
        sizes[index] = trend * wobble
    return np.clip(np.rint(sizes), MIN_LIST_SIZE, MAX_LIST_SIZE).astype(np.int64)


def band_counts(sizes: NDArray[np.int64], shares: NDArray[np.float64]) -> NDArray[np.int64]:
    """Patients per practice, month, sex and band, shape (P, M, 2, B); each month adds up to its list size."""
    practices, months = sizes.shape
    cells = shares.reshape(practices, 1, -1)
    exact = sizes[:, :, None].astype(np.float64) * cells
    counts = largest_remainder(exact.reshape(practices * months, -1), sizes.reshape(-1))
    return counts.reshape(practices, months, *shares.shape[1:])


def largest_remainder(exact: NDArray[np.float64], totals: NDArray[np.int64]) -> NDArray[np.int64]:
    """Round each row of `exact` to whole numbers that add up to its total (Hamilton's method)."""
    floors = np.floor(exact).astype(np.int64)
    shortfall = totals - floors.sum(axis=1)
    order = np.argsort(-(exact - floors), axis=1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(exact.shape[1])[None, :].repeat(exact.shape[0], axis=0), axis=1)
    rounded: NDArray[np.int64] = floors + (ranks < shortfall[:, None]).astype(np.int64)
    return rounded
