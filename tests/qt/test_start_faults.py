"""The app starts with a corrupt settings file and a broken model folder: defaults, a notice in
the status bar, and generation works."""

from __future__ import annotations

import os
from pathlib import Path

from tests.broken_setup import broken_model_folder, write_settings
from tests.qt.conftest import small_params


def test_app_starts_with_corrupt_settings_and_a_broken_model_folder(qtbot, tmp_path, monkeypatch):
    from studio.app import create_window
    from studio.engine.api import Engine

    settings_file = write_settings(Path(os.environ["STUDIO_CONFIG_DIR"]), "bad JSON")
    models = broken_model_folder(tmp_path / "models")
    monkeypatch.setenv("STUDIO_MODEL_DIRS", str(models))
    win = create_window(lambda: Engine())
    qtbot.addWidget(win)
    win.show()
    notices = win.generation.notices
    win.controller.start("tiny")
    qtbot.waitUntil(lambda: win.generation.engine_state == "ready", timeout=120_000)
    qtbot.waitUntil(lambda: len(notices) >= 2, timeout=5_000)
    assert any(str(settings_file) in n and "using the default settings" in n for n in notices)
    assert str(settings_file) in win.status.toolTip()
    assert any("gone.safetensors" in n and "broken link" in n for n in notices)
    assert win.status.currentMessage().startswith("⚠ ")
    assert win.last_error is None  # a notice, not an error dialog
    listed = [win.panel.model.itemText(i) for i in range(win.panel.model.count())]
    assert "half-downloaded" in listed

    small_params(win, size=64, steps=2)
    with qtbot.waitSignal(win.controller.job_finished, timeout=120_000) as finished:
        win.generate()
    assert finished.args[1] == "done" and win.strip.count() == 1
    win.close()
