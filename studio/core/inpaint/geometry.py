"""Boxes: the mask's bounds, the context box the model sees, and crop/resize to render size.

The context box (what the model sees in "only masked" mode):

1. start from the bounding box of every pixel the composite mask may change, plus `padding`;
2. grow it (around its centre) to the model's native aspect and to at least the native size,
   so a small mask gets native-size context at 1:1 scale instead of a blurry upscale;
3. a side longer than the image is cut to the image (only then is the aspect not native);
4. shift it (never cut it) inside the image when it touches a border.

The render size has about the native pixel count, the box's aspect, and multiple-of-8 sides;
a box exactly the native size renders 1:1 with no resampling.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image

LATENT_FACTOR = 8


@dataclass(frozen=True)
class Box:
    """An axis-aligned pixel box; x1/y1 exclusive."""

    x0: int
    y0: int
    x1: int
    y1: int

    @property
    def width(self) -> int:
        return self.x1 - self.x0

    @property
    def height(self) -> int:
        return self.y1 - self.y0

    @property
    def size(self) -> tuple[int, int]:
        return self.width, self.height

    @property
    def slices(self) -> tuple[slice, slice]:
        """numpy index (rows, columns)."""
        return slice(self.y0, self.y1), slice(self.x0, self.x1)

    def shift(self, dx: int, dy: int) -> Box:
        return Box(self.x0 + dx, self.y0 + dy, self.x1 + dx, self.y1 + dy)

    def expand(self, px: int) -> Box:
        return Box(self.x0 - px, self.y0 - px, self.x1 + px, self.y1 + px)

    def clip(self, width: int, height: int) -> Box:
        return Box(max(self.x0, 0), max(self.y0, 0), min(self.x1, width), min(self.y1, height))

    def contains(self, other: Box) -> bool:
        return (
            self.x0 <= other.x0
            and self.y0 <= other.y0
            and self.x1 >= other.x1
            and self.y1 >= other.y1
        )

    def as_tuple(self) -> tuple[int, int, int, int]:
        return self.x0, self.y0, self.x1, self.y1


def mask_bbox(mask: np.ndarray) -> Box | None:
    """Bounding box of the nonzero pixels, or None when the mask is empty."""
    rows = np.flatnonzero(np.any(mask, axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(np.any(mask, axis=0))
    return Box(int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1)


def _as_pair(native: int | tuple[int, int]) -> tuple[int, int]:
    if isinstance(native, int):
        return native, native
    nw, nh = (int(v) for v in native)
    return nw, nh


def _place(start: int, length: int, want: int, limit: int) -> tuple[int, int]:
    """A span of `want` (cut to `limit`) centred on [start, start+length), shifted into range."""
    want = min(want, limit)
    lo = start - (want - length) // 2
    lo = min(max(lo, 0), limit - want)
    return lo, lo + want


def context_box(
    bbox: Box,
    image_size: tuple[int, int],
    padding: int,
    native: int | tuple[int, int],
) -> Box:
    """What the model sees: `bbox` + padding, grown to native aspect/size, inside the image."""
    width, height = image_size
    nw, nh = _as_pair(native)
    if nw <= 0 or nh <= 0 or width <= 0 or height <= 0:
        raise ValueError(f"bad sizes: native {native!r}, image {image_size!r}")
    padded = bbox.expand(max(int(padding), 0))
    g = math.gcd(nw, nh)
    ux, uy = nw // g, nh // g
    k = max(-(-padded.width // ux), -(-padded.height // uy), g)
    x0, x1 = _place(padded.x0, padded.width, k * ux, width)
    y0, y1 = _place(padded.y0, padded.height, k * uy, height)
    return Box(x0, y0, x1, y1)


def render_size(
    box_size: tuple[int, int], native: int | tuple[int, int], multiple: int = LATENT_FACTOR
) -> tuple[int, int]:
    """Render size for a box: about the native pixel count, the box's aspect, multiples of 8."""
    bw, bh = box_size
    nw, nh = _as_pair(native)
    scale = math.sqrt((nw * nh) / float(bw * bh))
    rw = max(multiple, round(bw * scale / multiple) * multiple)
    rh = max(multiple, round(bh * scale / multiple) * multiple)
    return int(rw), int(rh)


def round_size(size: tuple[int, int], multiple: int = LATENT_FACTOR) -> tuple[int, int]:
    """The nearest size with sides that are positive multiples of `multiple`."""
    return tuple(max(multiple, round(v / multiple) * multiple) for v in size)  # type: ignore[return-value]


def resize_rgb(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Resize uint8 (H, W, C) to (width, height) with Lanczos; the same size returns a copy."""
    if (image.shape[1], image.shape[0]) == tuple(size):
        return image.copy()
    return np.asarray(Image.fromarray(image).resize(tuple(size), Image.Resampling.LANCZOS))


def resize_mask(mask: np.ndarray, size: tuple[int, int], cover: bool = False) -> np.ndarray:
    """Resize a uint8 mask (bilinear). `cover`: any partially covered pixel becomes 255."""
    if (mask.shape[1], mask.shape[0]) == tuple(size):
        out = mask.copy()
    else:
        out = np.asarray(Image.fromarray(mask).resize(tuple(size), Image.Resampling.BILINEAR))
    if cover:
        return np.where(out > 0, 255, 0).astype(np.uint8)
    return out


def crop_to_render(image: np.ndarray, box: Box, size: tuple[int, int]) -> np.ndarray:
    """Cut `box` out of `image` and resize it to the render size."""
    return resize_rgb(np.ascontiguousarray(image[box.slices]), size)


def mask_to_render(mask: np.ndarray, box: Box, size: tuple[int, int], cover: bool) -> np.ndarray:
    """Cut `box` out of `mask` and resize it to the render size."""
    return resize_mask(np.ascontiguousarray(mask[box.slices]), size, cover=cover)


def render_to_box(rendered: np.ndarray, box: Box) -> np.ndarray:
    """Scale a rendered image back to the box's size (the inverse of `crop_to_render`)."""
    return resize_rgb(rendered, box.size)
