"""Filling unknown pixels from their surroundings (push-pull), plus seeded noise.

Used before encoding: a strength-1.0 repaint with a 4-channel model starts from a hole filled
with the surrounding colours (so the old content does not dominate), outpainting starts from
edges continued outwards, and transparent pixels get plausible colour for the model to see.
Everything is deterministic for a given seed.
"""

from __future__ import annotations

import numpy as np
from PIL import Image


def _resize_float(channel: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    image = Image.fromarray(np.ascontiguousarray(channel, dtype=np.float32))
    return np.asarray(image.resize(size, Image.Resampling.BILINEAR), dtype=np.float32)


def push_pull(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Fill pixels of low weight with a smooth interpolation of the weighted pixels around them.

    values: float (H, W, C); weights: float (H, W) in [0, 1] (1 = known). Returns float32
    (H, W, C). With no known pixel at all the result is mid-grey.
    """
    values = values.astype(np.float32)
    weights = np.clip(weights.astype(np.float32), 0.0, 1.0)
    if not (weights > 0).any():
        return np.full_like(values, 127.5)
    levels: list[tuple[np.ndarray, np.ndarray]] = [(values, weights)]
    while max(levels[-1][1].shape) > 1:
        v, w = levels[-1]
        h, wd = w.shape
        ph, pw = h % 2, wd % 2
        vw = np.pad(v * w[:, :, None], ((0, ph), (0, pw), (0, 0)))
        ww = np.pad(w, ((0, ph), (0, pw)))
        sv = vw[0::2, 0::2] + vw[1::2, 0::2] + vw[0::2, 1::2] + vw[1::2, 1::2]
        sw = ww[0::2, 0::2] + ww[1::2, 0::2] + ww[0::2, 1::2] + ww[1::2, 1::2]
        colour = np.where(sw[:, :, None] > 0, sv / np.maximum(sw, 1e-12)[:, :, None], 0.0)
        levels.append((colour.astype(np.float32), np.minimum(sw, 1.0)))
    filled = levels[-1][0]
    for v, w in reversed(levels[:-1]):
        size = (w.shape[1], w.shape[0])
        up = np.stack([_resize_float(filled[:, :, i], size) for i in range(v.shape[2])], axis=2)
        filled = w[:, :, None] * v + (1.0 - w[:, :, None]) * up
    return filled


def seeded_noise(shape: tuple[int, ...], seed: int, sigma: float) -> np.ndarray:
    """Gaussian noise (float32) that depends only on shape, seed and sigma."""
    rng = np.random.default_rng(np.random.SeedSequence([int(seed) & 0xFFFFFFFF, 0x1A9A147]))
    return (rng.standard_normal(shape) * sigma).astype(np.float32)


def fill_hole(
    rgb: np.ndarray, mask: np.ndarray, seed: int, noise: float = 24.0, blur_noise: bool = True
) -> np.ndarray:
    """Replace the masked pixels of uint8 RGB by surrounding colours plus seeded noise.

    mask: uint8 (H, W), 255 = hole. Pixels with mask 0 are returned unchanged; partial mask
    values mix the original and the fill.
    """
    m = mask.astype(np.float32) / 255.0
    base = push_pull(rgb[:, :, :3].astype(np.float32), 1.0 - m)
    grain = seeded_noise(base.shape, seed, noise)
    if blur_noise:
        # a little spatial correlation reads as texture rather than sensor noise
        coarse_shape = (max(1, base.shape[0] // 8), max(1, base.shape[1] // 8), 3)
        coarse = seeded_noise(coarse_shape, seed + 1, noise)
        size = (base.shape[1], base.shape[0])
        grain += np.stack([_resize_float(coarse[:, :, i], size) for i in range(3)], axis=2)
    fill = base + grain
    mixed = rgb[:, :, :3].astype(np.float32) * (1.0 - m[:, :, None]) + fill * m[:, :, None]
    out = np.clip(np.rint(mixed), 0, 255).astype(np.uint8)
    keep = mask == 0
    out[keep] = rgb[:, :, :3][keep]
    return out


def flatten_alpha(image: np.ndarray) -> np.ndarray:
    """RGB the model can see: transparent pixels take colours from the opaque ones nearby."""
    if image.shape[2] == 3:
        return image.copy()
    alpha = image[:, :, 3]
    if (alpha == 255).all():
        return image[:, :, :3].copy()
    a = alpha.astype(np.float32) / 255.0
    base = push_pull(image[:, :, :3].astype(np.float32), a)
    mixed = image[:, :, :3].astype(np.float32) * a[:, :, None] + base * (1.0 - a[:, :, None])
    return np.clip(np.rint(mixed), 0, 255).astype(np.uint8)
