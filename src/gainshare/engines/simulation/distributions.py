"""Sampling and quantiles of the assumption distributions, vectorised."""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray
from scipy import special

from gainshare.domain.assumptions import Beta, Distribution, Fixed, LogNormal, Normal, Triangular, Uniform

Floats = NDArray[np.float64]


def sample(distribution: Distribution, rng: np.random.Generator, count: int) -> Floats:
    """Independent draws with numpy's own samplers (faster than inverting the CDF)."""
    match distribution:
        case Fixed(value=value):
            return np.full(count, value)
        case Normal(mean=mean, sd=sd):
            return _clip(distribution, rng.normal(mean, sd, count))
        case LogNormal():
            mu, sigma = distribution.log_parameters()
            return rng.lognormal(mu, sigma, count)
        case Triangular(low=low, mode=mode, high=high):
            return np.full(count, low) if low == high else rng.triangular(low, mode, high, count)
        case Uniform(low=low, high=high):
            return rng.uniform(low, high, count)
        case Beta(alpha=alpha, beta=beta, low=low, high=high):
            return low + (high - low) * rng.beta(alpha, beta, count)


def from_standard_normal(distribution: Distribution, z: Floats) -> Floats:
    """Transform standard normal draws (from the copula) to the distribution, keeping their ranks."""
    match distribution:
        case Normal(mean=mean, sd=sd):
            return _clip(distribution, mean + sd * z)
        case LogNormal():
            mu, sigma = distribution.log_parameters()
            return np.exp(mu + sigma * z)
        case _:
            return _interpolate(_normal_score_table(distribution), z)


def quantile(distribution: Distribution, p: Floats) -> Floats:
    """The inverse CDF at probabilities p (0 < p < 1)."""
    match distribution:
        case Fixed(value=value):
            return np.full(p.shape, value)
        case Normal(mean=mean, sd=sd):
            return _clip(distribution, mean + sd * _ndtri(p))
        case LogNormal():
            mu, sigma = distribution.log_parameters()
            return np.exp(mu + sigma * _ndtri(p))
        case Triangular():
            return _triangular_quantile(distribution, p)
        case Uniform(low=low, high=high):
            return low + (high - low) * p
        case Beta(alpha=alpha, beta=beta, low=low, high=high):
            return low + (high - low) * np.asarray(special.betaincinv(alpha, beta, p), dtype=np.float64)


def quantile_at(distribution: Distribution, probability: float) -> float:
    return float(quantile(distribution, np.array([probability]))[0])


def is_fixed(distribution: Distribution) -> bool:
    return isinstance(distribution, Fixed) or quantile_at(distribution, 0.01) == quantile_at(distribution, 0.99)


_TABLE_POINTS = 8193
_TABLE_REACH = 8.5  # standard deviations either side; beyond, the end values (a chance below 1e-16)


def _interpolate(values: Floats, z: Floats) -> Floats:
    """Linear interpolation on the evenly spaced grid (direct indexing: several times faster than np.interp)."""
    step = 2 * _TABLE_REACH / (_TABLE_POINTS - 1)
    position = np.clip((z + _TABLE_REACH) / step, 0.0, _TABLE_POINTS - 1.000001)
    index = position.astype(np.intp)
    fraction = position - index
    low = values[index]
    return low + fraction * (values[index + 1] - low)


@lru_cache(maxsize=256)
def _normal_score_table(distribution: Distribution) -> Floats:
    """The quantile as a function of the normal score z, tabulated once: interpolating it is much faster than
    inverting a CDF such as the beta's per draw, and the function is smooth, so the error is far below the
    sampling error (about 1e-6 of the range for a beta)."""
    grid = np.linspace(-_TABLE_REACH, _TABLE_REACH, _TABLE_POINTS)
    return quantile(distribution, np.asarray(special.ndtr(grid), dtype=np.float64))


def _ndtri(p: Floats) -> Floats:
    return np.asarray(special.ndtri(p), dtype=np.float64)


def _triangular_quantile(distribution: Triangular, p: Floats) -> Floats:
    low, mode, high = distribution.low, distribution.mode, distribution.high
    if high == low:
        return np.full(p.shape, low)
    cut = (mode - low) / (high - low)
    left = low + np.sqrt(p * (high - low) * (mode - low))
    right = high - np.sqrt((1 - p) * (high - low) * (high - mode))
    return np.where(p < cut, left, right)


def _clip(distribution: Normal, values: Floats) -> Floats:
    if distribution.minimum is None and distribution.maximum is None:
        return values
    low = -math.inf if distribution.minimum is None else distribution.minimum
    high = math.inf if distribution.maximum is None else distribution.maximum
    return np.clip(values, low, high)


def mean_of(distribution: Distribution, points: int = 100_000) -> float:
    """The mean, by averaging the quantile over evenly spaced probabilities (exact enough, covers clipping)."""
    probabilities = (np.arange(points, dtype=np.float64) + 0.5) / points
    return float(quantile(distribution, probabilities).mean())
