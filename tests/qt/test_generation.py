"""Generating through the real worker thread with a fast fake engine (same contract)."""

from __future__ import annotations

import threading

import numpy as np
from PySide6.QtCore import Qt

from studio.core.document import Document
from tests.qt.conftest import small_params


def test_generate_streams_previews_and_result_lands_in_strip(qtbot, window, fake_engine):
    small_params(window, steps=4)
    steps: list[tuple[int, int]] = []
    window.controller.step.connect(lambda job_id, report: steps.append((report.step, report.total)))
    with qtbot.waitSignal(window.controller.job_finished, timeout=5000) as finished:
        job_id = window.generate()
    assert finished.args == [job_id, "done"]
    assert steps == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert window.strip.count() == 1
    variation = window.strip.variations()[0]
    assert variation.params.seed == 7 and variation.image.shape == (64, 64, 3)
    assert "Seed: 7" in window.strip.item(0).toolTip().replace("<br>", "\n")
    assert fake_engine.thread_names and fake_engine.thread_names[0] != threading.main_thread().name
    # the finished result stays on the canvas as a preview (not blank) until applied or Esc
    assert window.canvas.previewing and window.showing_variation is variation
    assert window.strip.currentRow() == 0, "the strip highlights what the canvas shows"
    assert window.panel.last_seed == 7
    assert not window.document.has_image, "previewing does not commit"


def test_previews_are_painted_on_the_canvas(qtbot, window, fake_engine):
    small_params(window, steps=3)
    fake_engine.step_gate = threading.Event()  # hold the job after its first step
    window.generate()
    qtbot.waitUntil(lambda: window.generation.previews_painted >= 1, timeout=5000)
    shown = window.canvas.rendered_image()
    assert (shown == 20).all(), "step 1's preview (value 20) covers the canvas"
    fake_engine.step_gate.set()
    qtbot.waitUntil(lambda: not window.controller.busy, timeout=5000)


def test_inpaint_preview_only_inside_mask(qtbot, window, fake_engine):
    original = np.full((64, 64, 3), 200, np.uint8)
    window.set_document(Document.from_image(original))
    window.document.mask[16:48, 16:48] = 255
    window.update_mode()
    small_params(window, steps=3)
    assert window.panel.effective_mode() == "inpaint"
    fake_engine.step_gate = threading.Event()
    window.generate()
    qtbot.waitUntil(lambda: window.generation.previews_painted >= 1, timeout=5000)
    shown = window.canvas.rendered_image()
    assert (shown[20:44, 20:44] == 20).all(), "inside the mask: the preview"
    assert (shown[0:10, 0:64] == 200).all(), "outside the mask: the untouched image"
    fake_engine.step_gate.set()
    qtbot.waitUntil(lambda: not window.controller.busy, timeout=5000)
    assert fake_engine.calls[0].mode == "inpaint"


def test_cancel_mid_run_leaves_document_unchanged_and_next_job_runs(qtbot, window, fake_engine):
    original = np.random.default_rng(1).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    window.set_document(Document.from_image(original))
    small_params(window, steps=4)
    before_canvas = window.canvas.rendered_image()
    fake_engine.step_gate = threading.Event()
    outcomes: list[tuple[int, str]] = []
    window.controller.job_finished.connect(lambda i, o: outcomes.append((i, o)))
    first = window.generate()
    second = window.generate()
    qtbot.waitUntil(lambda: window.generation.previews_painted >= 1, timeout=5000)
    assert window.canvas.previewing
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, Qt.Key.Key_Escape)  # Cancel
    fake_engine.step_gate.set()
    qtbot.waitUntil(lambda: len(outcomes) == 2, timeout=5000)
    assert outcomes == [(first, "cancelled"), (second, "done")]
    assert window.strip.count() == 1 and window.strip.variations()[0].job_id == second
    assert np.array_equal(window.document.image, original)
    assert not window.document.mask.any()
    assert window.undo_stack.count() == 0
    # the second job's result stays on the canvas; Esc (nothing running) takes it off
    assert np.array_equal(window.canvas.rendered_image(), window.strip.variations()[0].image)
    qtbot.keyClick(window.canvas, Qt.Key.Key_Escape)
    assert not window.canvas.previewing and window.undo_stack.count() == 0
    assert np.array_equal(window.canvas.rendered_image(), before_canvas)


def test_three_queued_jobs_run_in_order(qtbot, window, fake_engine):
    small_params(window, steps=2)
    finished: list[int] = []
    window.controller.job_finished.connect(lambda i, o: finished.append(i) if o == "done" else None)
    ids = []
    for seed in (11, 12, 13):
        window.panel.seed.setValue(seed)
        ids.append(window.generate())
    assert len(window.controller.pending()) == 2, "the 2nd and 3rd wait while the 1st runs"
    assert len(window.queue_view.pending_ids()) == 2
    qtbot.waitUntil(lambda: len(finished) == 3, timeout=10000)
    assert finished == ids
    assert [p.seed for p in fake_engine.calls] == [11, 12, 13]
    assert [v.params.seed for v in window.strip.variations()] == [11, 12, 13]
    assert window.queue_view.pending_ids() == []


