"""Painting on a layer reuses the composite of the layers below it, with identical pixels."""

from __future__ import annotations

import numpy as np

from studio.core.document import Document, Layer
from studio.core.document import backdrop as backdrop_module
from studio.core.document.backdrop import TiledBackdrop
from studio.core.document.composite import composite
from studio.core.document.paint import PaintStroke


def _stack(side: int = 300) -> list[Layer]:
    rng = np.random.default_rng(4)
    layers = [Layer(rng.integers(0, 256, (side, side, 3), dtype=np.uint8), name="Background")]
    for i, blend in enumerate(("multiply", "screen", "overlay", "normal", "darken"), start=1):
        pixels = rng.integers(0, 256, (side - 40, side - 30, 4), dtype=np.uint8)
        pixels[:20, :, 3] = 0  # a transparent strip
        layers.append(
            Layer(pixels, name=f"L{i}", blend=blend, opacity=0.7, x=i * 9, y=-i * 4,
                  visible=i != 3)
        )  # fmt: skip
    layers.append(Layer.filled(side, side, (0, 0, 0, 0), name="Paint"))
    layers.append(Layer(rng.integers(0, 256, (50, 60, 4), dtype=np.uint8), blend="overlay",
                        x=100, y=120))  # fmt: skip
    return layers


def test_compositing_from_a_backdrop_equals_the_whole_stack(monkeypatch):
    monkeypatch.setattr(backdrop_module, "TILE", 64)  # several tiles, cut through the bands
    layers = _stack()
    size = (300, 300)
    split = 6
    cached = TiledBackdrop(layers[:split], size)
    for rect in [(0, 0, 300, 300), (37, 61, 201, 139), (250, 250, 300, 300), (64, 64, 65, 200)]:
        whole = composite(layers, size, rect)
        fast = composite(layers[split:], size, rect, backdrop=cached)
        assert np.array_equal(fast, whole), rect


def test_a_stroke_on_a_middle_layer_gives_the_pixels_of_a_full_recomposite(monkeypatch):
    monkeypatch.setattr(backdrop_module, "TILE", 64)
    doc = Document.from_layers(_stack(), (300, 300))
    doc.composite_rgba()
    layer = doc.layers[6]
    stroke = PaintStroke(doc, layer, (200, 30, 90), opacity=0.8)
    assert doc._backdrop is not None
    stroke.segment((20, 30), (120, 160), 14, 0.7, include_start=True)
    stroke.segment((120, 160), (280, 90), 14, 0.7)
    shown = doc.composite_rgba().copy()
    assert doc._backdrop._tiles  # the strokes were composited from the backdrop
    assert np.array_equal(shown, composite(doc.layers, (300, 300)))
    assert stroke.finish() is not None
    assert doc._backdrop is None


def test_a_change_below_the_painted_layer_is_never_hidden_by_the_backdrop():
    doc = Document.from_layers(_stack(), (300, 300))
    stroke = PaintStroke(doc, doc.layers[6], (10, 200, 30))
    stroke.segment((50, 50), (90, 90), 10, 1.0, include_start=True)
    doc.composite_rgba()
    doc.layers[1].visible = False  # e.g. a layer toggled while the pointer is still down
    doc.invalidate()
    assert np.array_equal(doc.composite_rgba(), composite(doc.layers, (300, 300)))
    stroke.cancel()
    assert doc._backdrop is None
