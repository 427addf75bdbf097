"""Layer stack: blend modes against the W3C formulas, offsets/hidden layers, exact undo/redo."""

from __future__ import annotations

import numpy as np
import pytest

from studio.core.canvas_size import expand_canvas_edit
from studio.core.document import Document, Layer, composite
from studio.core.document import layer_edits as le
from studio.core.document.paint import PaintStroke, fill_edit


def _reference(backdrop: np.ndarray, source: np.ndarray, mode: str, opacity: float) -> np.ndarray:
    """W3C Compositing and Blending Level 1, written out per channel in float64."""
    cb, ab = backdrop[..., :3] / 255.0, backdrop[..., 3:] / 255.0
    cs, as_ = source[..., :3] / 255.0, source[..., 3:] / 255.0 * opacity
    if mode == "normal":
        b = cs
    elif mode == "multiply":
        b = cb * cs
    elif mode == "screen":
        b = cb + cs - cb * cs
    elif mode == "overlay":  # hard-light with the layers swapped
        b = np.where(cb <= 0.5, cs * 2 * cb, cs + (2 * cb - 1) - cs * (2 * cb - 1))
    elif mode == "darken":
        b = np.minimum(cb, cs)
    else:
        b = np.maximum(cb, cs)
    mixed = (1 - ab) * cs + ab * b
    ao = as_ + ab * (1 - as_)
    co = np.divide(as_ * mixed + ab * cb * (1 - as_), ao, out=np.zeros_like(cb), where=ao > 0)
    return np.concatenate([co * 255, ao * 255], axis=-1)


@pytest.mark.parametrize("mode", ["normal", "multiply", "screen", "overlay", "darken", "lighten"])
@pytest.mark.parametrize("opacity", [1.0, 0.6])
def test_blend_modes_match_the_w3c_formulas(mode: str, opacity: float):
    rng = np.random.default_rng(7)
    back = rng.integers(0, 256, (24, 24, 4), dtype=np.uint8)
    back[:4, :, 3] = 255  # some opaque backdrop, some fully transparent, the rest partial
    back[4:8, :, 3] = 0
    src = rng.integers(0, 256, (24, 24, 4), dtype=np.uint8)
    src[:, :4, 3] = 255
    src[:, 4:8, 3] = 0
    layers = [Layer(back), Layer(src, blend=mode, opacity=opacity)]
    got = composite(layers, (24, 24)).astype(np.float64)
    want = _reference(back.astype(np.float64), src.astype(np.float64), mode, opacity)
    # alpha is exact; colour is exact wherever alpha is not ~0 (rounding only)
    assert np.abs(got[..., 3] - want[..., 3]).max() <= 0.5 + 1e-9
    visible = want[..., 3] >= 1
    assert np.abs(got[..., :3] - want[..., :3])[visible].max() <= 0.5 + 1e-6


def test_multiply_of_opaque_layers_is_the_product():
    back = Layer.filled(4, 4, (200, 100, 50, 255))
    top = Layer.filled(4, 4, (128, 255, 0, 255), blend="multiply")
    out = composite([back, top], (4, 4))
    assert tuple(out[0, 0]) == (round(200 * 128 / 255), 100, 0, 255)


def test_offsets_and_hidden_layers_composite_exactly():
    rng = np.random.default_rng(1)
    size = (40, 30)
    base = rng.integers(0, 256, (30, 40, 3), dtype=np.uint8)
    a = rng.integers(0, 256, (10, 12, 3), dtype=np.uint8)
    b = rng.integers(0, 256, (8, 50, 3), dtype=np.uint8)  # overhangs the canvas on both sides
    hidden = rng.integers(0, 256, (30, 40, 3), dtype=np.uint8)
    layers = [
        Layer(base),
        Layer(a, x=5, y=7),
        Layer(hidden, visible=False),
        Layer(b, x=-6, y=25),
    ]
    expected = np.concatenate([base, np.full((30, 40, 1), 255, np.uint8)], axis=2)
    expected[7:17, 5:17, :3] = a
    expected[25:30, :, :3] = b[:5, 6:46]
    assert np.array_equal(composite(layers, size), expected)
    # a sub-rectangle gives the same pixels as the full composite there
    assert np.array_equal(composite(layers, size, (3, 4, 33, 28)), expected[4:28, 3:33])
    doc = Document.from_layers(layers, size)
    assert np.array_equal(doc.composite_rgba(), expected)
    assert np.array_equal(doc.image, expected[..., :3])


def test_dirty_rect_cache_matches_a_full_recomposite_after_edits():
    doc = Document.blank(64, 48)
    assert doc.image.shape == (48, 64, 3)  # fills the cache
    edit = le.new_layer_edit(doc)
    edit.apply(doc)
    stroke = PaintStroke(doc, doc.active_layer, (255, 0, 0), opacity=0.5)
    stroke.segment((10, 10), (50, 30), 5, 0.5, include_start=True)
    stroke.finish()
    le.set_props_edit(doc, doc.layers[1], blend="multiply").apply(doc)
    assert np.array_equal(doc.composite_rgba(), composite(doc.layers, (64, 48)))


