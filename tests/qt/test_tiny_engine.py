"""The window driving the real engine with the built-in `tiny` model (torch on CPU)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest

from tests.qt.conftest import small_params


@pytest.fixture
def tiny_window(qtbot, engine):
    """The window wired to the session's shared Engine (the tiny model loads once)."""
    from studio.app import create_window

    win = create_window(lambda: engine)
    qtbot.addWidget(win)
    win.resize(1000, 700)
    win.show()
    yield win
    win.close()


def test_generate_on_tiny_emits_one_preview_per_step_and_fills_strip(qtbot, tiny_window):
    win = tiny_window
    small_params(win, size=64, steps=4)
    reports = []
    win.controller.step.connect(lambda job_id, report: reports.append(report))
    with qtbot.waitSignal(win.controller.job_finished, timeout=120_000) as finished:
        job_id = win.generate()
    assert finished.args == [job_id, "done"], win.last_error
    assert [r.step for r in reports] == [1, 2, 3, 4]
    assert all(r.total == 4 for r in reports)
    assert all(isinstance(r.preview, np.ndarray) and r.preview.dtype == np.uint8 for r in reports)
    # Painting is coalesced to the newest preview: with a warm engine all four steps can arrive
    # before the GUI paints, so painting itself is covered by the gated tests in
    # test_generation.py; here the real engine must deliver one preview per step.
    assert win.strip.count() == 1
    variation = win.strip.variations()[0]
    assert variation.image.shape[:2] == (64, 64)
    assert variation.params.seed == 7 and variation.params.model == "tiny"


def test_closing_during_generation_cancels_within_one_step(qtbot, tiny_window, engine, monkeypatch):
    win = tiny_window
    unet = engine.load("tiny").base.unet
    calls = []
    forward = unet.forward
    monkeypatch.setattr(unet, "forward", lambda *a, **k: calls.append(1) or forward(*a, **k))
    small_params(win, size=128, steps=200)
    with qtbot.waitSignal(win.controller.job_started, timeout=120_000):
        win.generate()
    qtbot.waitUntil(lambda: win.generation.previews_painted >= 1, timeout=60_000)
    thread = win.controller.thread
    at_close = len(calls)
    win.close()  # returns once the worker has stopped
    assert not thread.isRunning()
    # the UNet call under way may finish; the next step never starts, nothing is decoded
    assert at_close <= len(calls) <= at_close + 1 < 200
    assert win.strip.count() == 0


def test_window_appears_before_torch_is_imported(tmp_path):
    """Building and showing the window must not import torch/diffusers (the worker does)."""
    code = textwrap.dedent(
        """
        import os, sys
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        os.environ["STUDIO_CONFIG_DIR"] = sys.argv[1]
        from PySide6.QtWidgets import QApplication
        app = QApplication([])
        from studio.app import create_window
        win = create_window()
        win.show()
        app.processEvents()
        heavy = ("torch", "diffusers", "transformers")
        print("heavy:", sorted(m for m in heavy if m in sys.modules))
        win.close()
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert "heavy: []" in out.stdout


def test_main_py_opens_an_image_and_quits(tmp_path):
    """`python main.py IMAGE` starts the real app (torch loads in the worker) and exits cleanly."""
    from PIL import Image

    image = tmp_path / "in.png"
    Image.fromarray(np.full((32, 48, 3), 77, np.uint8)).save(image)
    code = textwrap.dedent(
        """
        import os, sys, runpy
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        os.environ["STUDIO_CONFIG_DIR"] = sys.argv[2]
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication
        app = QApplication(["studio"])  # main() reuses it; the timer needs its event loop
        def check():
            tops = QApplication.topLevelWidgets()
            win = next(w for w in tops if w.objectName() == "StudioMainWindow")
            doc = win.document
            print("size:", doc.width, doc.height, doc.has_image, flush=True)
            win.close()
        QTimer.singleShot(0, check)  # runs once the event loop starts
        sys.argv = ["main.py", sys.argv[1]]
        runpy.run_path("main.py", run_name="__main__")
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(image), str(tmp_path)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert "size: 48 32 True" in out.stdout, out.stderr
    assert out.returncode == 0, out.stderr
