"""Map maths for the offline map: spherical Web Mercator (EPSG:3857) in metres, the projection
of the z/x/y tile scheme, so an optional local tile folder lines up with the drawn route.
Pure functions, no Qt.
"""

from __future__ import annotations

import math

import numpy as np

EARTH_RADIUS_M = 6378137.0
ORIGIN_SHIFT_M = math.pi * EARTH_RADIUS_M  # half the world's width in mercator metres
MAX_LAT = 85.05112878


def lonlat_to_mercator(lon: float, lat: float) -> tuple[float, float]:
    lat = max(-MAX_LAT, min(MAX_LAT, lat))
    x = math.radians(lon) * EARTH_RADIUS_M
    y = math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) * EARTH_RADIUS_M
    return x, y


def lonlat_to_mercator_arrays(lons: np.ndarray, lats: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``lonlat_to_mercator`` over arrays at once (a replay's whole route: 57,600 points in
    ~3 ms instead of ~120 ms point by point)."""
    lats = np.clip(lats, -MAX_LAT, MAX_LAT)
    x = np.radians(lons) * EARTH_RADIUS_M
    y = np.log(np.tan(math.pi / 4 + np.radians(lats) / 2)) * EARTH_RADIUS_M
    return x, y


def mercator_to_lonlat(x: float, y: float) -> tuple[float, float]:
    lon = math.degrees(x / EARTH_RADIUS_M)
    lat = math.degrees(2 * math.atan(math.exp(y / EARTH_RADIUS_M)) - math.pi / 2)
    return lon, lat


def mercator_scale(lat: float) -> float:
    """Mercator metres per ground metre at a latitude (1 / cos(lat))."""
    return 1.0 / max(0.01, math.cos(math.radians(lat)))


def sector_points(x: float, y: float, azimuth_deg: float | None, beamwidth_deg: float | None,
                  radius: float, steps: int = 16) -> list[tuple[float, float]]:
    """Outline of a sector wedge (closed polygon) in map coordinates: azimuth clockwise from
    north, x east, y north. No azimuth (an omni cell): a circle."""
    if azimuth_deg is None:
        return [(x + radius * math.sin(a), y + radius * math.cos(a))
                for a in (2 * math.pi * i / 36 for i in range(37))]
    width = beamwidth_deg if beamwidth_deg and 0 < beamwidth_deg <= 360 else 65.0
    start = azimuth_deg - width / 2
    pts = [(x, y)]
    for i in range(steps + 1):
        a = math.radians(start + width * i / steps)
        pts.append((x + radius * math.sin(a), y + radius * math.cos(a)))
    pts.append((x, y))
    return pts


def tile_bounds(z: int, tx: int, ty: int) -> tuple[float, float, float, float]:
    """(x_min, y_min, x_max, y_max) in mercator metres of slippy-map tile z/x/y (y down)."""
    size = 2 * ORIGIN_SHIFT_M / (1 << z)
    x0 = -ORIGIN_SHIFT_M + tx * size
    y1 = ORIGIN_SHIFT_M - ty * size
    return x0, y1 - size, x0 + size, y1


def tiles_covering(x_min: float, y_min: float, x_max: float, y_max: float, z: int,
                   limit: int = 64) -> list[tuple[int, int, int]]:
    """Tiles of zoom ``z`` that cover a mercator rectangle (at most ``limit``)."""
    n = 1 << z
    size = 2 * ORIGIN_SHIFT_M / n

    def col(x: float) -> int:
        return max(0, min(n - 1, int((x + ORIGIN_SHIFT_M) // size)))

    def row(y: float) -> int:
        return max(0, min(n - 1, int((ORIGIN_SHIFT_M - y) // size)))

    out = []
    for ty in range(row(y_max), row(y_min) + 1):
        for tx in range(col(x_min), col(x_max) + 1):
            out.append((z, tx, ty))
            if len(out) >= limit:
                return out
    return out


def zoom_for_span(span_m: float, pixels: int) -> int:
    """The tile zoom whose 256-px tiles show ``span_m`` mercator metres over ``pixels``."""
    if span_m <= 0 or pixels <= 0:
        return 0
    metres_per_px = span_m / pixels
    z = math.log2(2 * ORIGIN_SHIFT_M / (256 * metres_per_px))
    return max(0, min(19, int(round(z))))
