"""Distances on the Earth: great-circle (haversine) and a local flat projection, with one Earth radius."""

from __future__ import annotations

from typing import overload

import numpy as np
import numpy.typing as npt

# The mean Earth radius (IUGG), the one every distance in the suite uses.
EARTH_RADIUS_M = 6_371_008.8
EARTH_RADIUS_KM = EARTH_RADIUS_M / 1000.0
# Metres per degree of latitude (and of longitude at the equator).
METRES_PER_DEGREE = float(np.radians(1.0)) * EARTH_RADIUS_M

FloatArray = npt.NDArray[np.float64]


@overload
def great_circle_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float: ...
@overload
def great_circle_m(lat1: FloatArray, lon1: FloatArray, lat2: FloatArray, lon2: FloatArray) -> FloatArray: ...
def great_circle_m(lat1: float | FloatArray, lon1: float | FloatArray, lat2: float | FloatArray, lon2: float | FloatArray) -> float | FloatArray:
    """Haversine distance in metres between points in decimal degrees: numbers, or arrays (broadcasting)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(lon2) - np.radians(lon1)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    distance = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return float(distance) if np.ndim(distance) == 0 and not isinstance(lat1, np.ndarray) else distance


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance in kilometres between two points in decimal degrees."""
    return great_circle_m(lat1, lon1, lat2, lon2) / 1000.0


@overload
def local_xy_m(lat: float, lon: float, centre_lat: float, centre_lon: float) -> tuple[float, float]: ...
@overload
def local_xy_m(lat: FloatArray, lon: FloatArray, centre_lat: float, centre_lon: float) -> tuple[FloatArray, FloatArray]: ...
def local_xy_m(lat: float | FloatArray, lon: float | FloatArray, centre_lat: float, centre_lon: float) -> tuple[float | FloatArray, float | FloatArray]:
    """East and north metres from a centre by the equirectangular projection (good for a few tens of km)."""
    x = (lon - centre_lon) * METRES_PER_DEGREE * np.cos(np.radians(centre_lat))
    y = (lat - centre_lat) * METRES_PER_DEGREE
    return x, y
