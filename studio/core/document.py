"""The document an artist edits: an RGB image plus a mask at image resolution, and its edits.

Every change that the user can undo is an `Edit` value: `apply(doc)` and `revert(doc)` are
idempotent state changes (they set stored before/after data rather than recompute), so the
UI's undo stack can replay them any number of times. Strokes paint into the mask live while
the pointer moves; `end_stroke()` then returns the patch that undo restores.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from studio.core import brush
from studio.core.brush import Rect
from studio.core.params import GenerationParams

BLANK_VALUE = 255  # a new canvas is white


class Edit(Protocol):
    """An undoable change. `region` is the mask rect it touched, or None for the whole document."""

    label: str

    def apply(self, doc: Document) -> Rect | None: ...

    def revert(self, doc: Document) -> Rect | None: ...

    @property
    def changes_image(self) -> bool: ...


@dataclass(frozen=True, eq=False)
class MaskPatch:
    """A rectangle of the mask changed from `before` to `after`."""

    rect: Rect
    before: np.ndarray
    after: np.ndarray
    label: str = "Brush stroke"
    changes_image: bool = False

    def apply(self, doc: Document) -> Rect:
        x0, y0, x1, y1 = self.rect
        doc.mask[y0:y1, x0:x1] = self.after
        return self.rect

    def revert(self, doc: Document) -> Rect:
        x0, y0, x1, y1 = self.rect
        doc.mask[y0:y1, x0:x1] = self.before
        return self.rect


@dataclass(frozen=True, eq=False)
class InvertMask:
    """Invert the whole mask (its own inverse, so it stores nothing)."""

    label: str = "Invert mask"
    changes_image: bool = False

    def apply(self, doc: Document) -> Rect:
        np.subtract(255, doc.mask, out=doc.mask)
        return doc.full_rect

    def revert(self, doc: Document) -> Rect:
        return self.apply(doc)


@dataclass(frozen=True, eq=False)
class _State:
    image: np.ndarray
    mask: np.ndarray
    has_image: bool
    params: GenerationParams | None


@dataclass(frozen=True, eq=False)
class ReplaceImage:
    """Replace the image (an applied result, a paste); the mask is kept when sizes match."""

    before: _State
    after: _State
    label: str = "Apply result"
    changes_image: bool = True

    def apply(self, doc: Document) -> None:
        doc._restore(self.after)
        return None

    def revert(self, doc: Document) -> None:
        doc._restore(self.before)
        return None


@dataclass(eq=False)
class Document:
    """Image (uint8 H x W x 3) + mask (uint8 H x W, 255 = repaint) + what made the image."""

    image: np.ndarray
    mask: np.ndarray
    has_image: bool = False  # False for a blank canvas: generation there is txt2img
    params: GenerationParams | None = None
    path: Path | None = None
    _stroke_before: np.ndarray | None = field(default=None, repr=False)
    _stroke_rect: Rect | None = field(default=None, repr=False)

    @classmethod
    def blank(cls, width: int = 512, height: int = 512) -> Document:
        if width < 1 or height < 1:
            raise ValueError(f"canvas size must be positive, got {width}x{height}")
        image = np.full((height, width, 3), BLANK_VALUE, dtype=np.uint8)
        return cls(image=image, mask=np.zeros((height, width), dtype=np.uint8))

    @classmethod
    def from_image(
        cls,
        pixels: np.ndarray,
        params: GenerationParams | None = None,
        path: Path | None = None,
    ) -> Document:
        image = to_rgb(pixels)
        mask = np.zeros(image.shape[:2], dtype=np.uint8)
        return cls(image=image, mask=mask, has_image=True, params=params, path=path)

    # --- geometry and state -------------------------------------------------------------
    @property
    def width(self) -> int:
        return int(self.image.shape[1])

    @property
    def height(self) -> int:
        return int(self.image.shape[0])

    @property
    def full_rect(self) -> Rect:
        return (0, 0, self.width, self.height)

    def has_mask(self) -> bool:
        return bool(self.mask.any())

    def suggested_mode(self) -> str:
        """Empty canvas -> txt2img; image without mask -> img2img; image with mask -> inpaint."""
        if not self.has_image:
            return "txt2img"
        return "inpaint" if self.has_mask() else "img2img"

    # --- strokes ------------------------------------------------------------------------
    @property
    def stroking(self) -> bool:
        return self._stroke_before is not None

    def begin_stroke(self) -> None:
        self._stroke_before = self.mask.copy()
        self._stroke_rect = None

    def stroke_to(
        self,
        start: tuple[float, float],
        end: tuple[float, float],
        radius: float,
        hardness: float,
        erase: bool = False,
        end_radius: float | None = None,
        include_start: bool = False,
    ) -> Rect | None:
        """Paint a segment of the current stroke into the mask; return the rect it touched."""
        if self._stroke_before is None:
            self.begin_stroke()
        dirty = None
        if include_start:
            dirty = brush.stamp(self.mask, start[0], start[1], radius, hardness, erase)
        dirty = brush.union(
            dirty,
            brush.stroke_segment(self.mask, start, end, radius, hardness, erase, end_radius),
        )
        self._stroke_rect = brush.union(self._stroke_rect, dirty)
        return dirty

    def end_stroke(self, label: str = "Brush stroke") -> MaskPatch | None:
        """Finish the stroke; the patch that undoes it, or None when nothing changed."""
        before, rect = self._stroke_before, self._stroke_rect
        self._stroke_before = self._stroke_rect = None
        if before is None or rect is None:
            return None
        x0, y0, x1, y1 = rect
        old, new = before[y0:y1, x0:x1].copy(), self.mask[y0:y1, x0:x1].copy()
        if np.array_equal(old, new):
            return None
        return MaskPatch(rect, old, new, label)

    def cancel_stroke(self) -> Rect | None:
        """Abandon the stroke, restoring the mask it changed."""
        before, rect = self._stroke_before, self._stroke_rect
        self._stroke_before = self._stroke_rect = None
        if before is not None and rect is not None:
            x0, y0, x1, y1 = rect
            self.mask[y0:y1, x0:x1] = before[y0:y1, x0:x1]
        return rect

    # --- whole-mask operations (returned unapplied) ---------------------------------------
    def invert_mask_edit(self) -> InvertMask:
        return InvertMask()

    def fill_mask_edit(self, value: int, label: str) -> MaskPatch | None:
        if np.all(self.mask == value):
            return None
        after = np.full_like(self.mask, value)
        return MaskPatch(self.full_rect, self.mask.copy(), after, label)

    def clear_mask_edit(self) -> MaskPatch | None:
        return self.fill_mask_edit(0, "Clear mask")

    def select_all_edit(self) -> MaskPatch | None:
        return self.fill_mask_edit(255, "Mask everything")

    def replace_image_edit(
        self, pixels: np.ndarray, params: GenerationParams | None, label: str = "Apply result"
    ) -> ReplaceImage:
        image = to_rgb(pixels)
        if image.shape[:2] == self.mask.shape:
            mask = self.mask.copy()
        else:
            mask = np.zeros(image.shape[:2], dtype=np.uint8)
        before = _State(self.image, self.mask.copy(), self.has_image, self.params)
        after = _State(image, mask, True, params)
        return ReplaceImage(before, after, label)

    def _restore(self, state: _State) -> None:
        self.image = state.image
        self.mask = state.mask.copy()
        self.has_image = state.has_image
        self.params = state.params


def to_rgb(pixels: np.ndarray) -> np.ndarray:
    """uint8 (H, W, 3) copy of a gray, RGB or RGBA array (alpha composited over white)."""
    array = np.asarray(pixels)
    if array.dtype != np.uint8:
        raise ValueError(f"image must be uint8, got {array.dtype}")
    if array.ndim == 2:
        return np.repeat(array[:, :, None], 3, axis=2)
    if array.ndim != 3 or array.shape[2] not in (3, 4):
        raise ValueError(f"image must be (H, W), (H, W, 3) or (H, W, 4), got {array.shape}")
    if array.shape[2] == 3:
        return np.ascontiguousarray(array).copy()
    alpha = array[:, :, 3:4].astype(np.uint16)
    rgb = array[:, :, :3].astype(np.uint16)
    return ((rgb * alpha + 255 * (255 - alpha) + 127) // 255).astype(np.uint8)
