"""The autosave copy is built a slice at a time, and is never a mix of before and after an edit."""

from __future__ import annotations

import numpy as np

from studio.core.document import Document, Layer
from studio.core.document.autosave import IncrementalSnapshot, snapshot


def _doc() -> Document:
    rng = np.random.default_rng(3)
    layers = [
        Layer(rng.integers(0, 256, (64, 80, 4), dtype=np.uint8), name=f"L{i}", opacity=0.5 + i / 10)
        for i in range(3)
    ]
    return Document.from_layers(layers, (80, 64))


def _run(builder: IncrementalSnapshot) -> tuple[Document, int]:
    steps = 0
    while True:
        steps += 1
        copy = builder.step()
        if copy is not None:
            return copy, steps


def test_slices_add_up_to_an_exact_copy():
    doc = _doc()
    copy, steps = _run(IncrementalSnapshot(doc, slice_bytes=64 * 80 * 4 // 4))
    assert steps >= 12  # three layers of four slices each
    for original, copied in zip(doc.layers, copy.layers, strict=True):
        assert np.array_equal(copied.pixels, original.pixels)
        assert copied.pixels is not original.pixels and not copied.pixels.flags.writeable
        assert copied.props() == original.props()
    assert np.array_equal(copy.mask, doc.mask)


def test_a_layer_edited_between_slices_is_copied_again_whole():
    doc = _doc()
    builder = IncrementalSnapshot(doc, slice_bytes=64 * 80 * 4 // 4)
    assert builder.step() is None  # a quarter of the first layer copied
    doc.layers[0].pixels[:] = 7  # an undo, say, on the GUI thread between two slices
    doc.layers[0].touched()
    copy, _ = _run(builder)
    assert (copy.layers[0].pixels == 7).all()


def test_a_layer_whose_array_was_replaced_is_copied_again():
    doc = _doc()
    builder = IncrementalSnapshot(doc, slice_bytes=64 * 80 * 4 // 2)
    builder.step()
    doc.layers[0].pixels = np.full((64, 80, 4), 9, np.uint8)  # no touched(): the array changed
    copy, _ = _run(builder)
    assert (copy.layers[0].pixels == 9).all()


def test_unchanged_layers_reuse_the_last_copy():
    doc = _doc()
    cache: dict = {}
    first = snapshot(doc, cache)
    doc.layers[2].pixels[0, 0] = (1, 2, 3, 4)
    doc.layers[2].touched()
    builder = IncrementalSnapshot(doc, cache, slice_bytes=64 * 80 * 4 // 4)
    second, steps = _run(builder)
    assert second.layers[0].pixels is first.layers[0].pixels
    assert second.layers[1].pixels is first.layers[1].pixels
    assert second.layers[2].pixels is not first.layers[2].pixels
    assert steps == 4  # only the edited layer's four slices; the last one finishes the copy
    assert tuple(second.layers[2].pixels[0, 0]) == (1, 2, 3, 4)
