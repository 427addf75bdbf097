"""Document, brush dabs and undoable edits (pure numpy)."""

from __future__ import annotations

import numpy as np
import pytest

from studio.core import brush
from studio.core.document import Document, to_rgb
from studio.core.params import GenerationParams


def test_blank_document_suggests_txt2img_then_img2img_then_inpaint():
    doc = Document.blank(64, 48)
    assert (doc.width, doc.height) == (64, 48)
    assert doc.mask.shape == (48, 64) and doc.mask.dtype == np.uint8
    assert doc.suggested_mode() == "txt2img"
    doc = Document.from_image(np.zeros((48, 64, 3), np.uint8))
    assert doc.suggested_mode() == "img2img"
    doc.mask[10, 10] = 255
    assert doc.suggested_mode() == "inpaint"


def test_stroke_paints_along_segment_without_gaps_and_patch_undoes_it():
    doc = Document.blank(200, 50)
    doc.begin_stroke()
    doc.stroke_to((10, 25), (190, 25), radius=3, hardness=1.0, include_start=True)
    patch = doc.end_stroke()
    assert patch is not None
    assert (doc.mask[25, 10:191] == 255).all(), "a fast drag must leave no gaps"
    assert doc.mask[5, 100] == 0 and doc.mask[45, 100] == 0
    patch.revert(doc)
    assert not doc.mask.any()
    patch.apply(doc)
    assert (doc.mask[25, 10:191] == 255).all()


def test_eraser_lowers_and_soft_brush_falls_off():
    doc = Document.blank(64, 64)
    doc.mask[:] = 255
    doc.begin_stroke()
    doc.stroke_to((32, 32), (32, 32), radius=8, hardness=1.0, erase=True, include_start=True)
    doc.end_stroke()
    assert doc.mask[32, 32] == 0 and doc.mask[0, 0] == 255
    cover = brush.dab(10, 0.0)
    centre = cover.shape[0] // 2
    assert cover[centre, centre] == 255
    assert 0 < cover[centre, centre + 8] < 255
    assert cover[0, 0] == 0


def test_stroke_that_changes_nothing_gives_no_patch():
    doc = Document.blank(32, 32)
    doc.begin_stroke()
    doc.stroke_to((16, 16), (16, 16), 4, 1.0, erase=True, include_start=True)
    assert doc.end_stroke() is None


def test_invert_clear_select_all_are_reversible():
    doc = Document.blank(16, 16)
    doc.mask[2:5, 2:5] = 200
    original = doc.mask.copy()
    inv = doc.invert_mask_edit()
    inv.apply(doc)
    assert np.array_equal(doc.mask, 255 - original)
    inv.revert(doc)
    assert np.array_equal(doc.mask, original)
    clear = doc.clear_mask_edit()
    clear.apply(doc)
    assert not doc.mask.any()
    clear.revert(doc)
    assert np.array_equal(doc.mask, original)
    fill = doc.select_all_edit()
    fill.apply(doc)
    assert (doc.mask == 255).all()
    assert doc.select_all_edit() is None


def test_replace_image_keeps_mask_when_same_size_and_undo_restores_exactly():
    before = np.random.default_rng(0).integers(0, 256, (32, 32, 3), dtype=np.uint8)
    doc = Document.from_image(before)
    doc.mask[0:8, 0:8] = 255
    after = np.zeros((32, 32, 3), np.uint8)
    params = GenerationParams(prompt="x", seed=3)
    edit = doc.replace_image_edit(after, params)
    edit.apply(doc)
    assert np.array_equal(doc.image, after) and doc.params == params
    assert doc.mask[0, 0] == 255
    edit.revert(doc)
    assert np.array_equal(doc.image, before) and doc.params is None
    bigger = doc.replace_image_edit(np.zeros((40, 48, 3), np.uint8), None)
    bigger.apply(doc)
    assert doc.mask.shape == (40, 48) and not doc.mask.any()
    bigger.revert(doc)
    assert doc.mask.shape == (32, 32) and doc.mask[0, 0] == 255


def test_blank_canvas_becomes_an_image_when_a_result_is_applied():
    doc = Document.blank(16, 16)
    edit = doc.replace_image_edit(np.zeros((16, 16, 3), np.uint8), None)
    edit.apply(doc)
    assert doc.has_image and doc.suggested_mode() == "img2img"
    edit.revert(doc)
    assert not doc.has_image


def test_to_rgb_composites_alpha_over_white_and_rejects_bad_shapes():
    rgba = np.zeros((2, 2, 4), np.uint8)
    assert (to_rgb(rgba) == 255).all()
    assert to_rgb(np.zeros((2, 2), np.uint8)).shape == (2, 2, 3)
    with pytest.raises(ValueError):
        to_rgb(np.zeros((2, 2, 2), np.uint8))
    with pytest.raises(ValueError):
        Document.blank(0, 5)