def _snapshot(doc: Document) -> tuple:
    layers = tuple((lay.pixels.copy(), tuple(sorted(lay.props().items()))) for lay in doc.layers)
    return (layers, doc.mask.copy(), doc.has_image, doc.active, doc.image.copy())


def _same(a: tuple, b: tuple) -> bool:
    if len(a[0]) != len(b[0]):
        return False
    layers = all(
        np.array_equal(x[0], y[0]) and x[1] == y[1] for x, y in zip(a[0], b[0], strict=False)
    )
    return layers and np.array_equal(a[1], b[1]) and a[2:4] == b[2:4] and np.array_equal(a[4], b[4])


def _document() -> Document:
    rng = np.random.default_rng(3)
    doc = Document.from_image(rng.integers(0, 256, (32, 40, 3), dtype=np.uint8))
    le.insert_layer_edit(
        doc,
        Layer(
            rng.integers(0, 256, (12, 10, 4), dtype=np.uint8),
            x=6,
            y=4,
            name="sky",
            blend="screen",
            opacity=0.7,
        ),
    ).apply(doc)
    doc.mask[3:9, 3:9] = 255
    return doc


def _operations(doc: Document):
    top = doc.layers[-1]
    stroke = PaintStroke(doc, doc.layers[0], (0, 0, 255))
    stroke.segment((2, 2), (30, 20), 3, 0.8, include_start=True)
    painted = stroke.finish()
    assert painted is not None
    painted.revert(doc)
    return {
        "paint": painted,
        "fill": fill_edit(doc, top, (7, 5), (0, 255, 0), tolerance=255),
        "new": le.new_layer_edit(doc),
        "duplicate": le.duplicate_layer_edit(doc, top),
        "delete": le.remove_layer_edit(doc, doc.layers[0]),  # not the top: order matters
        "move": le.move_layer_edit(doc, top, 0),
        "rename": le.set_props_edit(doc, top, name="clouds"),
        "hide": le.set_props_edit(doc, top, visible=False),
        "opacity": le.set_props_edit(doc, top, opacity=0.25),
        "blend": le.set_props_edit(doc, top, blend="overlay"),
        "offset": le.set_props_edit(doc, top, x=-3, y=20),
        "merge down": le.merge_down_edit(doc, top),
        "flatten": le.flatten_edit(doc),
        "expand canvas": expand_canvas_edit(doc, (4, 0, 8, 2)),
        "replace image": doc.replace_image_edit(np.zeros((10, 10, 4), np.uint8), None),
        "clear mask": doc.clear_mask_edit(),
    }


@pytest.mark.parametrize("name", list(_operations(_document())))
def test_every_layer_operation_undoes_and_redoes_to_exact_pixels(name: str):
    doc = _document()
    edit = _operations(doc)[name]
    assert edit is not None, f"{name} made no edit"
    before = _snapshot(doc)
    edit.apply(doc)
    after = _snapshot(doc)
    assert not _same(before, after), f"{name} changed nothing"
    for _ in range(2):
        edit.revert(doc)
        assert _same(_snapshot(doc), before), f"undo of {name} is not exact"
        edit.apply(doc)
        assert _same(_snapshot(doc), after), f"redo of {name} is not exact"


def test_a_chain_of_operations_unwinds_exactly():
    doc = _document()
    start = _snapshot(doc)
    done = []
    for make in (
        lambda d: le.new_layer_edit(d),
        lambda d: le.set_props_edit(d, d.layers[1], blend="multiply"),
        lambda d: le.duplicate_layer_edit(d, d.layers[1]),
        lambda d: le.merge_down_edit(d, d.layers[2]),
        lambda d: expand_canvas_edit(d, (3, 3, 3, 3)),
        lambda d: le.move_layer_edit(d, d.layers[-1], 1),
        lambda d: le.flatten_edit(d),
    ):
        edit = make(doc)
        assert edit is not None
        edit.apply(doc)
        done.append((edit, _snapshot(doc)))
    for edit, state in reversed(done):
        assert _same(_snapshot(doc), state)
        edit.revert(doc)
    assert _same(_snapshot(doc), start)


def test_merge_down_keeps_the_look_and_flatten_gives_one_layer():
    doc = _document()
    look = doc.image.copy()
    le.merge_down_edit(doc, doc.layers[-1]).apply(doc)
    assert len(doc.layers) == 1
    assert np.abs(doc.image.astype(int) - look.astype(int)).max() <= 1
    doc = _document()
    le.flatten_edit(doc).apply(doc)
    assert len(doc.layers) == 1 and np.abs(doc.image.astype(int) - look.astype(int)).max() <= 1


