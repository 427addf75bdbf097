"""Settings ▸ Backend: the choice is saved in settings.json and reaches the running engine."""

from __future__ import annotations

import json
import os
from pathlib import Path

from studio.core.settings import Settings


def _settings_file() -> Path:
    return Path(os.environ["STUDIO_CONFIG_DIR"]) / "settings.json"


def test_choosing_openvino_saves_it_and_tells_the_engine(qtbot, window, fake_engine, tmp_path):
    fake_engine.backend = "auto"
    _settings_file().write_text(json.dumps({"vae": {"*": "kept.safetensors"}}), encoding="utf-8")
    menu = window.backend_menu
    assert menu.actions_by_name["auto"].isChecked()  # nothing chosen yet: automatic
    menu.actions_by_name["openvino"].trigger()
    window.controller.start("tiny")  # the worker makes its engine after the choice

    assert menu.actions_by_name["openvino"].isChecked()
    assert not menu.actions_by_name["auto"].isChecked()
    saved = json.loads(_settings_file().read_text(encoding="utf-8"))
    assert saved == {"vae": {"*": "kept.safetensors"}, "backend": "openvino"}  # others kept
    assert Settings.load().backend == "openvino"
    qtbot.waitUntil(lambda: fake_engine.backend == "openvino", timeout=5000)
    assert "OpenVINO" in window.status.currentMessage()

    menu.grab().save(str(Path(os.environ.get("STUDIO_SHOTS", tmp_path)) / "backend-menu.png"))


def test_a_broken_settings_file_is_not_overwritten(qtbot, window):
    _settings_file().write_text("{not json", encoding="utf-8")
    errors: list[str] = []
    window.backend_menu._error = errors.append
    window.backend_menu.actions_by_name["torch"].trigger()
    assert _settings_file().read_text(encoding="utf-8") == "{not json"
    assert len(errors) == 1 and "settings.json" in errors[0]


def test_a_choice_reaches_an_engine_that_already_runs(qtbot, window, fake_engine):
    fake_engine.backend = "auto"
    window.controller.start("tiny")
    qtbot.waitUntil(lambda: "tiny" in fake_engine.loaded, timeout=5000)
    window.backend_menu.actions_by_name["torch"].trigger()
    qtbot.waitUntil(lambda: fake_engine.backend == "torch", timeout=5000)
