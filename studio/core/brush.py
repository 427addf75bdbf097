"""Round mask brush dabs and stroke interpolation (pure numpy).

A dab is a disc of coverage 0..1: fully opaque inside `hardness * radius`, falling off
linearly to 0 at the rim (hardness 1 gives a one-pixel anti-aliased edge). The brush
raises mask values to the dab's coverage (max), the eraser lowers them (min), so going
over the same place twice within a stroke never builds up or leaves seams.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

Rect = tuple[int, int, int, int]  # x0, y0, x1, y1 (exclusive), image pixels

MIN_RADIUS = 0.5
MAX_RADIUS = 2048.0


def union(a: Rect | None, b: Rect | None) -> Rect | None:
    """The smallest rect covering both (None is the empty rect)."""
    if a is None:
        return b
    if b is None:
        return a
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


@lru_cache(maxsize=64)
def _dab(radius_q: int, hardness_q: int) -> np.ndarray:
    radius = radius_q / 4.0
    hardness = hardness_q / 100.0
    half = math.ceil(radius + 0.5)
    coords = np.arange(-half, half + 1, dtype=np.float32)
    dist = np.sqrt(coords[None, :] ** 2 + coords[:, None] ** 2)
    inner = radius * hardness
    falloff = max(radius - inner, 0.0) + 0.5
    coverage = np.clip((radius + 0.5 - dist) / falloff, 0.0, 1.0)
    coverage[dist <= inner] = 1.0
    dab = np.round(coverage * 255.0).astype(np.uint8)
    dab.setflags(write=False)
    return dab


def dab(radius: float, hardness: float) -> np.ndarray:
    """Coverage (uint8, 0..255) of a round dab centred in a square of side 2*ceil(r+.5)+1."""
    radius = float(min(max(radius, MIN_RADIUS), MAX_RADIUS))
    hardness = float(min(max(hardness, 0.0), 1.0))
    return _dab(round(radius * 4), round(hardness * 100))


def stamp(
    mask: np.ndarray, x: float, y: float, radius: float, hardness: float, erase: bool = False
) -> Rect | None:
    """Paint (or erase) one dab centred at (x, y) into mask in place; return the touched rect."""
    cover = dab(radius, hardness)
    half = cover.shape[0] // 2
    cx, cy = round(x), round(y)
    height, width = mask.shape[:2]
    x0, y0 = cx - half, cy - half
    x1, y1 = x0 + cover.shape[1], y0 + cover.shape[0]
    cx0, cy0, cx1, cy1 = max(x0, 0), max(y0, 0), min(x1, width), min(y1, height)
    if cx0 >= cx1 or cy0 >= cy1:
        return None
    region = mask[cy0:cy1, cx0:cx1]
    part = cover[cy0 - y0 : cy1 - y0, cx0 - x0 : cx1 - x0]
    if erase:
        np.minimum(region, 255 - part, out=region)
    else:
        np.maximum(region, part, out=region)
    return (cx0, cy0, cx1, cy1)


def spacing_for(radius: float) -> float:
    """Distance between dabs along a stroke: a quarter of the radius, at least half a pixel."""
    return max(0.5, radius * 0.25)


def segment_points(
    start: tuple[float, float], end: tuple[float, float], spacing: float
) -> list[tuple[float, float]]:
    """Points from start (excluded) to end (included) no further apart than `spacing`."""
    dx, dy = end[0] - start[0], end[1] - start[1]
    steps = max(1, math.ceil(math.hypot(dx, dy) / max(spacing, 1e-3)))
    return [(start[0] + dx * i / steps, start[1] + dy * i / steps) for i in range(1, steps + 1)]


def stroke_segment(
    mask: np.ndarray,
    start: tuple[float, float],
    end: tuple[float, float],
    radius: float,
    hardness: float,
    erase: bool = False,
    end_radius: float | None = None,
) -> Rect | None:
    """Dab along the segment (radius interpolated to end_radius); return the touched rect."""
    end_radius = radius if end_radius is None else end_radius
    points = segment_points(start, end, spacing_for(min(radius, end_radius)))
    dirty: Rect | None = None
    for i, (px, py) in enumerate(points, start=1):
        r = radius + (end_radius - radius) * i / len(points)
        dirty = union(dirty, stamp(mask, px, py, r, hardness, erase))
    return dirty
