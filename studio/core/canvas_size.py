"""Growing the document's canvas (Image ▸ Expand canvas): the undoable edit and its pixels.

Every layer keeps its pixels and moves by (left, top); a "filler" layer at the bottom repeats
the picture's edge pixels into the new border (what the outpaint job starts from). Expanding
again replaces that filler rather than stretching it, so no filler is ever baked in. The mask
grows with zeros so nothing new is marked for repainting. Plain numpy.
"""

from __future__ import annotations

import numpy as np

from studio.core.document import Document, Layer, ReplaceImage, composite
from studio.core.params import MAX_SIDE

Extents = tuple[int, int, int, int]  # left, top, right, bottom in pixels


def check_extents(extents: Extents, size: tuple[int, int]) -> Extents:
    """Validated (left, top, right, bottom) for an image of (width, height)."""
    values = tuple(int(v) for v in extents)
    if len(values) != 4 or any(v < 0 for v in values):
        raise ValueError(f"extents must be four non-negative pixel counts, got {extents!r}")
    left, top, right, bottom = values
    width, height = size[0] + left + right, size[1] + top + bottom
    if max(width, height) > MAX_SIDE:
        raise ValueError(f"the canvas would be {width}x{height}; the limit is {MAX_SIDE} a side")
    return left, top, right, bottom


def expanded_size(size: tuple[int, int], extents: Extents) -> tuple[int, int]:
    left, top, right, bottom = extents
    return size[0] + left + right, size[1] + top + bottom


def expand_pixels(image: np.ndarray, extents: Extents) -> np.ndarray:
    """The image on a larger canvas, the new border filled by repeating the edges."""
    left, top, right, bottom = extents
    pad = ((top, bottom), (left, right)) + ((0, 0),) * (image.ndim - 2)
    return np.pad(image, pad, mode="edge")


def expand_mask(mask: np.ndarray, extents: Extents) -> np.ndarray:
    left, top, right, bottom = extents
    return np.pad(mask, ((top, bottom), (left, right)), mode="constant", constant_values=0)


def expand_canvas_edit(doc: Document, extents: Extents) -> ReplaceImage:
    """The undoable edit that grows `doc` by extents (undo restores every pixel exactly)."""
    extents = check_extents(extents, (doc.width, doc.height))
    if not any(extents):
        raise ValueError("expand the canvas by at least one pixel on one side")
    left, top, right, bottom = extents
    kept = [layer for layer in doc.layers if layer.kind != "filler"]
    moved = [layer.copy(x=layer.x + left, y=layer.y + top) for layer in kept]
    size = expanded_size((doc.width, doc.height), extents)
    # The picture's own extent: the old canvas minus borders only a previous filler covered.
    x0, y0, x1, y1 = _content_box(doc, kept)
    picture = composite(kept, (doc.width, doc.height), (x0, y0, x1, y1), (255, 255, 255))
    pad = (x0 + left, y0 + top, size[0] - (x1 + left), size[1] - (y1 + top))
    filler = Layer(expand_pixels(picture, pad), name="Outpaint filler", kind="filler")
    active = doc.layers.index(doc.active_layer)
    if doc.active_layer.kind != "filler":
        active = kept.index(doc.active_layer) + 1
    return doc.state_edit(
        (filler, *moved),
        f"Expand canvas ({left}, {top}, {right}, {bottom})",
        mask=expand_mask(doc.mask, extents),
        active=min(active, len(moved)),
    )


def _content_box(doc: Document, kept: list[Layer]) -> tuple[int, int, int, int]:
    fillers = [layer for layer in doc.layers if layer.kind == "filler"]
    if not fillers or not kept:
        return doc.full_rect
    xs0, ys0, xs1, ys1 = zip(*(layer.rect for layer in kept), strict=True)
    return (max(min(xs0), 0), max(min(ys0), 0), min(max(xs1), doc.width), min(max(ys1), doc.height))
