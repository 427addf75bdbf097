"""Undoable edits of a document. Each sets stored before/after data (never recomputes), so
undo/redo can replay them any number of times and returns exact pixels. `apply`/`revert`
return the canvas rect they changed, or None for the whole document."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np

from studio.core.brush import Rect
from studio.core.document.layer import Layer
from studio.core.params import GenerationParams

if TYPE_CHECKING:
    from studio.core.document.document import Document


class Edit(Protocol):
    """An undoable change. `changes_image` is False for edits that touch only the mask."""

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
    """Everything but the path: the layer list (the Layer objects themselves), mask, flags."""

    layers: tuple[Layer, ...]
    mask: np.ndarray
    has_image: bool
    params: GenerationParams | None
    active: int = 0


@dataclass(frozen=True, eq=False)
class ReplaceImage:
    """Swap the whole state (an upscale, expand canvas, merge down, flatten, a paste)."""

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
