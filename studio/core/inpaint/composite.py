"""Exact compositing of generated pixels into the original, and optional colour matching.

`composite` guarantees: wherever the composite mask is 0, the output pixel is the original
pixel, bit for bit, in every channel including alpha. Elsewhere the original and the generated
pixel are mixed with weight mask / 255 (255 = the generated pixel exactly). With alpha, the mix is
done on premultiplied colour, so transparent original pixels never darken the result; the
repainted area takes the generated alpha (255 for an RGB result) unless `keep_alpha` is set.
"""

from __future__ import annotations

import numpy as np

from studio.core.inpaint.geometry import Box, mask_bbox, render_to_box
from studio.core.inpaint.masks import grow_mask


def _check_pair(original: np.ndarray, generated: np.ndarray, mask: np.ndarray) -> None:
    if original.dtype != np.uint8 or generated.dtype != np.uint8 or mask.dtype != np.uint8:
        raise ValueError("composite needs uint8 images and mask")
    if original.ndim != 3 or original.shape[2] not in (3, 4):
        raise ValueError(f"original must be (H, W, 3|4), got {original.shape}")
    if generated.ndim != 3 or generated.shape[2] not in (3, 4):
        raise ValueError(f"generated must be (H, W, 3|4), got {generated.shape}")
    if original.shape[:2] != generated.shape[:2] or original.shape[:2] != mask.shape:
        raise ValueError(
            f"sizes differ: original {original.shape[:2]}, generated {generated.shape[:2]}, "
            f"mask {mask.shape}"
        )


def composite(
    original: np.ndarray,
    generated: np.ndarray,
    mask: np.ndarray,
    keep_alpha: bool = False,
) -> np.ndarray:
    """Mix `generated` into `original` by `mask` (uint8, 255 = generated); see module doc."""
    _check_pair(original, generated, mask)
    out = original.copy()
    sel = mask > 0
    if not sel.any():
        return out
    c = mask[sel].astype(np.int64)[:, None]
    o = original[sel].astype(np.int64)
    g = generated[sel].astype(np.int64)
    if original.shape[2] == 3:
        out[sel] = ((o * (255 - c) + g[:, :3] * c + 127) // 255).astype(np.uint8)
        return out
    a_o = o[:, 3:4]
    a_g = g[:, 3:4] if generated.shape[2] == 4 else np.full_like(a_o, 255)
    if keep_alpha:
        a_g = a_o
    w_o = a_o * (255 - c)
    w_g = a_g * c
    total = w_o + w_g
    safe = np.maximum(total, 1)
    colour = (o[:, :3] * w_o + g[:, :3] * w_g + safe // 2) // safe
    colour = np.where(total > 0, colour, g[:, :3])
    alpha = (total + 127) // 255
    out[sel] = np.concatenate([colour, alpha], axis=1).astype(np.uint8)
    return out


def color_match(
    generated: np.ndarray,
    original: np.ndarray,
    mask: np.ndarray,
    ring: int = 24,
    max_shift: float = 48.0,
) -> np.ndarray:
    """Shift the generated colours so that, just outside the mask, they match the original.

    The reference pixels are those with mask == 0 within `ring` pixels of the mask; there the
    generated image should equal the original, so the mean difference is the colour drift
    (VAE round trip, model tint). The per-channel shift is capped at `max_shift` levels.
    Returns a new uint8 image shaped like `generated`; pixels with mask == 0 do not matter.
    """
    near = grow_mask(np.where(mask > 0, 255, 0).astype(np.uint8), ring) > 0
    ref = near & (mask == 0)
    if original.shape[2] == 4:
        ref &= original[:, :, 3] == 255
    if int(ref.sum()) < 16:
        return generated.copy()
    diff = original[ref][:, :3].astype(np.float64).mean(0) - generated[ref][:, :3].astype(
        np.float64
    ).mean(0)
    diff = np.clip(diff, -max_shift, max_shift)
    out = generated.copy()
    out[:, :, :3] = np.clip(np.rint(generated[:, :, :3] + diff), 0, 255).astype(np.uint8)
    return out


def paste_back(
    original: np.ndarray,
    rendered: np.ndarray,
    box: Box,
    mask: np.ndarray,
    match_colors: bool = False,
    keep_alpha: bool = False,
) -> np.ndarray:
    """Scale `rendered` back to `box` and composite it into `original` by the full-size `mask`.

    Only the box region is touched; `mask` must be 0 outside the box.
    """
    changed = mask_bbox(mask)
    if changed is not None and not box.contains(changed):
        raise ValueError(f"composite mask reaches {changed} outside the context box {box}")
    out = original.copy()
    if changed is None:
        return out
    region = np.ascontiguousarray(original[box.slices])
    region_mask = np.ascontiguousarray(mask[box.slices])
    generated = render_to_box(rendered, box)
    if match_colors:
        generated = color_match(generated, region, region_mask)
    out[box.slices] = composite(region, generated, region_mask, keep_alpha=keep_alpha)
    return out
