"""Great-circle (haversine) distances, vectorised and chunked so that a 7,000 x 7,000 matrix fits in float32."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

# The mean Earth radius (IUGG): (2a + b) / 3 for WGS84, in km. Good to about 0.5% anywhere on the globe.
EARTH_RADIUS_KM = 6371.0088
ROWS_PER_CHUNK = 512

FloatArray = NDArray[np.float64]


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance between two points given in degrees."""
    return float(
        haversine_matrix(np.array([lat1]), np.array([lon1]), np.array([lat2]), np.array([lon2]), dtype=np.float64)[0, 0]
    )


def haversine_matrix(
    lat_from: FloatArray,
    lon_from: FloatArray,
    lat_to: FloatArray,
    lon_to: FloatArray,
    *,
    scale: float = 1.0,
    dtype: type[np.float32] | type[np.float64] = np.float32,
) -> NDArray[np.floating[Any]]:
    """Distances (km x scale) from each origin (rows) to each destination (columns), computed in float64 chunks
    of ROWS_PER_CHUNK rows and stored as dtype (float32 by default: 4 bytes a cell, about 1 m of precision at
    England's scale)."""
    phi_from, phi_to = np.radians(lat_from), np.radians(lat_to)
    lam_from, lam_to = np.radians(lon_from), np.radians(lon_to)
    cos_to = np.cos(phi_to)
    result = np.empty((len(phi_from), len(phi_to)), dtype=dtype)
    for start in range(0, len(phi_from), ROWS_PER_CHUNK):
        stop = start + ROWS_PER_CHUNK
        d_phi = phi_to[None, :] - phi_from[start:stop, None]
        d_lam = lam_to[None, :] - lam_from[start:stop, None]
        a = np.sin(d_phi / 2) ** 2 + np.cos(phi_from[start:stop, None]) * cos_to[None, :] * np.sin(d_lam / 2) ** 2
        result[start:stop] = (2 * EARTH_RADIUS_KM * scale) * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return result
