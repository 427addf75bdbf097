"""Undoable layer operations: pixels, insert/remove/move, properties, merge down, flatten."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from studio.core.brush import Rect, union
from studio.core.document.composite import composite
from studio.core.document.edits import ReplaceImage
from studio.core.document.layer import Layer
from studio.core.params import GenerationParams

if TYPE_CHECKING:
    from studio.core.document.document import Document


def _canvas_rect(layer: Layer, local: Rect) -> Rect:
    return (local[0] + layer.x, local[1] + layer.y, local[2] + layer.x, local[3] + layer.y)


@dataclass(frozen=True, eq=False)
class LayerPixels:
    """A rectangle (layer coordinates) of a layer's pixels changed from before to after."""

    layer: Layer
    rect: Rect
    before: np.ndarray
    after: np.ndarray
    had_image: bool
    label: str = "Paint"
    changes_image: bool = True
    already_applied: bool = False  # a finished stroke: its first apply has nothing to do

    def _set(self, doc: Document, pixels: np.ndarray, has_image: bool) -> Rect:
        x0, y0, x1, y1 = self.rect
        self.layer.pixels[y0:y1, x0:x1] = pixels
        self.layer.touched()
        doc.has_image = has_image
        return doc.invalidate(_canvas_rect(self.layer, self.rect))

    def apply(self, doc: Document) -> Rect:
        return self._set(doc, self.after, True)

    def revert(self, doc: Document) -> Rect:
        return self._set(doc, self.before, self.had_image)


@dataclass(frozen=True, eq=False)
class InsertLayer:
    """Put `layer` at `index` (0 = bottom) and make it active."""

    layer: Layer
    index: int
    active_before: int
    had_image: bool
    has_image: bool
    label: str = "New layer"
    changes_image: bool = True
    params: tuple[GenerationParams | None, GenerationParams | None] | None = None  # (old, new)

    def apply(self, doc: Document) -> Rect:
        doc.layers.insert(self.index, self.layer)
        doc.active = self.index
        doc.has_image = self.has_image
        if self.params is not None:
            doc.params = self.params[1]
        return doc.invalidate(self.layer.rect)

    def revert(self, doc: Document) -> Rect:
        doc.layers.remove(self.layer)
        doc.active = self.active_before
        doc.has_image = self.had_image
        if self.params is not None:
            doc.params = self.params[0]
        return doc.invalidate(self.layer.rect)


@dataclass(frozen=True, eq=False)
class RemoveLayer:
    layer: Layer
    index: int
    active_before: int
    label: str = "Delete layer"
    changes_image: bool = True

    def apply(self, doc: Document) -> Rect:
        doc.layers.remove(self.layer)
        doc.active = min(max(self.index - 1, 0), len(doc.layers) - 1)
        return doc.invalidate(self.layer.rect)

    def revert(self, doc: Document) -> Rect:
        doc.layers.insert(self.index, self.layer)
        doc.active = self.active_before
        return doc.invalidate(self.layer.rect)


@dataclass(frozen=True, eq=False)
class MoveLayer:
    """Move the layer at `source` so it ends at index `target` (0 = bottom)."""

    layer: Layer
    source: int
    target: int
    active_before: int
    label: str = "Move layer"
    changes_image: bool = True

    def _move(self, doc: Document, to: int, active: int) -> Rect:
        doc.layers.remove(self.layer)
        doc.layers.insert(to, self.layer)
        doc.active = active
        return doc.invalidate(self.layer.rect)

    def apply(self, doc: Document) -> Rect:
        return self._move(doc, self.target, self.target)

    def revert(self, doc: Document) -> Rect:
        return self._move(doc, self.source, self.active_before)


@dataclass(frozen=True, eq=False)
class SetLayerProps:
    """Change name, visibility, opacity, blend mode, offset or kind."""

    layer: Layer
    before: dict[str, object]
    after: dict[str, object]
    label: str = "Layer properties"
    changes_image: bool = True

    def _set(self, doc: Document, values: dict[str, object]) -> Rect:
        old = self.layer.rect
        for key, value in values.items():
            setattr(self.layer, key, value)
        doc.invalidate(old)
        doc.invalidate(self.layer.rect)
        return doc.invalidate(union(old, self.layer.rect))

    def apply(self, doc: Document) -> Rect:
        return self._set(doc, self.after)

    def revert(self, doc: Document) -> Rect:
        return self._set(doc, self.before)