def test_pending_job_can_be_removed(qtbot, window, fake_engine):
    small_params(window, steps=2)
    fake_engine.step_gate = threading.Event()
    first = window.generate()
    second = window.generate()
    third = window.generate()
    assert window.queue_view.pending_ids() == [second, third]
    window.queue_view.list.setCurrentRow(1)  # row 0 is the running job
    window.queue_view.remove_button.click()
    assert window.queue_view.pending_ids() == [third]
    fake_engine.step_gate.set()
    qtbot.waitUntil(lambda: not window.controller.busy, timeout=5000)
    assert [v.job_id for v in window.strip.variations()] == [first, third]


def test_applying_a_result_changes_canvas_and_undo_restores_exactly(qtbot, window):
    original = np.random.default_rng(2).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    window.set_document(Document.from_image(original))
    small_params(window, steps=2)
    with qtbot.waitSignal(window.controller.job_finished, timeout=5000):
        window.generate()
    result = window.strip.variations()[0].image
    assert np.array_equal(window.canvas.rendered_image(), result), "the result stays shown"
    assert np.array_equal(window.document.image, original), "previewing must not commit"
    window.cancel()  # Esc: back to the document
    before = window.canvas.rendered_image()
    assert np.array_equal(before, original) and not window.canvas.previewing
    window.strip.setCurrentRow(-1)
    window.strip.setCurrentRow(0)  # click: preview only
    assert window.canvas.previewing
    assert np.array_equal(window.document.image, original), "previewing must not commit"
    qtbot.keyClick(window.strip, Qt.Key.Key_Return)  # Enter applies
    result = window.strip.variations()[0].image
    assert np.array_equal(window.document.image, result)
    after = window.canvas.rendered_image()
    assert np.array_equal(after, result) and not np.array_equal(after, before)
    assert window.document.params is not None and window.document.params.mode == "img2img"
    window.undo_stack.undo()
    assert np.array_equal(window.document.image, original)
    assert np.array_equal(window.canvas.rendered_image(), original)


def test_txt2img_on_blank_canvas_then_double_click_applies(qtbot, window):
    assert window.panel.auto_mode == "txt2img"
    small_params(window, size=96, steps=2)
    with qtbot.waitSignal(window.controller.job_finished, timeout=5000):
        window.generate()
    item = window.strip.item(0)
    rect = window.strip.visualItemRect(item)
    viewport = window.strip.viewport()
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.canvas.previewing and not window.document.has_image, "a click only previews"
    qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.document.has_image and window.document.width == 96
    assert window.panel.auto_mode == "img2img"
    window.undo_stack.undo()
    assert not window.document.has_image and window.document.width == 512


def test_engine_errors_are_shown_and_app_stays_usable(qtbot, window, fake_engine):
    small_params(window, steps=2)
    fake_engine.fail_with = RuntimeError("out of memory")
    with qtbot.waitSignal(window.controller.job_finished, timeout=5000) as finished:
        window.generate()
    assert finished.args[1] == "failed"
    assert "out of memory" in (window.last_error or "")
    fake_engine.fail_with = None
    with qtbot.waitSignal(window.controller.job_finished, timeout=5000) as finished:
        window.generate()
    assert finished.args[1] == "done" and window.strip.count() == 1


def test_missing_model_is_a_clear_message(qtbot, window, fake_engine):
    small_params(window, model="missing", steps=2)
    with qtbot.waitSignal(window.controller.job_finished, timeout=5000) as finished:
        window.generate()
    assert finished.args[1] == "failed"
    assert window.last_error == "model 'missing' was not found; see `studio models`"
    assert window.strip.count() == 0 and not window.controller.busy


def test_inpaint_without_mask_and_img2img_without_image_are_refused(qtbot, window):
    small_params(window)
    window.panel.mode.setCurrentIndex(window.panel.mode.findData("inpaint"))
    assert window.generate() is None
    assert "needs an image" in window.last_error
    window.set_document(Document.from_image(np.zeros((64, 64, 3), np.uint8)))
    assert window.generate() is None
    assert "mask" in window.last_error
    assert not window.controller.busy


def test_reuse_parameters_fills_the_panel(qtbot, window):
    small_params(window, steps=3, seed=99, prompt="castle on a cliff")
    with qtbot.waitSignal(window.controller.job_finished, timeout=5000):
        window.generate()
    window.panel.prompt.setPlainText("something else")
    window.panel.steps.setValue(30)
    window.strip.setCurrentRow(0)
    window.actions_["reuse"].trigger()
    assert window.panel.prompt.toPlainText() == "castle on a cliff"
    assert window.panel.steps.value() == 3 and int(window.panel.seed.value()) == 99
