"""While a layer is painted, the layers below it do not change: keep their composite.

A stroke on the top of a 10-layer 4096² stack would otherwise recomposite all ten layers under
every brush move. `TiledBackdrop` keeps the premultiplied accumulators of the layers below the
painted one, per tile, computed the first time a move reaches a tile; each move then composites
only the painted layer and those above it. Results are identical to compositing the whole stack
(the per-pixel operations are the same, in the same order). A signature of the layers below
guards against any change to them: if it differs, the document recomposites from scratch.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from studio.core.brush import Rect
from studio.core.document.composite import accumulate, start_band, visible
from studio.core.document.layer import Layer, intersect

TILE = 128


def signature(layers: Sequence[Layer]) -> tuple:
    """Everything about `layers` that the composite depends on."""
    return tuple(
        (layer.id, layer.version, id(layer.pixels), layer.pixels.shape, layer.visible,
         layer.opacity, layer.blend, layer.x, layer.y)
        for layer in layers
    )  # fmt: skip


class TiledBackdrop:
    def __init__(
        self,
        below: Sequence[Layer],
        size: tuple[int, int],
        background: tuple[int, int, int] | None = None,
    ) -> None:
        self.count = len(below)
        self.signature = signature(below)
        self._layers = visible(below)
        self._size = size
        self._background = background
        self._tiles: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}

    def valid_for(self, layers: Sequence[Layer]) -> bool:
        return len(layers) > self.count and signature(layers[: self.count]) == self.signature

    def _tile(self, col: int, row: int) -> tuple[np.ndarray, np.ndarray]:
        found = self._tiles.get((col, row))
        if found is None:
            width, height = self._size
            rect = (col * TILE, row * TILE, min((col + 1) * TILE, width),
                    min((row + 1) * TILE, height))  # fmt: skip
            prem, alpha = start_band(rect, self._background)
            accumulate(self._layers, rect, prem, alpha)
            found = self._tiles[(col, row)] = (prem, alpha)
        return found

    def read(self, band: Rect) -> tuple[np.ndarray, np.ndarray]:
        x0, y0, x1, y1 = band
        prem = np.empty((y1 - y0, x1 - x0, 3), np.float32)
        alpha = np.empty((y1 - y0, x1 - x0, 1), np.float32)
        for row in range(y0 // TILE, (y1 - 1) // TILE + 1):
            for col in range(x0 // TILE, (x1 - 1) // TILE + 1):
                tile_rect = (col * TILE, row * TILE, (col + 1) * TILE, (row + 1) * TILE)
                part = intersect(tile_rect, band)
                assert part is not None
                px0, py0, px1, py1 = part
                tile_prem, tile_alpha = self._tile(col, row)
                src = (slice(py0 - row * TILE, py1 - row * TILE),
                       slice(px0 - col * TILE, px1 - col * TILE))  # fmt: skip
                dst = (slice(py0 - y0, py1 - y0), slice(px0 - x0, px1 - x0))
                prem[dst] = tile_prem[src]
                alpha[dst] = tile_alpha[src]
        return prem, alpha