def test_paint_stroke_lays_colour_on_its_layer_and_the_eraser_removes_it():
    doc = Document.blank(64, 64)
    le.new_layer_edit(doc).apply(doc)
    layer = doc.active_layer
    stroke = PaintStroke(doc, layer, (255, 0, 0))
    stroke.segment((10, 32), (54, 32), 4, 1.0, include_start=True)
    stroke.segment((54, 32), (10, 32), 4, 1.0)  # crossing itself does not build up
    edit = stroke.finish()
    assert edit is not None
    assert tuple(layer.pixels[32, 30]) == (255, 0, 0, 255)
    assert layer.pixels[5, 5, 3] == 0 and tuple(doc.image[5, 5]) == (255, 255, 255)
    assert tuple(doc.image[32, 30]) == (255, 0, 0)
    assert tuple(doc.layers[0].pixels[32, 30]) == (255, 255, 255, 255), "other layers untouched"
    eraser = PaintStroke(doc, layer, (0, 0, 0), erase=True)
    eraser.segment((30, 20), (30, 44), 3, 1.0, include_start=True)
    eraser.finish()
    assert layer.pixels[32, 30, 3] == 0 and tuple(doc.image[32, 30]) == (255, 255, 255)


def test_soft_half_opacity_stroke_is_partly_transparent():
    doc = Document.blank(32, 32)
    le.new_layer_edit(doc).apply(doc)
    stroke = PaintStroke(doc, doc.active_layer, (0, 0, 0), opacity=0.5)
    stroke.segment((16, 16), (16, 16), 6, 1.0, include_start=True)
    stroke.finish()
    assert doc.active_layer.pixels[16, 16, 3] == 128
    assert tuple(doc.image[16, 16]) == (127, 127, 127)


def test_fill_fills_the_contiguous_region_only():
    pixels = np.full((20, 20, 4), 255, np.uint8)
    pixels[:, 10] = (0, 0, 0, 255)  # a wall
    doc = Document.from_image(pixels)
    edit = fill_edit(doc, doc.layers[0], (2, 2), (0, 0, 255))
    assert edit is not None
    edit.apply(doc)
    assert tuple(doc.image[5, 5]) == (0, 0, 255) and tuple(doc.image[5, 15]) == (255, 255, 255)


def test_expanding_twice_rebuilds_the_filler_instead_of_stretching_it():
    pixels = np.zeros((8, 8, 3), np.uint8)
    pixels[:, -1] = (255, 0, 0)  # red right edge
    doc = Document.from_image(pixels)
    expand_canvas_edit(doc, (0, 0, 4, 0)).apply(doc)
    assert tuple(doc.image[0, 11]) == (255, 0, 0)
    doc.layers[-1].pixels[:, -1] = (0, 255, 0, 255)  # the picture's edge changes
    doc.invalidate()
    expand_canvas_edit(doc, (0, 0, 4, 0)).apply(doc)
    kinds = [layer.kind for layer in doc.layers]
    assert kinds.count("filler") == 1 and doc.width == 16
    assert tuple(doc.image[0, 15]) == (0, 255, 0), "the old filler must not be baked in"


def test_rgba_images_keep_their_transparency():
    pixels = np.zeros((4, 4, 4), np.uint8)
    pixels[0, 0] = (10, 20, 30, 255)
    doc = Document.from_image(pixels)
    assert doc.layers[0].pixels.shape == (4, 4, 4) and doc.layers[0].pixels[1, 1, 3] == 0
    assert tuple(doc.composite_rgba()[1, 1]) == (0, 0, 0, 0)
    assert tuple(doc.image[1, 1]) == (255, 255, 255)


def test_an_applied_inpaint_is_a_patch_layer_and_clears_the_mask():
    from studio.core.document.results import apply_result_edits
    from studio.core.params import GenerationParams

    rng = np.random.default_rng(11)
    doc = Document.from_image(rng.integers(0, 256, (32, 32, 3), dtype=np.uint8))
    doc.mask[8:16, 8:16] = 255
    result = np.array(doc.image)
    result[6:18, 6:18] = (0, 200, 0)  # the mask plus a feathered rim
    params = GenerationParams(prompt="a green  square", seed=5, mode="inpaint")
    edits = apply_result_edits(doc, result, params, "Apply seed 5")
    for edit in edits:
        edit.apply(doc)
    layer = doc.active_layer
    assert len(doc.layers) == 2 and layer.kind == "result"
    assert layer.name == "a green square · seed 5"
    assert (layer.pixels[6:18, 6:18, 3] == 255).all()
    outside = np.ones((32, 32), bool)
    outside[6:18, 6:18] = False
    assert (layer.pixels[outside, 3] == 0).all(), "outside the mask's reach: fully transparent"
    assert np.array_equal(doc.image, result) and not doc.has_mask()
    assert doc.params == params
    for edit in reversed(edits):
        edit.revert(doc)
    assert len(doc.layers) == 1 and doc.mask[10, 10] == 255 and doc.params is None
