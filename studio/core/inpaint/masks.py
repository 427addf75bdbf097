"""Mask operations: grow/shrink, feather, and the composite mask that decides what may change.

Masks are uint8 (H, W) arrays, 255 = repaint, 0 = keep; values in between are partial.

THE RULE (what tests and the compositor rely on):

    grown = grow_mask(mask, grow)
    composite = feather_mask(grown, blur), raised to at least 1 wherever grown > 0
              # == composite_mask(mask, grow, blur)
    composite[y, x] == 0  =>  out[y, x] == original[y, x]     (every channel, alpha included)
    composite[y, x] > 0   =>  out = blend of original and generated, weight composite / 255

`grow_mask` is a grey-level dilation (erosion for negative px) with a disc of radius |px|
(offsets with dx² + dy² <= px² + |px|). `feather_mask` is a Gaussian-like blur made of three
integer box blurs per axis (exact integer arithmetic, so the result never depends on how the
image was cropped). The floor of 1 keeps a tiny mask from blurring away to nothing. The blur
reaches `feather_reach(blur)` pixels (Chebyshev distance), so the composite mask is 0 everywhere
farther than `max(grow, 0) + feather_reach(blur)` from the mask. Image borders replicate the
edge: a mask touching the border stays solid at the border. The mask's partial values count.
"""

from __future__ import annotations

import math

import numpy as np

from studio.core.errors import InputImageError
from studio.core.inpaint.geometry import Box, mask_bbox

BOX_PASSES = 3


def check_mask(mask: np.ndarray, shape: tuple[int, int] | None = None) -> np.ndarray:
    """Return `mask` as a C-contiguous uint8 (H, W) array, or raise InputImageError."""
    mask = np.asarray(mask)
    if mask.ndim == 3 and mask.shape[2] == 1:
        mask = mask[:, :, 0]
    if mask.ndim != 2 or mask.dtype != np.uint8:
        raise InputImageError(
            f"mask must be a single-channel 8-bit image (white = repaint), got array "
            f"{mask.dtype} of shape {mask.shape}"
        )
    if shape is not None and mask.shape != tuple(shape):
        raise InputImageError(
            f"mask is {mask.shape[1]}x{mask.shape[0]} but the image is {shape[1]}x{shape[0]}; "
            "use a mask of the same size"
        )
    return np.ascontiguousarray(mask)


def _disc_half_widths(radius: int) -> dict[int, list[int]]:
    """Map half-width -> row offsets dy of a disc (dx² + dy² <= r² + r)."""
    limit = radius * radius + radius
    rows: dict[int, list[int]] = {}
    for dy in range(-radius, radius + 1):
        rows.setdefault(math.isqrt(limit - dy * dy), []).append(dy)
    return rows


def _dilate(mask: np.ndarray, radius: int) -> np.ndarray:
    """Grey dilation with a disc; edge-replicating borders (equivalent to zero padding here)."""
    h, w = mask.shape
    r = radius
    padded = np.pad(mask, r, mode="edge")
    out = np.zeros_like(mask)
    rows = _disc_half_widths(r)
    # hrun = max over dx in [-hw, hw] of padded shifted by dx, for the central columns.
    hrun = padded[:, r : r + w].copy()
    for hw in range(0, r + 1):
        if hw:
            np.maximum(hrun, padded[:, r - hw : r - hw + w], out=hrun)
            np.maximum(hrun, padded[:, r + hw : r + hw + w], out=hrun)
        for dy in rows.get(hw, ()):
            np.maximum(out, hrun[r + dy : r + dy + h], out=out)
    return out


def grow_mask(mask: np.ndarray, px: int) -> np.ndarray:
    """Grow the mask by `px` pixels (a disc dilation); negative `px` shrinks it (erosion)."""
    mask = check_mask(mask)
    px = int(px)
    if px == 0:
        return mask.copy()
    if px > 0:
        return _dilate(mask, px)
    return 255 - _dilate(255 - mask, -px)


def box_radius(blur: float) -> int:
    """Integer box radius whose three passes give a standard deviation close to `blur`."""
    if blur <= 0:
        return 0
    # three boxes of width 2r+1 have variance 3 * ((2r+1)^2 - 1) / 12 = r (r + 1)
    return max(1, round((math.sqrt(1.0 + 4.0 * float(blur) ** 2) - 1.0) / 2.0))


def feather_reach(blur: float) -> int:
    """How far (Chebyshev pixels) feathering by `blur` can spread a mask outwards."""
    return BOX_PASSES * box_radius(blur)


