"""Tiled processing with overlap and feathered blending, in bounded memory.

The image is cut into overlapping windows; each is processed on its own (an upscaler, or an
img2img pass) and blended back with weights that fade across the overlap. Tile edges see
zero padding the whole image would not, so the outer part of each overlap is left to the
neighbour (weight ~0) and the fade happens in the middle: the seam is invisible and the
result matches an untiled run away from the image border.

Tiles are processed row by row and the output rows no later tile can touch are finished as
soon as a tile row is done, so the float accumulator only ever spans about one tile row.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from studio.core.inpaint.geometry import Box
from studio.engine.types import check_cancel

DEFAULT_OVERLAP = 32
# Fraction of each overlap (per side) given to the neighbour outright; the fade spans the rest.
DEAD_FRACTION = 0.25
_EPS = 1e-4


@dataclass(frozen=True)
class Tile(Box):
    """A window of the source image, [x0, x1) x [y0, y1), and its place in the grid."""

    index: int = 0
    row: int = 0
    col: int = 0


def tile_starts(length: int, tile: int, overlap: int) -> list[int]:
    """Window starts along one axis: windows of `tile` px overlapping by at least `overlap`.

    `tile <= 0` or `tile >= length` gives one window. Starts are spread evenly, so every window
    has the full size and the overlaps are as equal as whole pixels allow.
    """
    if tile <= 0 or tile >= length:
        return [0]
    overlap = max(0, min(overlap, tile // 2))
    count = math.ceil((length - overlap) / (tile - overlap))
    count = max(count, 2)
    return [round(i * (length - tile) / (count - 1)) for i in range(count)]


def tile_grid(width: int, height: int, tile: int, overlap: int) -> list[Tile]:
    """The windows covering a width x height image, row by row."""
    tw = min(tile, width) if tile > 0 else width
    th = min(tile, height) if tile > 0 else height
    xs = tile_starts(width, tile, overlap)
    ys = tile_starts(height, tile, overlap)
    tiles = []
    for row, y in enumerate(ys):
        for col, x in enumerate(xs):
            tiles.append(Tile(x, y, x + tw, y + th, index=len(tiles), row=row, col=col))
    return tiles


def count_tiles(width: int, height: int, tile: int, overlap: int) -> int:
    return len(tile_starts(width, tile, overlap)) * len(tile_starts(height, tile, overlap))


def _fade(length: int, overlap_lo: int, overlap_hi: int) -> np.ndarray:
    """1-D weights for a window of `length` px whose first `overlap_lo` and last `overlap_hi`
    pixels overlap its neighbours. Complementary: two neighbours' weights sum to 1."""
    weights = np.ones(length, dtype=np.float32)
    pos = np.arange(length, dtype=np.float32) + 0.5
    if overlap_lo > 0:
        dead = math.floor(overlap_lo * DEAD_FRACTION)
        ramp = np.clip((pos - dead) / max(overlap_lo - 2 * dead, 1), 0.0, 1.0)
        weights *= np.maximum(ramp, _EPS)
    if overlap_hi > 0:
        dead = math.floor(overlap_hi * DEAD_FRACTION)
        ramp = np.clip((length - pos - dead) / max(overlap_hi - 2 * dead, 1), 0.0, 1.0)
        weights *= np.maximum(ramp, _EPS)
    return weights


def _axis_weights(starts: list[int], size: int, scale: int) -> list[np.ndarray]:
    """Per-window 1-D weights in output pixels for windows at `starts` of `size` px."""
    result = []
    for i, start in enumerate(starts):
        lo = (starts[i - 1] + size - start) * scale if i > 0 else 0
        hi = (start + size - starts[i + 1]) * scale if i + 1 < len(starts) else 0
        result.append(_fade(size * scale, max(lo, 0), max(hi, 0)))
    return result


TileFn = Callable[[np.ndarray, Tile], np.ndarray]
DoneFn = Callable[[Tile, np.ndarray], None]


def run_tiled(
    image: np.ndarray,
    process: TileFn,
    *,
    scale: int = 1,
    tile: int = 512,
    overlap: int = DEFAULT_OVERLAP,
    on_done: DoneFn | None = None,
    cancel: threading.Event | None = None,
) -> np.ndarray:
    """Run `process` on overlapping windows of `image` (H, W, C) and blend the results.

    `process(window, tile)` returns the window scaled by `scale`: (h*scale, w*scale, C), float
    or uint8, in 0..255. `on_done(tile, output_uint8)` is called after each window. The result
    is uint8 (H*scale, W*scale, C). Raises Cancelled before a window when `cancel` is set.
    """
    height, width, channels = image.shape
    out_h, out_w = height * scale, width * scale
    tw = min(tile, width) if tile > 0 else width
    th = min(tile, height) if tile > 0 else height
    xs, ys = tile_starts(width, tile, overlap), tile_starts(height, tile, overlap)
    wx, wy = _axis_weights(xs, tw, scale), _axis_weights(ys, th, scale)
    if len(xs) == len(ys) == 1:  # one window: nothing to blend
        check_cancel(cancel)
        window = Tile(0, 0, width, height)
        out = np.asarray(process(image, window))
        if out.shape != (out_h, out_w, channels):
            raise RuntimeError(f"output has shape {out.shape}, expected {(out_h, out_w, channels)}")
        pixels = out if out.dtype == np.uint8 else np.clip(np.rint(out), 0, 255).astype(np.uint8)
        if on_done is not None:
            on_done(window, pixels)
        return pixels
    result = np.empty((out_h, out_w, channels), dtype=np.uint8)

    # The accumulator holds one tile row of output; finished rows leave it after each tile row.
    band_rows = th * scale
    acc = np.zeros((band_rows, out_w, channels), dtype=np.float32)
    wsum = np.zeros((band_rows, out_w), dtype=np.float32)
    band_top = 0  # the output row acc[0] stands for (always the current tile row's first row)
    index = 0
    for row, y in enumerate(ys):
        for col, x in enumerate(xs):
            check_cancel(cancel)
            window = Tile(x, y, x + tw, y + th, index=index, row=row, col=col)
            out = np.asarray(process(image[y : y + th, x : x + tw], window))
            expected = (th * scale, tw * scale, channels)
            if out.shape != expected:
                raise RuntimeError(f"tile output has shape {out.shape}, expected {expected}")
            weight = np.outer(wy[row], wx[col])
            left = x * scale
            acc[:, left : left + expected[1]] += out * weight[..., None]
            wsum[:, left : left + expected[1]] += weight
            if on_done is not None:
                on_done(window, np.clip(np.rint(out), 0, 255).astype(np.uint8))
            index += 1
        final = ys[row + 1] * scale if row + 1 < len(ys) else out_h
        done = final - band_top
        finished = acc[:done]
        finished /= np.maximum(wsum[:done], 1e-12)[..., None]
        np.rint(finished, out=finished)
        np.clip(finished, 0, 255, out=finished)
        result[band_top:final] = finished
        carry = band_rows - done  # rows the next tile row overlaps: move them to the top
        if carry > 0:
            acc[:carry] = acc[done:].copy()
            wsum[:carry] = wsum[done:].copy()
        acc[max(carry, 0) :] = 0
        wsum[max(carry, 0) :] = 0
        band_top = final
    return result