# --- builders (return the edit unapplied; None when it would change nothing) -------------------
def set_props_edit(doc: Document, layer: Layer, **changes: object) -> SetLayerProps | None:
    current = layer.props()
    unknown = set(changes) - set(current)
    if unknown:
        raise ValueError(f"unknown layer properties: {', '.join(sorted(unknown))}")
    if "opacity" in changes:
        changes["opacity"] = float(min(max(float(changes["opacity"]), 0.0), 1.0))  # type: ignore[arg-type]
    after = {k: v for k, v in changes.items() if current[k] != v}
    if not after:
        return None
    before = {k: current[k] for k in after}
    label = {
        "visible": "Show layer" if after.get("visible") else "Hide layer",
        "name": "Rename layer",
        "opacity": "Layer opacity",
        "blend": "Blend mode",
    }.get(next(iter(after)), "Layer properties")
    return SetLayerProps(layer, before, after, label)


def insert_layer_edit(
    doc: Document,
    layer: Layer,
    index: int | None = None,
    label: str = "New layer",
    params: GenerationParams | None = None,
) -> InsertLayer:
    """Insert above the active layer (or at index); `params` (a result's) become the doc's."""
    where = doc.active + 1 if index is None else index
    where = min(max(where, 0), len(doc.layers))
    has_image = doc.has_image or bool(layer.pixels[:, :, 3].any())
    change = None if params is None else (doc.params, params)
    return InsertLayer(layer, where, doc.active, doc.has_image, has_image, label, params=change)


def new_layer_edit(doc: Document, name: str | None = None) -> InsertLayer:
    layer = Layer.filled(doc.width, doc.height, name=name or doc.unused_name("Layer"))
    return insert_layer_edit(doc, layer)


def duplicate_layer_edit(doc: Document, layer: Layer) -> InsertLayer:
    copy = layer.copy(name=doc.unused_name(f"{layer.name} copy"))
    return insert_layer_edit(doc, copy, doc.layers.index(layer) + 1, "Duplicate layer")


def remove_layer_edit(doc: Document, layer: Layer) -> RemoveLayer | None:
    if len(doc.layers) <= 1:
        return None  # a document keeps at least one layer
    return RemoveLayer(layer, doc.layers.index(layer), doc.active)


def move_layer_edit(doc: Document, layer: Layer, target: int) -> MoveLayer | None:
    source = doc.layers.index(layer)
    target = min(max(target, 0), len(doc.layers) - 1)
    return None if source == target else MoveLayer(layer, source, target, doc.active)


def merge_down_edit(doc: Document, layer: Layer) -> ReplaceImage | None:
    """Merge `layer` into the one below (as it shows now); the result takes the lower's place."""
    index = doc.layers.index(layer)
    if index == 0:
        return None
    below = doc.layers[index - 1]
    parts = [below] + ([layer] if layer.visible else [])
    x0, y0 = min(p.x for p in parts), min(p.y for p in parts)
    x1, y1 = max(p.rect[2] for p in parts), max(p.rect[3] for p in parts)
    # The lower layer's own opacity and mode stay on the merged layer, as in Krita and GIMP.
    stack = [below.copy(x=below.x - x0, y=below.y - y0, opacity=1.0, blend="normal", visible=True)]
    if layer.visible:
        stack.append(layer.copy(x=layer.x - x0, y=layer.y - y0))
    merged = below.copy(x=x0, y=y0)
    merged.pixels = composite(stack, (x1 - x0, y1 - y0))
    layers = list(doc.layers)
    layers[index - 1 : index + 1] = [merged]
    return doc.state_edit(tuple(layers), "Merge down", active=index - 1)


def flatten_edit(doc: Document) -> ReplaceImage | None:
    if len(doc.layers) == 1 and doc.layers[0].rect == doc.full_rect and doc.layers[0].visible:
        return None
    pixels = composite(doc.layers, (doc.width, doc.height))
    flat = Layer(pixels, name="Background")
    return doc.state_edit((flat,), "Flatten image", active=0)
