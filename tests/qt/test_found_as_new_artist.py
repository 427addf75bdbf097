"""Fixes for what a new artist ran into (issue 13), each with its own check."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

from studio.core.document import Document
from studio.core.imagefiles import save_png
from studio.core.params import GenerationParams
from tests.qt.conftest import small_params
from tests.qt.test_canvas import drag


def test_opening_an_image_with_transparency_keeps_it(qtbot, window, tmp_path):
    pixels = np.zeros((16, 24, 4), np.uint8)
    pixels[4:12, 4:12] = (200, 30, 30, 255)
    assert window.open_path(save_png(tmp_path / "cut-out.png", pixels))
    layer = window.document.layers[0]
    assert layer.pixels.shape == (16, 24, 4) and layer.pixels[0, 0, 3] == 0
    assert np.array_equal(layer.pixels, pixels)
    assert tuple(window.document.image[0, 0]) == (255, 255, 255)  # generation sees white there


def test_the_zoom_label_tells_the_truth_from_the_start(qtbot, window):
    shown = window.status.zoom.text()
    assert shown == f"{window.canvas.zoom * 100:.0f}%"
    window.canvas.fit()
    assert window.status.zoom.text() == f"{window.canvas.zoom * 100:.0f}%"


def test_applying_replaces_the_previewing_hint_in_the_status_bar(qtbot, window):
    small_params(window, steps=2)
    with qtbot.waitSignal(window.controller.job_finished, timeout=5000):
        window.generate()
    window.strip.setCurrentRow(0)
    assert "previewing seed" in window.status.currentMessage()
    window.results.apply_selected()
    assert "previewing" not in window.status.currentMessage()
    assert "applied seed 7" in window.status.currentMessage()


def _picture(value: int = 200) -> np.ndarray:
    pixels = np.full((64, 64, 3), value, np.uint8)
    pixels[::7] = (30, 90, 160)  # stripes, so a mix-up of images shows
    return pixels


def test_a_finished_job_stays_on_the_canvas_until_enter_or_esc(qtbot, window):
    original = _picture()
    window.set_document(Document.from_image(original))
    small_params(window, steps=2)
    with qtbot.waitSignal(window.controller.job_finished, timeout=5000):
        window.generate()
    result = window.strip.variations()[0].image
    assert np.array_equal(window.canvas.rendered_image(), result), "not back to the old canvas"
    assert np.array_equal(window.document.image, original) and window.undo_stack.count() == 0
    assert "previewing seed 7" in window.status.currentMessage()
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, Qt.Key.Key_Escape)  # dismiss
    assert np.array_equal(window.canvas.rendered_image(), original)
    assert "previewing" not in window.status.currentMessage()
    assert window.undo_stack.count() == 0

    window.panel.seed.setValue(8)
    with qtbot.waitSignal(window.controller.job_finished, timeout=5000):
        window.generate()
    second = window.strip.variations()[1]
    assert window.showing_variation is second and window.strip.currentRow() == 1
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, Qt.Key.Key_Return)  # apply
    assert np.array_equal(window.document.image, second.image)
    assert len(window.document.layers) == 2 and window.undo_stack.count() == 1
    assert not window.canvas.previewing
    assert "previewing" not in window.status.currentMessage()
    assert "applied seed 8" in window.status.currentMessage()
    window.undo_stack.undo()
    assert np.array_equal(window.document.image, original)
    assert np.array_equal(window.canvas.rendered_image(), original)


def test_a_failed_job_leaves_the_canvas_as_it_was(qtbot, window, fake_engine):
    original = _picture()
    window.set_document(Document.from_image(original))
    small_params(window, steps=2)
    fake_engine.fail_with = RuntimeError("boom")
    with qtbot.waitSignal(window.controller.job_finished, timeout=5000):
        window.generate()
    assert not window.canvas.previewing and window.showing_variation is None
    assert np.array_equal(window.canvas.rendered_image(), original)


def _inpaint_result(window, original: np.ndarray, mode: str = "inpaint"):
    """A result as the engine returns an inpaint: the original outside the mask's reach."""
    image = original.copy()
    image[16:40, 20:44] = (250, 20, 20)
    params = GenerationParams(prompt="red box", seed=5, mode=mode, width=64, height=64)
    return window.strip.add(image, params, 0)


