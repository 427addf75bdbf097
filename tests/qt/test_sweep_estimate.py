"""The sweep dialog's time estimate comes from the speed measured on recent images (the
generation presenter's), and says it is unknown before the first image."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from studio.core.speed import SpeedMeter
from tests.qt.conftest import small_params
from tests.qt.test_variations_grid import generate_n


def _dialog(window, size: int = 512):
    small_params(window, size=size, steps=20, seed=5)
    window.panel.prompt.setPlainText("a castle on a hill")
    dialog = window.sweeps.open()
    dialog.set_axis(0, "cfg", "4, 7, 10")
    dialog.set_axis(1, "steps", "10-30 (+10)")  # 3 x (10 + 20 + 30) = 180 steps at 512x512
    dialog.set_axis(2, "—", "")
    return dialog


def test_before_any_image_the_time_is_unknown(qtbot, window):
    dialog = _dialog(window)
    assert dialog.summary.text() == (
        "9 images (a 3x3 grid, 180 denoising steps), time unknown until the first image"
    )


def test_the_estimate_follows_a_measured_speed(qtbot, window):
    meter = SpeedMeter()
    meter.record((1, 0), "tiny", 10, 15.0, 256, 256)  # 1.5 s a step at 256², 6 s at 512²
    window.generation.speed = meter
    dialog = _dialog(window)
    # 180 steps x 6 s = 18 min
    assert dialog.summary.text().endswith(", about 18 min (measured 0.17 it/s at 512×512)")
    meter.record((2, 0), "tiny", 10, 1.0, 512, 512)
    meter.record((3, 0), "tiny", 10, 1.0, 512, 512)  # the median is now 0.1 s a step
    window.sweeps.refresh()
    assert dialog.summary.text().endswith(", under a minute (measured 10 it/s at 512×512)")
    window.panel.model.setCurrentText("mini")  # another model: its speed is not known
    assert window.sweeps.refresh() is not None
    assert dialog.summary.text().endswith("time unknown until the first image")


def test_a_large_sweep_asks_with_the_measured_estimate(qtbot, window, monkeypatch):
    meter = SpeedMeter()
    meter.record((1, 0), "tiny", 20, 20.0, 512, 512)  # 1 s a step
    window.generation.speed = meter
    dialog = _dialog(window)
    dialog.set_axis(0, "seed", "1-65")
    dialog.set_axis(1, "—", "")
    asked: list[str] = []

    def question(_parent, _title, text, *_a):
        asked.append(text)
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", question)
    assert window.sweeps.run() is None
    assert asked == [
        "This sweep renders 65 images (a 65x1 grid, 1300 denoising steps), about 22 min "
        "(measured 1 it/s at 512×512). Run it?"
    ]


def test_generating_measures_the_speed_the_dialog_uses(qtbot, window):
    dialog = _dialog(window, size=64)
    assert dialog.summary.text().endswith("time unknown until the first image")
    generate_n(qtbot, window, 1, seed=3)  # the fake engine reports real elapsed times
    assert window.generation.speed.seconds_per_step_512("tiny") is not None
    assert "(measured " in dialog.summary.text()  # refreshed when the job finished


def test_a_sweeps_cells_are_measured_with_their_own_model(qtbot, window, tmp_path):
    dialog = _dialog(window, size=64)
    dialog.folder.setText(str(tmp_path))
    window.panel.steps.setValue(2)
    dialog.set_axis(0, "model", "tiny-inpaint")  # the base model stays "tiny"
    dialog.set_axis(1, "—", "")
    with qtbot.waitSignal(window.controller.job_finished, timeout=20_000) as finished:
        dialog.run_button.click()
    assert finished.args[1] == "done", window.last_error
    speed = window.generation.speed
    assert speed.seconds_per_step_512("tiny-inpaint") is not None
    assert speed.seconds_per_step_512("tiny") is None
