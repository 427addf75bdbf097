"""The Layers dock, sketching on layers and results applied as layers, with real events."""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from studio.core.document import Document
from tests.qt.conftest import small_params
from tests.qt.test_canvas import drag, setup_canvas, view_point


def _composite_at(window, x: int, y: int) -> tuple[int, int, int]:
    return tuple(int(v) for v in window.document.image[y, x])


def _shown_at(window, x: int, y: int) -> tuple[int, int, int]:
    return tuple(int(v) for v in window.canvas.rendered_image()[y, x])


def test_paint_a_stroke_on_a_new_layer_hide_it_and_undo(qtbot, window):
    setup_canvas(window)  # a grey picture, 256²
    panel = window.layers.panel
    panel.buttons["add"].click()
    assert len(window.document.layers) == 2 and panel.list.count() == 2
    panel.tools["paint"].click()
    window.layers._set_color((255, 0, 0))
    drag(qtbot, window, [(40, 128), (216, 128)])
    sketch = window.document.layers[1]
    assert tuple(sketch.pixels[128, 128]) == (255, 0, 0, 255)
    assert sketch.pixels[60, 128, 3] == 0, "only the stroke is painted"
    assert tuple(window.document.layers[0].pixels[128, 128, :3]) == (90, 90, 90)
    assert _composite_at(window, 128, 128) == (255, 0, 0) == _shown_at(window, 128, 128)
    top_item = panel.list.item(0)  # the top layer is listed first
    top_item.setCheckState(Qt.CheckState.Unchecked)  # the visibility box
    assert not sketch.visible
    assert _composite_at(window, 128, 128) == (90, 90, 90) == _shown_at(window, 128, 128)
    window.undo_stack.undo()  # show it again
    assert sketch.visible and _shown_at(window, 128, 128) == (255, 0, 0)
    window.undo_stack.undo()  # the stroke
    assert not sketch.pixels[..., 3].any() and _shown_at(window, 128, 128) == (90, 90, 90)
    window.undo_stack.undo()  # the layer
    assert len(window.document.layers) == 1 and panel.list.count() == 1


def test_alt_click_picks_the_colour_and_fill_floods_the_layer(qtbot, window):
    setup_canvas(window)
    window.layers.set_tool("paint")
    viewport = window.canvas.viewport()
    qtbot.mouseClick(
        viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.AltModifier,
        view_point(window, 100, 100),  # away from the edges (Alt+edge drag grows the canvas)
    )  # fmt: skip
    assert window.canvas.brush.color == (90, 90, 90) and window.undo_stack.count() == 0
    window.layers._set_color((0, 0, 200))
    window.layers.set_tool("fill")
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=view_point(window, 5, 5))
    assert _composite_at(window, 250, 250) == (0, 0, 200)
    window.undo_stack.undo()
    assert _composite_at(window, 250, 250) == (90, 90, 90)


def test_panel_operations_are_undoable_and_exact(qtbot, window):
    setup_canvas(window, 64, 64)
    panel, doc = window.layers.panel, window.document
    panel.buttons["add"].click()
    panel.buttons["duplicate"].click()
    assert [layer.name for layer in doc.layers] == ["Background", "Layer", "Layer copy"]
    panel.list.item(0).setText("Sky")  # rename in place
    assert doc.layers[2].name == "Sky"
    panel.blend.setCurrentIndex(panel.blend.findData("screen"))
    panel.blend.activated.emit(panel.blend.currentIndex())
    panel.opacity.setValue(40)
    panel.opacity.sliderReleased.emit()
    assert doc.layers[2].blend == "screen" and doc.layers[2].opacity == 0.4
    panel.list.moved.emit(2, 0)  # what a drag to the bottom reports
    assert window.document.layers[0].name == "Sky"
    count = window.undo_stack.count()
    for _ in range(count):
        window.undo_stack.undo()
    assert [layer.name for layer in window.document.layers] == ["Background"]
    assert panel.list.count() == 1 and not panel.buttons["delete"].isEnabled()


def test_dropping_a_file_adds_it_as_a_layer(qtbot, window, tmp_path):
    from studio.core.imagefiles import save_png

    setup_canvas(window, 128, 128)
    path = save_png(tmp_path / "ref.png", np.full((20, 30, 4), 200, np.uint8))
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(
        QPointF(10, 10), Qt.DropAction.CopyAction, data, Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    window.canvas.dropEvent(event)  # what Qt calls when a file is dropped on the canvas
    doc = window.document
    assert window.last_error is None
    assert (doc.width, doc.height) == (128, 128) and len(doc.layers) == 2
    assert doc.layers[1].name == "ref" and doc.layers[1].pixels.shape == (20, 30, 4)
    assert window.undo_stack.count() == 1


def test_an_applied_inpaint_is_a_new_layer_transparent_outside_the_masks_reach(qtbot, engine):
    """The real tiny model: the engine pastes the original back outside the mask, so the
    result layer is opaque only around the mask and the picture below stays whole."""
    from studio.app import create_window

    win = create_window(lambda: engine)
    qtbot.addWidget(win)
    win.show()
    try:
        rng = np.random.default_rng(0)
        original = rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)
        win.set_document(Document.from_image(original))
        win.document.mask[24:40, 24:40] = 255
        win.canvas.refresh_mask(None)
        small_params(win, steps=2)
        win.update_mode()
        assert win.panel.params().mode == "inpaint"
        started = time.perf_counter()
        with qtbot.waitSignal(win.controller.job_finished, timeout=120_000) as finished:
            job_id = win.generate()
        assert finished.args == [job_id, "done"], win.last_error
        assert time.perf_counter() - started < 60
        variation = win.strip.variations()[0]
        win.apply_variation(variation)
        doc = win.document
        layer = doc.active_layer
        assert len(doc.layers) == 2 and layer.kind == "result"
        assert f"seed {variation.params.seed}" in layer.name
        reach = max(16, 4 * variation.params.mask_blur)
        outside = np.ones((64, 64), bool)
        outside[24 - reach : 40 + reach, 24 - reach : 40 + reach] = False
        assert (layer.pixels[outside, 3] == 0).all(), "outside the mask's reach: transparent"
        assert (layer.pixels[28:36, 28:36, 3] == 255).all()
        assert np.array_equal(doc.layers[0].pixels[..., :3], original), "the layer below is intact"
        assert np.array_equal(doc.image, variation.image)
        assert not doc.has_mask(), "the mask no longer covers the result"
        win.undo_stack.undo()  # one step: the layer and the mask come back together
        assert len(doc.layers) == 1 and win.document.mask[30, 30] == 255
    finally:
        win.close()
