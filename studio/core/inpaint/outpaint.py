"""Outpainting geometry: extend the canvas, pre-fill the new area, and the overlap-band masks.

Extents are (left, top, right, bottom) pixels. The output is exactly (W + L + R, H + T + B).
The composite mask is 255 over the new area and ramps (smoothstep) down to 0 across an
`overlap`-pixel band of the original along every extended side; original pixels at distance
>= overlap from every extended side are kept bit-identical.
"""

from __future__ import annotations

import numpy as np

from studio.core.inpaint.fill import push_pull, seeded_noise

Extents = tuple[int, int, int, int]


def check_extents(extents: Extents) -> Extents:
    left, top, right, bottom = (int(v) for v in extents)
    if min(left, top, right, bottom) < 0:
        raise ValueError(f"extents must be non-negative, got {extents!r}")
    return left, top, right, bottom


def original_region(image_shape: tuple[int, ...], extents: Extents) -> tuple[slice, slice]:
    """numpy index of the original image inside the extended canvas."""
    left, top, _, _ = check_extents(extents)
    h, w = image_shape[:2]
    return slice(top, top + h), slice(left, left + w)


def _distance_into_original(image_hw: tuple[int, int], extents: Extents) -> np.ndarray:
    """For original pixels: distance (px, 0 = touching) to the nearest extended side; inf else."""
    left, top, right, bottom = extents
    h, w = image_hw
    ys = np.arange(h, dtype=np.float32)[:, None]
    xs = np.arange(w, dtype=np.float32)[None, :]
    dist = np.full((h, w), np.inf, dtype=np.float32)
    if left:
        dist = np.minimum(dist, np.broadcast_to(xs, (h, w)))
    if right:
        dist = np.minimum(dist, np.broadcast_to(w - 1 - xs, (h, w)))
    if top:
        dist = np.minimum(dist, np.broadcast_to(ys, (h, w)))
    if bottom:
        dist = np.minimum(dist, np.broadcast_to(h - 1 - ys, (h, w)))
    return dist


def outpaint_masks(
    image_hw: tuple[int, int], extents: Extents, overlap: int
) -> tuple[np.ndarray, np.ndarray]:
    """(render mask, composite mask) on the extended canvas.

    render mask: 255 where the model repaints (new area + overlap band), else 0.
    composite mask: 255 on the new area, smoothstep 255 -> 0 across the band, 0 beyond.
    """
    extents = check_extents(extents)
    left, top, right, bottom = extents
    h, w = image_hw
    canvas_hw = (h + top + bottom, w + left + right)
    comp = np.full(canvas_hw, 255, dtype=np.uint8)
    inner = original_region(image_hw, extents)
    dist = _distance_into_original(image_hw, extents)
    if overlap > 0:
        t = np.clip((overlap - dist) / float(overlap), 0.0, 1.0)
        ramp = np.rint(255.0 * t * t * (3.0 - 2.0 * t)).astype(np.uint8)
    else:
        ramp = np.zeros(image_hw, dtype=np.uint8)
    comp[inner] = ramp
    render = np.where(comp > 0, 255, 0).astype(np.uint8)
    return render, comp


def extend_canvas(
    image: np.ndarray, extents: Extents, seed: int, noise: float = 12.0
) -> np.ndarray:
    """The extended canvas: original in place, new area pre-filled from the edges + seeded noise.

    Near the original the fill is the edge stretched outwards; farther out it fades into a
    smooth push-pull continuation of the edge colours. RGBA keeps its channels; the new area is
    opaque in the pre-fill (it is replaced by generated pixels anyway).
    """
    extents = check_extents(extents)
    left, top, right, bottom = extents
    h, w = image.shape[:2]
    pad = ((top, bottom), (left, right), (0, 0))
    stretched = np.pad(image, pad, mode="edge").astype(np.float32)
    known = np.zeros(stretched.shape[:2], dtype=np.float32)
    inner = original_region(image.shape, extents)
    known[inner] = 1.0
    smooth = push_pull(stretched[:, :, :3], known)
    ys = np.arange(stretched.shape[0], dtype=np.float32)[:, None]
    xs = np.arange(stretched.shape[1], dtype=np.float32)[None, :]
    dy = np.maximum(np.maximum(top - ys, ys - (top + h - 1)), 0)
    dx = np.maximum(np.maximum(left - xs, xs - (left + w - 1)), 0)
    dist = np.maximum(dx, dy)
    ramp = max(8.0, 0.25 * max(extents))
    far = np.clip(dist / ramp, 0.0, 1.0)[:, :, None]
    rgb = stretched[:, :, :3] * (1.0 - far) + smooth * far
    rgb += seeded_noise(rgb.shape, seed, noise) * np.minimum(dist, 1.0)[:, :, None]
    canvas = np.clip(np.rint(stretched), 0, 255).astype(np.uint8)
    new = known == 0
    canvas[:, :, :3][new] = np.clip(np.rint(rgb[new]), 0, 255).astype(np.uint8)
    if canvas.shape[2] == 4:
        canvas[:, :, 3][new] = 255
    canvas[inner] = image
    return canvas


def default_overlap(mask_blur: int) -> int:
    """Overlap band width used when none is given: four blur radii, at least 16 px."""
    return max(16, 4 * int(mask_blur))
