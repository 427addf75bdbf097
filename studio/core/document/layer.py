"""One raster layer of a document: RGBA pixels (straight alpha) placed at an offset."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import count

import numpy as np

from studio.core.brush import Rect

BLEND_MODES = ("normal", "multiply", "screen", "overlay", "darken", "lighten")
LAYER_KINDS = ("paint", "result", "control", "region", "filler")
_ids = count(1)


@dataclass(eq=False)
class Layer:
    """RGBA uint8 (h, w, 4) pixels at (x, y) on the canvas; identity is the object."""

    pixels: np.ndarray
    name: str = "Layer"
    visible: bool = True
    opacity: float = 1.0
    blend: str = "normal"
    x: int = 0
    y: int = 0
    kind: str = "paint"
    id: int = field(default_factory=lambda: next(_ids))
    version: int = field(default=0, compare=False, repr=False)  # bumped when pixels change

    def touched(self) -> None:
        """Note that the pixels changed (autosave copies only layers that did)."""
        self.version += 1

    def __post_init__(self) -> None:
        self.pixels = to_rgba(self.pixels)
        if self.blend not in BLEND_MODES:
            raise ValueError(
                f"blend mode must be one of {', '.join(BLEND_MODES)}, got {self.blend!r}"
            )
        self.opacity = float(min(max(self.opacity, 0.0), 1.0))

    @classmethod
    def filled(
        cls, width: int, height: int, rgba: tuple[int, int, int, int] = (0, 0, 0, 0), **kw
    ) -> Layer:
        pixels = np.empty((height, width, 4), np.uint8)
        pixels[:] = rgba
        return cls(pixels, **kw)

    @property
    def width(self) -> int:
        return int(self.pixels.shape[1])

    @property
    def height(self) -> int:
        return int(self.pixels.shape[0])

    @property
    def rect(self) -> Rect:
        """Where the layer lies on the canvas: (x0, y0, x1, y1)."""
        return (self.x, self.y, self.x + self.width, self.y + self.height)

    def props(self) -> dict[str, object]:
        return {
            "name": self.name,
            "visible": self.visible,
            "opacity": self.opacity,
            "blend": self.blend,
            "x": self.x,
            "y": self.y,
            "kind": self.kind,
        }

    def copy(self, **changes: object) -> Layer:
        values = self.props() | changes
        return Layer(self.pixels.copy(), **values)  # type: ignore[arg-type]


def to_rgba(pixels: np.ndarray) -> np.ndarray:
    """uint8 (H, W, 4) of a gray, RGB or RGBA array (shared when it already is one)."""
    array = np.asarray(pixels)
    if array.dtype != np.uint8:
        raise ValueError(f"layer pixels must be uint8, got {array.dtype}")
    if array.ndim == 2:
        array = np.repeat(array[:, :, None], 3, axis=2)
    if array.ndim != 3 or array.shape[2] not in (3, 4):
        raise ValueError(f"layer pixels must be (H, W), (H, W, 3) or (H, W, 4), got {array.shape}")
    if array.shape[2] == 3:
        alpha = np.full((*array.shape[:2], 1), 255, np.uint8)
        return np.concatenate([array, alpha], axis=2)
    return np.ascontiguousarray(array)


def intersect(a: Rect, b: Rect) -> Rect | None:
    x0, y0 = max(a[0], b[0]), max(a[1], b[1])
    x1, y1 = min(a[2], b[2]), min(a[3], b[3])
    return (x0, y0, x1, y1) if x0 < x1 and y0 < y1 else None
