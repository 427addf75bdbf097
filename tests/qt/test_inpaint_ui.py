"""Inpaint/outpaint in the window: context box, panel settings, live previews, expand canvas."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from studio.core.document import Document
from studio.core.inpaint.plan import context_box_for_mask
from studio.engine.types import GenerationResult, StepReport
from studio.ui.inpaint.expand_canvas import ExpandCanvasDialog
from studio.ui.inpaint.tools import guess_native
from tests.qt.conftest import small_params
from tests.qt.fakes import FakeEngine, fake_pixels


class InpaintFakeEngine(FakeEngine):
    """The fake engine with the inpaint/outpaint contract the window relies on: it reports a
    native size on load, records inputs, sends boxed previews and returns the right sizes."""

    def __init__(self, native: int = 64, preview_box=None) -> None:
        super().__init__()
        self.native = native
        self.preview_box = preview_box
        self.images: list[np.ndarray | None] = []
        self.masks: list[np.ndarray | None] = []

    def load(self, model="tiny", device="auto", dtype="auto"):
        super().load(model, device, dtype)
        return SimpleNamespace(native_size=self.native)

    def generate(self, params, image=None, mask=None, on_step=None, on_result=None, cancel=None):
        self.images.append(None if image is None else image.copy())
        self.masks.append(None if mask is None else mask.copy())
        if params.mode not in ("inpaint", "outpaint") or image is None:
            return super().generate(params, image, mask, on_step, on_result, cancel)
        self.calls.append(params)
        left, top, right, bottom = params.extend if params.mode == "outpaint" else (0, 0, 0, 0)
        height, width = image.shape[0] + top + bottom, image.shape[1] + left + right
        for step in range(1, params.steps + 1):
            if step > 1 and self.step_gate is not None:
                self.step_gate.wait(120)  # a hang guard, never the expected path
            if cancel is not None and cancel.is_set():
                from studio.core.errors import Cancelled

                raise Cancelled()
            if on_step:
                box = self.preview_box
                size = (box[3] - box[1], box[2] - box[0]) if box else (8, 8)
                preview = np.full((*size, 3), 20, np.uint8)
                on_step(StepReport(0, 1, step, params.steps, preview, 0.01, box))
        out = fake_pixels(params.replace(width=width, height=height), params.seed)
        result = GenerationResult(out, params.replace(count=1))
        if on_result:
            on_result(result)
        return [result]


@pytest.fixture
def fake_engine() -> InpaintFakeEngine:
    return InpaintFakeEngine()


def photo(width: int, height: int, seed: int = 3) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)


def view_point(window, x: float, y: float) -> QPoint:
    return window.canvas.mapFromScene(QPointF(x, y))


def paint_stroke(qtbot, window, points) -> None:
    viewport = window.canvas.viewport()
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=view_point(window, *points[0]))
    for x, y in points[1:]:
        qtbot.mouseMove(viewport, pos=view_point(window, x, y))
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=view_point(window, *points[-1]))


def expected_box(window, native: int):
    inpaint = window.panel.inpaint
    return context_box_for_mask(
        window.document.mask,
        native=(native, native),
        padding=inpaint.padding.value(),
        blur=inpaint.feather.value(),
        grow=inpaint.grow.value(),
        area=str(inpaint.area.currentData()),
    )


# --- context box -------------------------------------------------------------------------
def test_context_box_follows_the_painted_mask_and_the_panel(qtbot, window):
    window.set_document(Document.from_image(photo(320, 240)))
    item = window.inpaint_tools.context.item
    window.inpaint_tools.context.update_now()
    assert not item.isVisible(), "no mask, no context box"

    window.canvas.brush.size = 12
    paint_stroke(qtbot, window, [(200, 100), (230, 120)])
    assert window.document.has_mask()
    qtbot.waitUntil(lambda: item.isVisible(), timeout=2000)
    native = guess_native("tiny")
    assert native == 64
    box = expected_box(window, native)
    assert box is not None and item.box == box
    assert item.rect().toRect().getCoords()[:2] == (box.x0, box.y0)
    assert item.text.startswith("Repaints a") and f"{box.width}×{box.height} area" in item.text

    # a bigger padding grows the box, exactly as the engine will compute it
    window.panel.inpaint.padding.setValue(80)
    qtbot.waitUntil(lambda: item.box != box, timeout=2000)
    bigger = expected_box(window, native)
    assert item.box == bigger and bigger.width > box.width

    # whole picture: the box is the whole image
    window.panel.inpaint.area.setCurrentIndex(window.panel.inpaint.area.findData("whole"))
    qtbot.waitUntil(lambda: item.box is not None and item.box.width == 320, timeout=2000)
    assert item.box.as_tuple() == (0, 0, 320, 240)

    # the box never mixes into rendered pixels, and goes away with the mask
    assert np.array_equal(window.canvas.rendered_image(), window.document.image)
    window.clear_mask()
    qtbot.waitUntil(lambda: not item.isVisible(), timeout=2000)
    window.undo_stack.undo()  # the mask is back, so is the box
    qtbot.waitUntil(lambda: item.isVisible(), timeout=2000)


def test_context_box_uses_the_native_size_the_worker_reports(qtbot, window, fake_engine):
    fake_engine.native = 160
    window.set_document(Document.from_image(photo(400, 300)))
    window.document.mask[140:160, 190:210] = 255
    window.update_mode()
    with qtbot.waitSignal(window.controller.native_size, timeout=5000) as reported:
        window.controller.start("tiny")
    assert reported.args == ["tiny", 160]
    item = window.inpaint_tools.context.item
    qtbot.waitUntil(lambda: item.box == expected_box(window, 160), timeout=2000)
    assert item.box.width >= 160 and item.box.height >= 160


# --- panel -> job params -----------------------------------------------------------------
def test_inpaint_panel_values_land_in_the_jobs_params(qtbot, window, fake_engine):
    original = photo(200, 152)
    window.set_document(Document.from_image(original))
    window.document.mask[50:90, 60:120] = 255
    window.update_mode()
    small_params(window, steps=4)
    inpaint = window.panel.inpaint
    inpaint.padding.setValue(48)
    inpaint.feather.setValue(9)
    inpaint.grow.setValue(6)
    inpaint.color_match.setChecked(True)
    window.panel.strength.setValue(0.6)
    with qtbot.waitSignal(window.controller.job_finished, timeout=5000) as finished:
        job_id = window.generate()
    assert finished.args == [job_id, "done"], window.last_error
    params = fake_engine.calls[0]
    assert params.mode == "inpaint" and params.inpaint_area == "masked"
    assert (params.padding, params.mask_blur, params.strength) == (48, 9, 0.6)
    assert params.extra["mask_grow"] == 6 and params.extra["color_match"] is True
    assert (params.width, params.height) == (64, 64), "only masked renders at the native size"
    assert np.array_equal(fake_engine.images[0], original)
    assert np.array_equal(fake_engine.masks[0], window.document.mask)

    # whole picture, defaults for grow/colour: the picture's own size and no extras
    inpaint.area.setCurrentIndex(inpaint.area.findData("whole"))
    inpaint.grow.setValue(0)
    inpaint.color_match.setChecked(False)
    with qtbot.waitSignal(window.controller.job_finished, timeout=5000):
        window.generate()
    whole = fake_engine.calls[1]
    assert whole.inpaint_area == "whole" and (whole.width, whole.height) == (200, 152)
    assert "mask_grow" not in whole.extra and "color_match" not in whole.extra

    # Reuse parameters fills the section back in
    window.panel.set_params(params)
    assert (inpaint.padding.value(), inpaint.feather.value(), inpaint.grow.value()) == (48, 9, 6)
    assert inpaint.color_match.isChecked() and inpaint.area.currentData() == "masked"


def test_live_inpaint_preview_is_drawn_in_its_box_and_inside_the_mask_only(
    qtbot, window, fake_engine
):
    window.set_document(Document.from_image(np.full((128, 128, 3), 200, np.uint8)))
    window.document.mask[40:80, 40:80] = 255
    window.update_mode()
    fake_engine.preview_box = (32, 32, 96, 96)
    fake_engine.step_gate = threading.Event()
    small_params(window, steps=3)
    window.generate()
    qtbot.waitUntil(lambda: window.generation.previews_painted >= 1, timeout=5000)
    shown = window.canvas.rendered_image()
    assert (shown[42:78, 42:78] == 20).all(), "inside the mask: the preview"
    assert (shown[34:38, 34:94] == 200).all(), "inside the box but outside the mask: untouched"
    assert (shown[0:30] == 200).all() and (shown[100:] == 200).all(), "outside the box"
    fake_engine.step_gate.set()
    qtbot.waitUntil(lambda: not window.controller.busy, timeout=5000)


# --- expand canvas / outpaint ------------------------------------------------------------
def test_expand_canvas_runs_an_outpaint_of_the_original_and_undo_restores_exactly(
    qtbot, window, fake_engine
):
    original = photo(72, 48)
    window.set_document(Document.from_image(original))
    small_params(window, steps=3)
    with qtbot.waitSignal(window.controller.job_finished, timeout=5000) as finished:
        job_id = window.inpaint_tools.expand((16, 0, 40, 8))
    assert finished.args == [job_id, "done"], window.last_error
    # the document grew at once (undoable), the original sitting at (left, top)
    assert (window.document.width, window.document.height) == (128, 56)
    assert np.array_equal(window.document.image[0:48, 16:88], original)
    assert window.canvas.shown_size == (128, 56)
    # the job outpainted the ORIGINAL image by the extents
    params = fake_engine.calls[0]
    assert params.mode == "outpaint" and params.extend == (16, 0, 40, 8)
    assert params.strength == 1.0 and (params.width, params.height) == (64, 64)
    assert np.array_equal(fake_engine.images[0], original)
    # the result is a variation; applying it gives input + extents
    assert window.strip.count() == 1
    variation = window.strip.variations()[0]
    assert variation.image.shape == (56, 128, 3)
    window.apply_variation(variation)
    assert np.array_equal(window.document.image, variation.image)
    window.undo_stack.undo()  # the applied result
    assert (window.document.width, window.document.height) == (128, 56)
    window.undo_stack.undo()  # the expansion
    assert window.document.image.shape == original.shape
    assert np.array_equal(window.document.image, original)
    assert window.canvas.shown_size == (72, 48)
    window.undo_stack.redo()
    assert (window.document.width, window.document.height) == (128, 56)


def test_expand_keeps_the_mask_in_place_and_blank_canvas_just_grows(qtbot, window, fake_engine):
    window.set_document(Document.blank(64, 64))
    assert window.inpaint_tools.expand((8, 8, 8, 8)) is None, "nothing to outpaint on a blank"
    assert (window.document.width, window.document.height) == (80, 80)
    assert not fake_engine.calls and not window.controller.busy
    window.set_document(Document.from_image(photo(64, 64)))
    window.document.mask[10:20, 10:20] = 255
    window.inpaint_tools.expand((0, 24, 0, 0), outpaint=False)
    assert window.document.height == 88
    assert (window.document.mask[34:44, 10:20] == 255).all()
    assert window.document.mask[:24].sum() == 0


def alt_mouse(viewport, kind: QEvent.Type, pos: QPoint, buttons) -> None:
    button = Qt.MouseButton.LeftButton if kind != QEvent.Type.MouseMove else Qt.MouseButton.NoButton
    event = QMouseEvent(
        kind,
        QPointF(pos),
        QPointF(viewport.mapToGlobal(pos)),
        button,
        buttons,
        Qt.KeyboardModifier.AltModifier,
    )
    QApplication.sendEvent(viewport, event)


def test_alt_drag_on_the_right_edge_grows_the_canvas_and_outpaints(qtbot, window, fake_engine):
    original = photo(96, 64)
    window.set_document(Document.from_image(original))
    small_params(window, steps=2)
    viewport = window.canvas.viewport()
    start = view_point(window, 96, 32)
    end = view_point(window, 96 + 44, 32)
    left = Qt.MouseButton.LeftButton
    alt_mouse(viewport, QEvent.Type.MouseButtonPress, start, left)
    alt_mouse(viewport, QEvent.Type.MouseMove, end, left)
    ghost = window.inpaint_tools.edge_drag.ghost
    assert ghost.isVisible() and ghost.rect().width() == pytest.approx(96 + 40, abs=8)
    with qtbot.waitSignal(window.controller.job_finished, timeout=5000):
        alt_mouse(viewport, QEvent.Type.MouseButtonRelease, end, Qt.MouseButton.NoButton)
    assert not ghost.isVisible()
    grown = 40  # 44 image px, snapped down to a multiple of 8
    assert (window.document.width, window.document.height) == (96 + grown, 64)
    assert fake_engine.calls[0].extend == (0, 0, grown, 0)
    assert not window.document.mask.any(), "an Alt+drag must not paint the mask"
    assert np.array_equal(fake_engine.images[0], original)


def test_expand_dialog_reads_four_sides_and_shows_the_new_size(qtbot):
    dialog = ExpandCanvasDialog((100, 50), (1, 2, 3, 4))
    qtbot.addWidget(dialog)
    assert dialog.extents() == (1, 2, 3, 4)
    dialog.boxes["left"].setValue(64)
    dialog.boxes["bottom"].setValue(0)
    assert dialog.extents() == (64, 2, 3, 0)
    assert "167 × 52" in dialog.picture.text()
    for box in dialog.boxes.values():
        box.setValue(0)
    ok = dialog.buttons.buttons()[0]
    assert not ok.isEnabled(), "nothing to add: OK is off"


# --- the real tiny model --------------------------------------------------------------------
def test_outpaint_on_tiny_keeps_the_original_away_from_the_band(qtbot, engine):
    from studio.app import create_window

    win = create_window(lambda: engine)
    qtbot.addWidget(win)
    win.show()
    try:
        original = photo(48, 40)
        win.set_document(Document.from_image(original))
        small_params(win, steps=2)
        with qtbot.waitSignal(win.controller.job_finished, timeout=120_000) as finished:
            job_id = win.inpaint_tools.expand((0, 0, 24, 0))
        assert finished.args == [job_id, "done"], win.last_error
        variation = win.strip.variations()[0]
        assert variation.image.shape == (40, 72, 3)
        win.apply_variation(variation)
        overlap = max(16, 4 * variation.params.mask_blur)
        keep = 48 - overlap
        assert np.array_equal(win.document.image[:, :keep], original[:, :keep])
        win.undo_stack.undo()
        win.undo_stack.undo()
        assert np.array_equal(win.document.image, original)
    finally:
        win.close()
