"""Settings ▸ Models ▸ Get models: any model by its Hugging Face id, against a local fake hub."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from safetensors.numpy import save

from tests.fake_hub import FakeHub

REPO = "artist/dreamy"
FILE = "dreamy.safetensors"
KEY = f"{REPO}/{FILE}"
CHECKPOINT = save(
    {
        "model.diffusion_model.input_blocks.0.0.weight": np.zeros((8, 4, 3, 3), np.float16),
        "cond_stage_model.transformer.text_model.final_layer_norm.weight": np.zeros(8, np.float16),
        # 1 MB of weights, so the transfer takes a while over the slowed fake hub
        "model.diffusion_model.out.0.weight": np.random.default_rng(5)
        .standard_normal(512 * 1024)
        .astype(np.float16),
    }
)


@pytest.fixture
def hub(monkeypatch, tmp_path):
    from huggingface_hub import constants

    monkeypatch.delenv("STUDIO_MODEL_DIRS", raising=False)
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setattr("studio.engine.downloads._implicit_token", lambda: None)
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf"))
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(constants, "DOWNLOAD_CHUNK_SIZE", 64 * 1024)
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    with FakeHub({REPO: {FILE: CHECKPOINT}}) as server:
        monkeypatch.setenv("HF_ENDPOINT", server.url)
        yield server


def _get_models_page(window, qtbot):
    window.models_ui.downloads.PROGRESS_INTERVAL = 0.0
    dialog = window.models_ui.show_dialog()
    dialog.tabs.setCurrentIndex(1)
    qtbot.waitExposed(dialog)
    return dialog


def _type(qtbot, dialog, repo: str, file: str = "") -> None:
    form = dialog.by_id
    qtbot.keyClicks(form.repo, repo)
    if file:
        qtbot.keyClicks(form.file, file)
    qtbot.mouseClick(form.button, Qt.MouseButton.LeftButton)


def test_a_typed_id_downloads_with_progress_cancels_resumes_and_shows_up_in_the_list(
    window, qtbot, hub
):
    dialog = _get_models_page(window, qtbot)
    hub.delay = 0.2  # ~3 s for the file: time to see progress and cancel
    _type(qtbot, dialog, REPO, FILE)
    assert not dialog.by_id.problem.isVisible()
    assert dialog.by_id.repo.text() == "" and dialog.by_id.file.text() == ""
    row = dialog.rows[KEY]
    assert row.button.text() == "Cancel"
    qtbot.waitUntil(lambda: 0 < row.bar.value() < 1000, timeout=10000)
    qtbot.waitUntil(lambda: "MB/s" in row.status.text(), timeout=10000)
    assert 0 < row.bar.value() < 1000 and row.status.text().startswith(FILE)
    _screenshot(dialog, "models-by-id-downloading.png")

    qtbot.mouseClick(row.button, Qt.MouseButton.LeftButton)  # cancel
    qtbot.waitUntil(lambda: row.status.text().startswith("cancelled"), timeout=10000)
    assert row.button.text() == "Retry"
    assert not any(e.name == KEY for e in window.models_ui.entries)

    hub.delay = 0.0
    qtbot.mouseClick(row.button, Qt.MouseButton.LeftButton)  # resume
    qtbot.waitUntil(lambda: row.status.text().startswith("downloaded to"), timeout=20000)
    landed = Path(row.status.text().removeprefix("downloaded to ").strip())
    assert landed.read_bytes() == CHECKPOINT
    resumed_at = int(hub.ranges[-1].removeprefix("bytes=").rstrip("-"))
    assert 0 < resumed_at < len(CHECKPOINT)  # the second try asked only for the rest

    def listed() -> list[str]:
        tree = dialog.tree
        groups = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
        return [
            f"{g.text(0)}: {g.child(j).text(0)} {g.child(j).text(1)}"
            for g in groups
            for j in range(g.childCount())
        ]

    qtbot.waitUntil(lambda: f"Checkpoints (1): {KEY} SD1.x" in listed(), timeout=10000)
    # the first real model: it replaces the built-in one in the prompt panel
    assert window.panel.model.currentText() == str(landed)


def test_a_malformed_id_is_refused_without_a_request(window, qtbot, hub):
    dialog = _get_models_page(window, qtbot)
    rows_before = set(dialog.rows)
    _type(qtbot, dialog, "stabilityai sd-turbo")
    problem = dialog.by_id.problem
    assert problem.isVisible()
    assert problem.text().startswith("'stabilityai sd-turbo': a model id looks like owner/name")
    assert dialog.by_id.repo.text() == "stabilityai sd-turbo"  # kept, to fix the typo
    _screenshot(dialog, "models-by-id-malformed.png")

    dialog.by_id.repo.clear()
    qtbot.keyClicks(dialog.by_id.repo, REPO)
    assert not problem.isVisible()  # typing again clears the complaint
    qtbot.keyClicks(dialog.by_id.file, "../secrets.safetensors")
    dialog.activateWindow()  # Enter goes where the focus is, as when the user types
    dialog.by_id.file.setFocus()
    qtbot.waitUntil(dialog.by_id.file.hasFocus, timeout=5000)
    qtbot.keyClick(dialog.by_id.file, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert "is not a path inside the model" in problem.text()

    assert set(dialog.rows) == rows_before
    assert not window.models_ui.downloads.is_active(KEY)
    assert hub.requests == []


def test_an_unknown_id_or_file_says_not_found(window, qtbot, hub):
    dialog = _get_models_page(window, qtbot)
    _type(qtbot, dialog, "nobody/nothing")
    missing_repo = dialog.rows["nobody/nothing/"]
    qtbot.waitUntil(lambda: missing_repo.button.text() == "Retry", timeout=10000)
    assert missing_repo.status.text().startswith("no model 'nobody/nothing' on the hub")
    assert window.models_ui.token_dialog is None  # a typo is not a gated model

    _type(qtbot, dialog, REPO, "nope.safetensors")
    missing_file = dialog.rows[f"{REPO}/nope.safetensors"]
    qtbot.waitUntil(lambda: missing_file.button.text() == "Retry", timeout=10000)
    assert missing_file.status.text().startswith(f"{REPO} has no file 'nope.safetensors'")
    _screenshot(dialog, "models-by-id-not-found.png")


def _screenshot(widget, name: str) -> None:
    folder = os.environ.get("STUDIO_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(Path(folder) / name))