def test_applying_an_inpaint_clears_the_mask_in_the_same_undo_step(qtbot, window):
    original = _picture()
    window.set_document(Document.from_image(original))
    window.document.mask[12:44, 16:48] = 255
    window.canvas.refresh_mask()
    mask = window.document.mask.copy()
    variation = _inpaint_result(window, original)
    window.strip.setCurrentRow(0)
    assert window.showing_variation is variation
    window.results.apply_selected()
    assert not window.document.has_mask(), "the pink mask no longer covers the result"
    assert np.array_equal(window.document.image, variation.image)
    assert window.undo_stack.count() == 1, "the layer and the mask clear are one step"
    assert window.panel.auto_mode != "inpaint"
    window.undo_stack.undo()
    assert np.array_equal(window.document.mask, mask)
    assert np.array_equal(window.document.image, original) and len(window.document.layers) == 1
    window.undo_stack.redo()
    assert not window.document.has_mask() and len(window.document.layers) == 2


def test_apply_onto_the_active_layer_paints_into_it_and_undo_is_exact(qtbot, window):
    original = _picture()
    window.set_document(Document.from_image(original))
    window.layers.run("add")  # an empty layer above the picture, selected
    window.layers.run("duplicate")  # a second one, so a new layer would make four
    window.model.set_active(1)
    target = window.document.layers[1]
    before = [layer.pixels.copy() for layer in window.document.layers]
    window.layers.apply_onto_action.trigger()  # Layers ▸ Apply results onto the selected layer
    assert window.layers.apply_onto_active
    assert window.settings.value("layers/apply_onto_active", type=bool) is True
    variation = _inpaint_result(window, original)
    steps = window.undo_stack.index()
    window.apply_variation(variation)
    assert window.undo_stack.index() == steps + 1, "one undo step"
    assert len(window.document.layers) == 3, "no layer added"
    assert window.document.layers[1] is target
    changed = np.zeros((64, 64), bool)
    changed[16:40, 20:44] = True
    assert (target.pixels[changed] == (250, 20, 20, 255)).all()
    assert np.array_equal(target.pixels[~changed], before[1][~changed]), "only the new pixels"
    assert np.array_equal(window.document.image, variation.image)
    assert "onto the selected layer" in window.status.currentMessage()
    window.undo_stack.undo()
    for layer, pixels in zip(window.document.layers, before, strict=True):
        assert np.array_equal(layer.pixels, pixels)
    assert np.array_equal(window.document.image, original)


def test_the_previewing_hint_goes_when_another_document_takes_the_canvas(qtbot, window):
    small_params(window, steps=2)
    with qtbot.waitSignal(window.controller.job_finished, timeout=5000):
        window.generate()
    assert "previewing seed 7" in window.status.currentMessage()
    window.set_document(Document.from_image(_picture()))
    assert window.showing_variation is None and not window.canvas.previewing
    assert "previewing" not in window.status.currentMessage()


def test_painting_while_a_result_is_shown_paints_on_the_visible_picture(qtbot, window):
    original = _picture()
    window.set_document(Document.from_image(original))
    small_params(window, steps=2)
    with qtbot.waitSignal(window.controller.job_finished, timeout=5000):
        window.generate()
    assert window.canvas.previewing
    window.canvas.brush.size = 6
    drag(qtbot, window, [(10, 32), (50, 32)])  # the mask brush
    assert window.document.mask[32, 12:48].all(), "the stroke landed on the document's mask"
    assert not window.canvas.previewing and window.showing_variation is None
    assert np.array_equal(window.canvas.rendered_image(), original), "the picture, not the result"
    assert window.strip.count() == 1 and "still in the strip" in window.status.currentMessage()
