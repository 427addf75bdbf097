"""A gated model in the window: the token is asked for once, kept in the keyring, and retried."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QLabel

keyring = pytest.importorskip("keyring")  # optional; the `test` extra installs it

from keyring.backends import fail  # noqa: E402

from studio.core.hub_token import ACCOUNT, SERVICE  # noqa: E402
from studio.core.models.recommended import Recommended  # noqa: E402
from tests.fake_hub import FakeHub  # noqa: E402
from tests.fake_keyring import MemoryKeyring  # noqa: E402

REPO = "bigcorp/gated-xl"
RIGHT = "hf_right_token_123"
PAYLOAD = np.random.default_rng(9).integers(0, 255, 200 * 1024, dtype=np.uint8).tobytes()
FIRST = Recommended("Gated model", REPO, "model.safetensors", "1 MB", "Gated", "for the test")
SECOND = Recommended("Gated extra", REPO, "extra.safetensors", "1 MB", "Gated", "for the test")


@pytest.fixture
def gated_hub(monkeypatch, tmp_path):
    from huggingface_hub import constants

    monkeypatch.setattr("studio.ui.models.dialog.RECOMMENDED", (FIRST, SECOND))
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf"))
    monkeypatch.delenv("HF_TOKEN", raising=False)
    files = {REPO: {"model.safetensors": PAYLOAD, "extra.safetensors": PAYLOAD[:1000]}}
    with FakeHub(files) as hub:
        hub.tokens[REPO] = RIGHT
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        yield hub


@pytest.fixture
def use_keyring():
    before = keyring.get_keyring()

    def use(backend):
        keyring.set_keyring(backend)
        return backend

    yield use
    keyring.set_keyring(before)


def _ask(qtbot, presenter):
    qtbot.waitUntil(lambda: presenter.token_dialog is not None, timeout=20000)
    dialog = presenter.token_dialog
    qtbot.waitExposed(dialog)
    return dialog


def _answer(qtbot, dialog, token: str) -> None:
    dialog.field.clear()
    qtbot.keyClicks(dialog.field, token)
    assert dialog.ok.isEnabled()
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)


def test_a_gated_download_asks_once_keeps_the_token_in_the_keyring_and_retries(
    window, qtbot, gated_hub, use_keyring, tmp_path
):
    backend = use_keyring(MemoryKeyring())
    presenter = window.models_ui
    dialog = presenter.show_dialog()
    dialog.tabs.setCurrentIndex(1)
    row = dialog.rows[f"{REPO}/model.safetensors"]
    qtbot.mouseClick(row.button, Qt.MouseButton.LeftButton)

    asked = _ask(qtbot, presenter)
    texts = _texts(asked)
    assert REPO in texts and "gated or private" in texts
    assert "huggingface.co/settings/tokens" in texts
    assert "system keyring" in texts
    assert row.status.text() == "waiting for a Hugging Face token…"
    qtbot.keyClicks(asked.field, "hf_has space")
    assert not asked.ok.isEnabled() and "no spaces" in asked.problem.text()
    _screenshot(asked, "token-dialog.png")
    _answer(qtbot, asked, "hf_wrong")

    again = _ask(qtbot, presenter)  # the hub refused it: asked again, saying so
    texts = _texts(again)
    assert "refused" in texts
    assert backend.passwords == {}  # the refused token was not kept
    _answer(qtbot, again, RIGHT)

    qtbot.waitUntil(lambda: row.status.text().startswith("downloaded to"), timeout=20000)
    landed = Path(row.status.text().removeprefix("downloaded to ").strip())
    assert landed.read_bytes() == PAYLOAD
    assert backend.passwords == {(SERVICE, ACCOUNT): RIGHT}
    assert "saved in the system keyring" in window.status.currentMessage()
    assert not _files_containing(Path(os.environ["STUDIO_CONFIG_DIR"]), RIGHT)

    # a second file of the gated repo: the kept token opens it, nothing is asked
    other = dialog.rows[f"{REPO}/extra.safetensors"]
    qtbot.mouseClick(other.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: other.status.text().startswith("downloaded to"), timeout=20000)
    assert presenter.token_dialog is None
    assert gated_hub.auth[-1] == f"Bearer {RIGHT}"


def test_without_a_keyring_the_token_is_for_this_session_and_cancel_leaves_a_clear_line(
    window, qtbot, gated_hub, use_keyring
):
    use_keyring(fail.Keyring())
    presenter = window.models_ui
    dialog = presenter.show_dialog()
    row = dialog.rows[f"{REPO}/model.safetensors"]
    qtbot.mouseClick(row.button, Qt.MouseButton.LeftButton)
    asked = _ask(qtbot, presenter)
    assert "this session only" in _texts(asked)
    cancel = asked.buttons.button(QDialogButtonBox.StandardButton.Cancel)
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "HF_TOKEN" in row.status.text(), timeout=5000)
    assert row.button.text() == "Retry"

    qtbot.mouseClick(row.button, Qt.MouseButton.LeftButton)
    _answer(qtbot, _ask(qtbot, presenter), RIGHT)
    qtbot.waitUntil(lambda: row.status.text().startswith("downloaded to"), timeout=20000)
    assert "this session only" in window.status.currentMessage()
    assert presenter.tokens.get() == RIGHT


def test_a_gated_model_typed_by_its_id_asks_for_the_token(window, qtbot, gated_hub, use_keyring):
    backend = use_keyring(MemoryKeyring())
    presenter = window.models_ui
    dialog = presenter.show_dialog()
    dialog.tabs.setCurrentIndex(1)
    gated_hub.files[REPO]["lora.safetensors"] = PAYLOAD  # not on the recommended list
    qtbot.keyClicks(dialog.by_id.repo, f"https://huggingface.co/{REPO}")  # a copied address
    qtbot.keyClicks(dialog.by_id.file, "lora.safetensors")
    qtbot.mouseClick(dialog.by_id.button, Qt.MouseButton.LeftButton)
    row = dialog.rows[f"{REPO}/lora.safetensors"]
    assert row.item.title == f"{REPO}/lora.safetensors"  # its own row on the page

    asked = _ask(qtbot, presenter)
    assert REPO in _texts(asked) and "gated or private" in _texts(asked)
    assert row.status.text() == "waiting for a Hugging Face token…"
    _answer(qtbot, asked, RIGHT)
    qtbot.waitUntil(lambda: row.status.text().startswith("downloaded to"), timeout=20000)
    landed = Path(row.status.text().removeprefix("downloaded to ").strip())
    assert landed.read_bytes() == PAYLOAD
    assert backend.passwords == {(SERVICE, ACCOUNT): RIGHT}
    assert gated_hub.auth[-1] == f"Bearer {RIGHT}"


def _texts(dialog) -> str:
    return " ".join(label.text() for label in dialog.findChildren(QLabel))


def _files_containing(folder: Path, text: str) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and text.encode() in p.read_bytes()]


def _screenshot(widget, name: str) -> None:
    folder = os.environ.get("STUDIO_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(Path(folder) / name))
