"""Open as layer (the History's): a kept image becomes a new opaque layer above the active one,
nothing below is touched, and undo gives back the exact document."""

from __future__ import annotations

import numpy as np

from studio.core.document import Document, Layer
from studio.core.document.results import open_as_layer_edit
from studio.core.params import GenerationParams

PARAMS = GenerationParams(prompt="a lighthouse at dusk", seed=42, mode="inpaint")


def _two_layer_doc() -> Document:
    rng = np.random.default_rng(3)
    doc = Document.from_image(rng.integers(0, 256, (32, 48, 3), dtype=np.uint8))
    top = np.zeros((32, 48, 4), np.uint8)
    top[4:12, 4:12] = (255, 0, 0, 255)
    doc.layers.append(Layer(top, name="sketch"))
    doc.active = 0  # the background is active: the new layer goes between the two
    return doc


def test_same_size_image_is_a_full_opaque_layer_above_the_active_one():
    doc = _two_layer_doc()
    before = [layer.pixels.copy() for layer in doc.layers]
    image = np.full((32, 48, 3), 90, np.uint8)
    image[0, 0] = doc.image[0, 0]  # an inpaint's unchanged pixel stays opaque here
    edit = open_as_layer_edit(doc, image, PARAMS, "Open seed 42 as layer")
    edit.apply(doc)
    assert [layer.name for layer in doc.layers] == [
        "Background",
        "a lighthouse at dusk · seed 42",
        "sketch",
    ]
    opened = doc.layers[1]
    assert doc.active == 1 and opened.kind == "result" and (opened.x, opened.y) == (0, 0)
    assert np.array_equal(opened.pixels[..., :3], image) and (opened.pixels[..., 3] == 255).all()
    assert np.array_equal(doc.layers[0].pixels, before[0])
    assert np.array_equal(doc.layers[2].pixels, before[1])
    expected = image.copy()
    expected[4:12, 4:12] = (255, 0, 0)  # the sketch above still shows
    assert np.array_equal(doc.image, expected)
    assert doc.params == PARAMS
    edit.revert(doc)
    assert len(doc.layers) == 2 and doc.active == 0 and doc.params is None
    assert all(np.array_equal(a.pixels, b) for a, b in zip(doc.layers, before, strict=True))


def test_other_size_image_is_centred_and_the_canvas_keeps_its_size():
    doc = _two_layer_doc()
    doc.layers.pop()
    under = doc.image.copy()
    image = np.full((8, 10, 3), 200, np.uint8)
    open_as_layer_edit(doc, image, PARAMS, "Open", centre=(20, 10)).apply(doc)
    layer = doc.active_layer
    assert (layer.x, layer.y) == (15, 6) and (doc.width, doc.height) == (48, 32)
    expected = under.copy()
    expected[6:14, 15:25] = 200
    assert np.array_equal(doc.image, expected)


def test_a_blank_canvas_takes_the_size_of_the_image():
    doc = Document.blank(512, 512)
    image = np.full((64, 96, 3), 30, np.uint8)
    edit = open_as_layer_edit(doc, image, PARAMS, "Open")
    edit.apply(doc)
    assert (doc.width, doc.height) == (96, 64) and doc.has_image
    assert np.array_equal(doc.image, image)
    edit.revert(doc)
    assert (doc.width, doc.height) == (512, 512) and not doc.has_image
