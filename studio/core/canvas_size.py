"""Growing the document's canvas (Image ▸ Expand canvas): the undoable edit and its pixels.

The new border is pre-filled by repeating the edge pixels (the outpaint job then paints it);
the mask grows with zeros so nothing new is marked for repainting. Plain numpy.
"""

from __future__ import annotations

import numpy as np

from studio.core.document import Document, ReplaceImage, _State
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
    before = _State(doc.image, doc.mask.copy(), doc.has_image, doc.params)
    after = _State(
        expand_pixels(doc.image, extents),
        expand_mask(doc.mask, extents),
        doc.has_image,
        doc.params,
    )
    left, top, right, bottom = extents
    return ReplaceImage(before, after, f"Expand canvas ({left}, {top}, {right}, {bottom})")
