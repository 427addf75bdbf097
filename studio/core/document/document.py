"""The document an artist edits: a stack of RGBA layers plus the inpaint mask.

Generation reads `image`, the visible composite over white (RGB); the canvas draws
`composite_rgba()`. Both are caches updated only in the rectangles edits mark dirty, so a
brush stroke on a 4096² stack recomposites a few hundred pixels, not the whole canvas.
Strokes on the mask paint live while the pointer moves; `end_stroke()` returns the patch
that undo restores (painting on layers: studio.core.document.paint).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from studio.core import brush
from studio.core.brush import Rect
from studio.core.document.backdrop import TiledBackdrop
from studio.core.document.composite import composite, flatten_over
from studio.core.document.edits import InvertMask, MaskPatch, ReplaceImage, _State
from studio.core.document.layer import Layer
from studio.core.params import GenerationParams

BLANK_VALUE = 255  # a new canvas is white
WHITE = (255, 255, 255)


@dataclass(eq=False)
class Document:
    """Layers (bottom first) + mask (uint8 H x W, 255 = repaint) + what made the image."""

    layers: list[Layer]
    mask: np.ndarray
    has_image: bool = False  # False for a blank canvas: generation there is txt2img
    params: GenerationParams | None = None  # of the last applied result
    path: Path | None = None
    active: int = 0
    _stroke_before: np.ndarray | None = field(default=None, repr=False)
    _stroke_rect: Rect | None = field(default=None, repr=False)
    _rgba: np.ndarray | None = field(default=None, repr=False)
    _rgb: np.ndarray | None = field(default=None, repr=False)
    _dirty: Rect | None = field(default=None, repr=False)
    _backdrop: TiledBackdrop | None = field(default=None, repr=False)

    @classmethod
    def blank(cls, width: int = 512, height: int = 512) -> Document:
        if width < 1 or height < 1:
            raise ValueError(f"canvas size must be positive, got {width}x{height}")
        background = Layer.filled(width, height, (*WHITE, 255), name="Background")
        return cls(layers=[background], mask=np.zeros((height, width), dtype=np.uint8))

    @classmethod
    def from_image(
        cls, pixels: np.ndarray, params: GenerationParams | None = None, path: Path | None = None
    ) -> Document:
        """One layer holding the image; RGBA keeps its transparency."""
        layer = Layer(np.array(pixels, dtype=np.uint8, copy=True), name="Background")
        mask = np.zeros((layer.height, layer.width), dtype=np.uint8)
        return cls(layers=[layer], mask=mask, has_image=True, params=params, path=path)

    @classmethod
    def from_layers(
        cls, layers: list[Layer], size: tuple[int, int], params: GenerationParams | None = None
    ) -> Document:
        if not layers:
            layers = [Layer.filled(size[0], size[1], name="Layer")]
        mask = np.zeros((size[1], size[0]), np.uint8)
        return cls(
            layers=list(layers), mask=mask, has_image=True, params=params, active=len(layers) - 1
        )

    # --- geometry and state -------------------------------------------------------------
    @property
    def width(self) -> int:
        return int(self.mask.shape[1])

    @property
    def height(self) -> int:
        return int(self.mask.shape[0])

    @property
    def full_rect(self) -> Rect:
        return (0, 0, self.width, self.height)

    @property
    def active_layer(self) -> Layer:
        self.active = min(max(self.active, 0), len(self.layers) - 1)
        return self.layers[self.active]

    def has_mask(self) -> bool:
        return bool(self.mask.any())

    def suggested_mode(self) -> str:
        """Empty canvas -> txt2img; image without mask -> img2img; image with mask -> inpaint."""
        if not self.has_image:
            return "txt2img"
        return "inpaint" if self.has_mask() else "img2img"

    def unused_name(self, base: str) -> str:
        names = {layer.name for layer in self.layers}
        if base not in names:
            return base
        n = 2
        while f"{base} {n}" in names:
            n += 1
        return f"{base} {n}"

    # --- the composite ------------------------------------------------------------------
    def invalidate(self, rect: Rect | None = None) -> Rect:
        """Mark a canvas rect (None: everything) to be recomposited; returns it clipped."""
        full = self.full_rect
        if rect is None:
            rect = full
        rect = (max(rect[0], 0), max(rect[1], 0), min(rect[2], full[2]), min(rect[3], full[3]))
        if rect[0] < rect[2] and rect[1] < rect[3]:
            self._dirty = brush.union(self._dirty, rect)
        return rect

    def _flush(self) -> None:
        shape = (self.height, self.width)
        if self._rgba is None or self._rgba.shape[:2] != shape:
            self._rgba = np.empty((*shape, 4), np.uint8)
            self._rgb = np.empty((*shape, 3), np.uint8)
            self._dirty = self.full_rect
        if self._dirty is None:
            return
        x0, y0, x1, y1 = self._dirty
        self._dirty = None
        size, rect = (self.width, self.height), (x0, y0, x1, y1)
        backdrop = self._backdrop
        if backdrop is not None and backdrop.valid_for(self.layers):
            rgba = composite(self.layers[backdrop.count :], size, rect, backdrop=backdrop)
        else:
            rgba = composite(self.layers, size, rect)
        self._rgba[y0:y1, x0:x1] = rgba
        assert self._rgb is not None
        self._rgb[y0:y1, x0:x1] = flatten_over(rgba, WHITE)

    def begin_layer_paint(self, layer: Layer) -> None:
        """A stroke on `layer` starts: keep the composite of the layers below it until it ends."""
        index = next(i for i, candidate in enumerate(self.layers) if candidate is layer)
        self._backdrop = TiledBackdrop(self.layers[:index], (self.width, self.height))

    def end_layer_paint(self) -> None:
        self._backdrop = None

    def composite_rgba(self) -> np.ndarray:
        """The visible stack, straight-alpha RGBA (read-only view of the cache)."""
        self._flush()
        assert self._rgba is not None
        view = self._rgba.view()
        view.flags.writeable = False
        return view

    @property
    def image(self) -> np.ndarray:
        """The visible composite over white, uint8 RGB: what generation reads (read-only)."""
        self._flush()
        assert self._rgb is not None
        view = self._rgb.view()
        view.flags.writeable = False
        return view

    # --- mask strokes -------------------------------------------------------------------
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

    # --- whole-state edits ------------------------------------------------------------------
    def state(self) -> _State:
        return _State(
            tuple(self.layers), self.mask.copy(), self.has_image, self.params, self.active
        )

    def state_edit(
        self,
        layers: tuple[Layer, ...],
        label: str,
        *,
        mask: np.ndarray | None = None,
        has_image: bool | None = None,
        params: GenerationParams | None = None,
        keep_params: bool = True,
        active: int | None = None,
    ) -> ReplaceImage:
        """An edit that swaps in `layers` (and optionally a new mask/params)."""
        after = _State(
            layers,
            self.mask.copy() if mask is None else mask,
            self.has_image if has_image is None else has_image,
            self.params if keep_params else params,
            len(layers) - 1 if active is None else active,
        )
        return ReplaceImage(self.state(), after, label)

    def replace_image_edit(
        self, pixels: np.ndarray, params: GenerationParams | None, label: str = "Apply result"
    ) -> ReplaceImage:
        """Replace every layer with one holding `pixels`; the mask is kept when sizes match."""
        layer = Layer(np.array(pixels, dtype=np.uint8, copy=True), name="Background")
        if (layer.height, layer.width) == self.mask.shape:
            mask = self.mask.copy()
        else:
            mask = np.zeros((layer.height, layer.width), dtype=np.uint8)
        return self.state_edit(
            (layer,), label, mask=mask, has_image=True, params=params, keep_params=False
        )

    def _restore(self, state: _State) -> None:
        self.layers = list(state.layers)
        self.mask = state.mask.copy()
        self.has_image = state.has_image
        self.params = state.params
        self.active = state.active
        self.invalidate(None)


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
    return flatten_over(array, WHITE)