def _box_sum(values: np.ndarray, r: int, axis: int) -> np.ndarray:
    """Unnormalised box sum of width 2r+1 along `axis`, edge-replicating, exact (int64)."""
    pad = [(0, 0), (0, 0)]
    pad[axis] = (r + 1, r)
    padded = np.pad(values, pad, mode="edge")
    if axis == 0:
        padded[0] = 0
    else:
        padded[:, 0] = 0
    csum = np.cumsum(padded, axis=axis, dtype=np.int64)
    n = values.shape[axis]
    if axis == 0:
        return csum[2 * r + 1 : 2 * r + 1 + n] - csum[:n]
    return csum[:, 2 * r + 1 : 2 * r + 1 + n] - csum[:, :n]


def feather_mask(mask: np.ndarray, blur: float) -> np.ndarray:
    """Blur the mask edge by about `blur` pixels (standard deviation); 0 returns a copy."""
    mask = check_mask(mask)
    r = box_radius(blur)
    if r == 0:
        return mask.copy()
    acc = mask.astype(np.int64)
    for axis in (1, 0):
        for _ in range(BOX_PASSES):
            acc = _box_sum(acc, r, axis)
    divisor = (2 * r + 1) ** (2 * BOX_PASSES)
    return ((acc + divisor // 2) // divisor).astype(np.uint8)


def composite_mask(mask: np.ndarray, grow: int = 0, blur: float = 4) -> np.ndarray:
    """The final composite mask (see THE RULE above). 0 = pixel is kept bit-identical.

    Computed only around the mask's bounding box (identical to the full-image result).
    """
    mask = check_mask(mask)
    out = np.zeros_like(mask)
    bbox = mask_bbox(mask)
    if bbox is None:
        return out
    margin = max(int(grow), 0) + feather_reach(blur) + 1
    h, w = mask.shape
    region = bbox.expand(margin).clip(w, h)
    crop = mask[region.slices]
    grown = grow_mask(crop, grow)
    feathered = feather_mask(grown, blur)
    out[region.slices] = np.where((grown > 0) & (feathered == 0), 1, feathered)
    return out


def render_region(composite: np.ndarray) -> Box | None:
    """Bounding box of every pixel the composite may change (None for an empty mask)."""
    return mask_bbox(composite)


def binarize(mask: np.ndarray, threshold: int = 1) -> np.ndarray:
    """255 where mask >= threshold, else 0."""
    return np.where(np.asarray(mask) >= threshold, 255, 0).astype(np.uint8)


def composite_bbox(mask: np.ndarray, grow: int = 0, blur: float = 4) -> Box | None:
    """The bounding box of `composite_mask(mask, grow, blur)`, without feathering all of it.

    Feathering spreads at most `feather_reach(blur)` px past the grown mask, so only four bands
    around the grown mask's box need blurring; each band keeps enough rows (or columns) of
    context that its cut edge cannot reach the pixels that decide the box. This keeps the
    canvas's context box cheap for big masks on big images.
    """
    mask = check_mask(mask)
    bbox = mask_bbox(mask)
    if bbox is None:
        return None
    h, w = mask.shape
    region = bbox.expand(max(int(grow), 0) + feather_reach(blur) + 1).clip(w, h)
    grown = grow_mask(mask[region.slices], grow)
    inner = mask_bbox(grown)
    if inner is None:
        return None
    if box_radius(blur) == 0:
        return inner.shift(region.x0, region.y0)
    context = 2 * feather_reach(blur) + 1
    top = _first_feathered(grown, inner.y0, context, blur, before=True)
    bottom = _first_feathered(grown, inner.y1, context, blur, before=False)
    left = _first_feathered(grown.T, inner.x0, context, blur, before=True)
    right = _first_feathered(grown.T, inner.x1, context, blur, before=False)
    return Box(left, top, right, bottom).shift(region.x0, region.y0)


def _first_feathered(
    grown: np.ndarray, edge: int, context: int, blur: float, *, before: bool
) -> int:
    """Outermost row (as a box edge) where the feathered mask is nonzero beyond `edge`."""
    lo, hi = max(0, edge - context), min(grown.shape[0], edge + context)
    band = feather_mask(np.ascontiguousarray(grown[lo:hi]), blur)
    if before:
        rows = np.flatnonzero(band[: edge - lo].any(axis=1))
        return lo + int(rows[0]) if rows.size else edge
    rows = np.flatnonzero(band[edge - lo :].any(axis=1))
    return edge + int(rows[-1]) + 1 if rows.size else edge
