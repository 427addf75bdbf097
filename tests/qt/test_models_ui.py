"""Settings ▸ Models: first launch, the default model, downloads with progress in the window."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from safetensors.numpy import save_file

from studio.core.models.defaults import builtin_default
from studio.core.models.recommended import Recommended
from tests.fake_hub import FakeHub

SD1_KEYS = {
    "model.diffusion_model.input_blocks.0.0.weight": (8, 4, 3, 3),
    "cond_stage_model.transformer.text_model.final_layer_norm.weight": (8,),
}
PAYLOAD = np.random.default_rng(3).integers(0, 255, 1024 * 1024, dtype=np.uint8).tobytes()


@pytest.fixture
def no_models(monkeypatch, tmp_path):
    monkeypatch.delenv("STUDIO_MODEL_DIRS", raising=False)
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-hf"))


def test_first_launch_with_nothing_shows_the_first_run_page(window, fake_engine, no_models, qtbot):
    window.start_engine()
    qtbot.waitUntil(lambda: window.models_ui.dialog is not None, timeout=10000)
    dialog = window.models_ui.dialog
    assert dialog.is_first_run_page()
    assert "No Stable Diffusion model found" in dialog.first_run.text()
    assert "stabilityai/sd-turbo/sd_turbo.safetensors" in dialog.rows
    turbo = dialog.rows["stabilityai/sd-turbo/sd_turbo.safetensors"]
    assert turbo.item.size and turbo.item.licence
    # the built-in demo model (mini when its weights are installed, else tiny) meanwhile
    qtbot.waitUntil(lambda: fake_engine.loaded == [builtin_default()], timeout=10000)
    _screenshot(dialog, "models-first-run.png")


def test_with_a_model_folder_present_the_default_model_is_that_model(
    window, fake_engine, no_models, qtbot, tmp_path, monkeypatch
):
    folder = tmp_path / "my-models"
    folder.mkdir()
    checkpoint = folder / "dreamlike.safetensors"
    save_file({k: np.zeros(s, np.float16) for k, s in SD1_KEYS.items()}, str(checkpoint))
    monkeypatch.setenv("STUDIO_MODEL_DIRS", str(folder))
    window.start_engine()
    qtbot.waitUntil(lambda: fake_engine.loaded == [str(checkpoint)], timeout=10000)
    assert window.panel.model.currentText() == str(checkpoint)
    assert window.models_ui.dialog is None  # no first-run page when a model is there
    dialog = window.models_ui.show_dialog()
    tree = dialog.tree
    assert tree.topLevelItem(0).text(0) == "Checkpoints (1)"
    row = tree.topLevelItem(0).child(0)
    assert (row.text(0), row.text(1)) == ("dreamlike.safetensors", "SD1.x")
    assert dialog.folders.item(0).text() == str(folder)
    dialog.hashes_requested.emit()
    expected = hashlib.sha256(checkpoint.read_bytes()).hexdigest()[:10]
    qtbot.waitUntil(lambda: dialog.tree.topLevelItem(0).child(0).text(3) == expected, timeout=10000)
    _screenshot(dialog, "models-installed.png")


def test_a_download_shows_its_progress_in_the_window(
    window, fake_engine, no_models, qtbot, tmp_path, monkeypatch
):
    from huggingface_hub import constants

    item = Recommended("Test upscaler", "someone/ups", "4x.pth", "1 MB", "MIT", "for the test")
    monkeypatch.setattr("studio.ui.models.dialog.RECOMMENDED", (item,))
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(constants, "DOWNLOAD_CHUNK_SIZE", 64 * 1024)
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    with FakeHub({"someone/ups": {"4x.pth": PAYLOAD}}) as hub:
        hub.delay = 0.06  # ~1 s in all, so speed and ETA are measured
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        window.models_ui.downloads.PROGRESS_INTERVAL = 0.0
        dialog = window.models_ui.show_dialog()
        dialog.tabs.setCurrentIndex(1)
        row = dialog.rows["someone/ups/4x.pth"]
        shown: list[int] = []
        window.models_ui.downloads.progress.connect(lambda *_: shown.append(row.bar.value()))
        qtbot.mouseClick(row.button, Qt.MouseButton.LeftButton)
        assert row.button.text() == "Cancel"
        qtbot.waitUntil(lambda: 0 < row.bar.value() < 1000, timeout=10000)
        qtbot.waitUntil(lambda: "MB/s" in row.status.text(), timeout=10000)
        assert 0 < row.bar.value() < 1000 and "s left" in row.status.text()
        _screenshot(dialog, "models-downloading.png")
        qtbot.waitUntil(lambda: row.status.text().startswith("downloaded to"), timeout=20000)
    assert row.bar.value() == 1000 and row.button.text() == "Download again"
    landed = Path(row.status.text().removeprefix("downloaded to ").strip())
    assert landed.read_bytes() == PAYLOAD
    assert any(0 < v < 1000 for v in shown)
    qtbot.waitUntil(
        lambda: any(e.name == "someone/ups/4x.pth" for e in window.models_ui.entries),
        timeout=10000,
    )


def _screenshot(widget, name: str) -> None:
    folder = os.environ.get("STUDIO_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(Path(folder) / name))
