"""Painting on a layer: brush and eraser strokes, and flood fill (pure numpy + Pillow).

A stroke keeps the layer as it was when the stroke began and the stroke's coverage (the
maximum of every dab so far, as the mask brush does). Each segment recomputes only its
rectangle: the colour laid over the original at coverage × opacity (or the original's alpha
reduced, erasing). Crossing the stroke's own path therefore never builds up, and
`finish()` yields one `LayerPixels` edit that undo restores exactly.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from studio.core import brush
from studio.core.brush import Rect
from studio.core.document.document import Document
from studio.core.document.layer import Layer
from studio.core.document.layer_edits import LayerPixels


class PaintStroke:
    def __init__(
        self,
        doc: Document,
        layer: Layer,
        color: tuple[int, int, int],
        opacity: float = 1.0,
        erase: bool = False,
    ) -> None:
        self.doc, self.layer = doc, layer
        self.color = np.asarray(color[:3], np.float32) / 255.0
        self.opacity = float(min(max(opacity, 0.0), 1.0))
        self.erase = erase
        self._had_image = doc.has_image
        self._before = layer.pixels.copy()
        self._cover = np.zeros(layer.pixels.shape[:2], np.uint8)
        self._rect: Rect | None = None
        doc.begin_layer_paint(layer)

    def segment(
        self,
        start: tuple[float, float],
        end: tuple[float, float],
        radius: float,
        hardness: float,
        end_radius: float | None = None,
        include_start: bool = False,
    ) -> Rect | None:
        """Paint from start to end (canvas coordinates); the canvas rect that changed."""
        ox, oy = self.layer.x, self.layer.y
        a, b = (start[0] - ox, start[1] - oy), (end[0] - ox, end[1] - oy)
        dirty = brush.stamp(self._cover, a[0], a[1], radius, hardness) if include_start else None
        dirty = brush.union(
            dirty, brush.stroke_segment(self._cover, a, b, radius, hardness, False, end_radius)
        )
        if dirty is None:
            return None
        self._rect = brush.union(self._rect, dirty)
        self._render(dirty)
        self.layer.touched()
        x0, y0, x1, y1 = dirty
        return self.doc.invalidate((x0 + ox, y0 + oy, x1 + ox, y1 + oy))

    def _render(self, rect: Rect) -> None:
        x0, y0, x1, y1 = rect
        before = self._before[y0:y1, x0:x1]
        cover = self._cover[y0:y1, x0:x1, None].astype(np.float32) * (self.opacity / 255.0)
        a_b = before[:, :, 3:4].astype(np.float32) / 255.0
        out = self.layer.pixels[y0:y1, x0:x1]
        if self.erase:
            out[:, :, :3] = before[:, :, :3]
            out[:, :, 3:] = np.rint(a_b * (1.0 - cover) * 255.0)
            return
        a_o = cover + a_b * (1.0 - cover)
        premul = cover * self.color + a_b * (before[:, :, :3] / np.float32(255.0)) * (1.0 - cover)
        with np.errstate(invalid="ignore", divide="ignore"):
            color = np.where(a_o > 0, premul / np.maximum(a_o, 1e-12), 0.0)
        out[:, :, :3] = np.rint(np.clip(color, 0.0, 1.0) * 255.0)
        out[:, :, 3:] = np.rint(a_o * 255.0)

    def finish(self, label: str | None = None) -> LayerPixels | None:
        """The stroke as an undoable edit (already applied), or None when nothing changed."""
        self.doc.end_layer_paint()
        rect = self._rect
        if rect is None:
            return None
        x0, y0, x1, y1 = rect
        before = self._before[y0:y1, x0:x1].copy()
        after = self.layer.pixels[y0:y1, x0:x1].copy()
        if np.array_equal(before, after):
            return None
        self.doc.has_image = True
        name = label or ("Erase" if self.erase else "Paint")
        return LayerPixels(
            self.layer, rect, before, after, self._had_image, name, already_applied=True
        )

    def cancel(self) -> Rect | None:
        self.doc.end_layer_paint()
        if self._rect is None:
            return None
        x0, y0, x1, y1 = self._rect
        self.layer.pixels[y0:y1, x0:x1] = self._before[y0:y1, x0:x1]
        self.layer.touched()
        ox, oy = self.layer.x, self.layer.y
        return self.doc.invalidate((x0 + ox, y0 + oy, x1 + ox, y1 + oy))


def fill_edit(
    doc: Document,
    layer: Layer,
    point: tuple[float, float],
    color: tuple[int, int, int],
    tolerance: int = 16,
) -> LayerPixels | None:
    """Flood-fill the layer's contiguous region of similar colour at a canvas point (unapplied)."""
    x, y = int(point[0]) - layer.x, int(point[1]) - layer.y
    if not (0 <= x < layer.width and 0 <= y < layer.height):
        return None
    image = Image.fromarray(layer.pixels).copy()  # fromarray may share the array's memory
    ImageDraw.floodfill(image, (x, y), (*color[:3], 255), thresh=tolerance)
    after_full = np.asarray(image)
    changed = np.any(after_full != layer.pixels, axis=2)
    if not changed.any():
        return None
    rows, cols = np.nonzero(changed.any(axis=1))[0], np.nonzero(changed.any(axis=0))[0]
    rect = (int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1)
    x0, y0, x1, y1 = rect
    before = layer.pixels[y0:y1, x0:x1].copy()
    return LayerPixels(layer, rect, before, after_full[y0:y1, x0:x1].copy(), doc.has_image, "Fill")
