"""Fault injection: the engine raising or running out of memory mid-job, and NaN decodes.

Each failure shows one clear message with a suggestion, leaves the document and the canvas's
pixels as they were, and the next job runs."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import torch

from studio.core.document import Document
from tests.qt.conftest import small_params
from tests.qt.fakes import FakeEngine


class FaultyEngine(FakeEngine):
    """Streams two steps with previews, waits for the test, then raises `fault` (once)."""

    def __init__(self) -> None:
        super().__init__(step_delay=0.0)
        self.fault: BaseException | None = None
        self.release = threading.Event()
        self.memory_released = 0

    def generate(self, params, image=None, mask=None, on_step=None, on_result=None, cancel=None):
        fault, self.fault = self.fault, None
        if fault is None:
            return super().generate(params, image, mask, on_step, on_result, cancel)
        self.calls.append(params)
        h, w = params.height // 8, params.width // 8
        for step in (1, 2):
            on_step(_report(step, params.steps, np.full((h, w, 3), 250, np.uint8)))
        self.release.wait(10)
        raise fault

    def release_memory(self) -> None:
        self.memory_released += 1


def _report(step, total, preview):
    from studio.engine.types import StepReport

    return StepReport(0, 1, step, total, preview, 0.1)


def _picture() -> np.ndarray:
    yy, xx = np.mgrid[0:64, 0:64]
    return np.stack([xx * 4, yy * 4, np.full_like(xx, 90)], axis=2).astype(np.uint8)


@pytest.fixture
def faulty_window(qtbot):
    from studio.app import create_window

    engine = FaultyEngine()
    win = create_window(lambda: engine)
    qtbot.addWidget(win)
    win.resize(900, 700)
    win.show()
    qtbot.waitExposed(win)
    yield win, engine
    engine.release.set()
    win.close()


FAULTS = {
    "engine exception": (RuntimeError("index 3 is out of bounds"), ("index 3 is out of bounds",)),
    "CPU MemoryError": (MemoryError(), ("ran out of memory", "smaller size", "lower precision")),
    "CUDA OOM": (
        torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB"),
        ("GPU ran out of memory", "smaller size", "lower precision"),
    ),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_fault_mid_job_is_reported_keeps_canvas_and_next_job_runs(qtbot, faulty_window, fault):
    win, engine = faulty_window
    exception, words = FAULTS[fault]
    win.set_document(Document.from_image(_picture()))
    small_params(win, size=64, steps=4)
    qtbot.wait(50)
    before_doc = win.document.image.copy()
    before_canvas = win.canvas.grab().toImage()
    edits = win.undo_stack.count()

    engine.fault = exception
    with qtbot.waitSignal(win.controller.job_finished, timeout=10_000) as finished:
        win.generate()
        qtbot.waitUntil(lambda: win.generation.previews_painted >= 1, timeout=5_000)
        assert win.canvas.previewing  # the fault strikes while a preview covers the canvas
        engine.release.set()
    assert finished.args[1] == "failed"

    message = win.last_error or ""
    assert "\n" not in message and message.startswith("generation failed: ")
    for word in words:
        assert word in message
    assert win._error_box is not None and win._error_box.isVisible()
    assert win._error_box.text() == message
    assert engine.memory_released == 1
    assert not win.canvas.previewing and win.strip.count() == 0
    np.testing.assert_array_equal(win.document.image, before_doc)
    assert win.canvas.grab().toImage() == before_canvas
    assert win.undo_stack.count() == edits

    with qtbot.waitSignal(win.controller.job_finished, timeout=10_000) as finished:
        win.generate()
    assert finished.args[1] == "done" and win.strip.count() == 1


# --- the real engine (tiny model) with faults injected into torch modules -----------------


@pytest.fixture
def tiny_window(qtbot, engine):
    from studio.app import create_window

    win = create_window(lambda: engine)
    qtbot.addWidget(win)
    win.resize(900, 700)
    win.show()
    yield win
    win.close()


def _run(qtbot, win) -> str:
    with qtbot.waitSignal(win.controller.job_finished, timeout=120_000) as finished:
        win.generate()
    return finished.args[1]


def test_memory_error_inside_the_unet_then_the_next_job_runs(qtbot, tiny_window, monkeypatch):
    from diffusers import UNet2DConditionModel

    win = tiny_window
    win.set_document(Document.from_image(_picture()))
    before = win.document.image.copy()
    small_params(win, size=64, steps=3)
    forward = UNet2DConditionModel.forward
    calls = []

    def failing_forward(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise MemoryError()
        return forward(self, *args, **kwargs)

    monkeypatch.setattr(UNet2DConditionModel, "forward", failing_forward)
    assert _run(qtbot, win) == "failed"
    assert "ran out of memory" in win.last_error and "smaller size" in win.last_error
    np.testing.assert_array_equal(win.document.image, before)
    assert win.strip.count() == 0
    assert _run(qtbot, win) == "done" and win.strip.count() == 1


def test_nan_decode_is_reported_not_shown_as_a_black_result(qtbot, tiny_window, monkeypatch):
    from diffusers import AutoencoderKL

    win = tiny_window
    small_params(win, size=64, steps=2)
    decode = AutoencoderKL.decode

    def nan_decode(self, *args, **kwargs):
        out = decode(self, *args, **kwargs)
        (out[0] if isinstance(out, tuple) else out.sample).fill_(float("nan"))
        return out

    monkeypatch.setattr(AutoencoderKL, "decode", nan_decode)
    assert _run(qtbot, win) == "failed"
    assert "NaN" in win.last_error and "float32" in win.last_error
    assert win.strip.count() == 0 and not win.canvas.previewing
    monkeypatch.setattr(AutoencoderKL, "decode", decode)
    assert _run(qtbot, win) == "done" and win.strip.count() == 1
    assert win.strip.variations()[0].image.std() > 0
