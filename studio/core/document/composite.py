"""Compositing a layer stack (W3C Compositing and Blending Level 1, source-over with blending).

For each layer, with straight-alpha colours in [0, 1], backdrop Cb/αb and source Cs/αs
(αs already multiplied by the layer's opacity):

    Cs' = (1 - αb)·Cs + αb·B(Cb, Cs)
    αo  = αs + αb·(1 - αs)
    Co  = (αs·Cs' + αb·Cb·(1 - αs)) / αo

Only the requested rectangle is computed, in bands of rows so a 4096² recomposite stays
within cache-friendly memory.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np

from studio.core.brush import Rect
from studio.core.document.layer import Layer, intersect

BAND_ROWS = 64
Blend = Callable[[np.ndarray, np.ndarray], np.ndarray]


def _overlay(cb: np.ndarray, cs: np.ndarray) -> np.ndarray:
    # overlay(Cb, Cs) = hard-light(Cs, Cb): multiply(Cs, 2Cb) below ½, screen(Cs, 2Cb - 1) above
    low = 2.0 * cb * cs
    high = 1.0 - 2.0 * (1.0 - cb) * (1.0 - cs)
    return np.where(cb <= 0.5, low, high)


BLENDS: dict[str, Blend] = {
    "multiply": lambda cb, cs: cb * cs,
    "screen": lambda cb, cs: cb + cs - cb * cs,
    "overlay": _overlay,
    "darken": np.minimum,
    "lighten": np.maximum,
}


def visible(layers: Sequence[Layer]) -> list[Layer]:
    return [layer for layer in layers if layer.visible and layer.opacity > 0]


def composite(
    layers: Sequence[Layer],
    size: tuple[int, int],
    rect: Rect | None = None,
    background: tuple[int, int, int] | None = None,
    backdrop: Backdrop | None = None,
) -> np.ndarray:
    """uint8 RGBA (straight alpha) of `rect` of the visible stack, bottom layer first.

    With `background`, the stack is composited over that opaque colour (alpha is then 255).
    With `backdrop`, `layers` are only those above it and compositing starts from its
    accumulators (studio.core.document.backdrop), with results identical to the whole stack.
    """
    width, height = size
    x0, y0, x1, y1 = rect if rect is not None else (0, 0, width, height)
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, width), min(y1, height)
    out = np.zeros((max(y1 - y0, 0), max(x1 - x0, 0), 4), np.uint8)
    shown = visible(layers)
    for top in range(y0, y1, BAND_ROWS):
        band = (x0, top, x1, min(top + BAND_ROWS, y1))
        if backdrop is not None:
            prem, alpha = backdrop.read(band)
        else:
            prem, alpha = start_band(band, background)
        accumulate(shown, band, prem, alpha)
        out[top - y0 : band[3] - y0] = finish_band(prem, alpha)
    return out


class Backdrop(Protocol):
    def read(self, band: Rect) -> tuple[np.ndarray, np.ndarray]:
        """Fresh (premultiplied RGB, alpha) float32 accumulators of the layers below, for band."""
        ...


def start_band(
    band: Rect, background: tuple[int, int, int] | None
) -> tuple[np.ndarray, np.ndarray]:
    """The empty (or background-coloured) accumulators of a band."""
    bx0, by0, bx1, by1 = band
    shape = (by1 - by0, bx1 - bx0)
    if background is None:
        return np.zeros((*shape, 3), np.float32), np.zeros((*shape, 1), np.float32)
    prem = np.empty((*shape, 3), np.float32)
    prem[:] = np.asarray(background, np.float32) / 255.0
    return prem, np.ones((*shape, 1), np.float32)


def accumulate(layers: Sequence[Layer], band: Rect, prem: np.ndarray, alpha: np.ndarray) -> None:
    """Composite `layers` over the band's accumulators, in place.

    Accumulates premultiplied colour (P = C·α), so a normal layer costs two multiply-adds
    and only blend modes need the backdrop's straight colour back. Every operation is per
    pixel, so how a rect is cut into bands or tiles never changes a result.
    """
    bx0, by0 = band[0], band[1]
    for layer in layers:
        part = intersect(layer.rect, band)
        if part is None:
            continue
        px0, py0, px1, py1 = part
        src = layer.pixels[py0 - layer.y : py1 - layer.y, px0 - layer.x : px1 - layer.x]
        rows = np.flatnonzero(src[:, :, 3].any(axis=1))
        if rows.size == 0:
            continue  # fully transparent here
        cols = np.flatnonzero(src[rows[0] : rows[-1] + 1, :, 3].any(axis=0))
        r0, r1, c0, c1 = int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
        src = src[r0:r1, c0:c1]
        window = (
            slice(py0 - by0 + r0, py0 - by0 + r1),
            slice(px0 - bx0 + c0, px0 - bx0 + c1),
        )
        pb, ab = prem[window], alpha[window]
        blend = BLENDS.get(layer.blend)
        if blend is None and layer.opacity >= 1.0 and (src[:, :, 3] == 255).all():
            np.multiply(src[:, :, :3], np.float32(1 / 255), out=pb)  # opaque: replaces
            ab[:] = 1.0
            continue
        a_s = src[:, :, 3:4] * np.float32(layer.opacity / 255.0)
        cs = src[:, :, :3] * np.float32(1 / 255)
        if blend is not None:
            cb = np.divide(pb, ab, out=np.zeros_like(pb), where=ab > 0)
            cs = (1.0 - ab) * cs + ab * blend(cb, cs)
        keep = 1.0 - a_s
        pb *= keep
        cs *= a_s
        pb += cs
        ab *= keep
        ab += a_s


def finish_band(prem: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Straight-alpha uint8 RGBA of the accumulators."""
    color = np.divide(prem, alpha, out=np.zeros_like(prem), where=alpha > 0)
    out = np.empty((*prem.shape[:2], 4), np.uint8)
    np.rint(np.clip(color, 0.0, 1.0) * 255.0, out=color)
    out[:, :, :3] = color
    out[:, :, 3:] = np.rint(np.clip(alpha, 0.0, 1.0) * 255.0)
    return out


def flatten_over(
    rgba: np.ndarray, background: tuple[int, int, int] = (255, 255, 255)
) -> np.ndarray:
    """RGB of straight-alpha RGBA over an opaque colour (integer rounding, exact for α=0/255)."""
    alpha = rgba[:, :, 3:4].astype(np.uint16)
    rgb = rgba[:, :, :3].astype(np.uint16)
    back = np.asarray(background, np.uint16)
    return ((rgb * alpha + back * (255 - alpha) + 127) // 255).astype(np.uint8)
