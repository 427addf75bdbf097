"""Never lost: the title's *, Save/Discard/Cancel before closing or replacing, .ora in the
window, background autosave, restore after SIGKILL, and a crash in the middle of an autosave."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from studio.core.document import Document, Layer
from studio.core.document import layer_edits as le
from studio.core.document.autosave import Slot, orphans
from studio.core.document.paint import PaintStroke
from studio.core.params import GenerationParams
from studio.ui.shell.autosave import Autosaver, offer_restore
from studio.ui.shell.prompts import ask_restore as real_ask_restore
from studio.ui.shell.prompts import ask_save_changes as real_ask_save
from studio.ui.state.document_model import DocumentModel

REPO = Path(__file__).resolve().parents[2]


def _answer_modal(button: QMessageBox.StandardButton, seen: list[str]) -> None:
    """When the next modal message box shows, note its text and press `button`."""

    def press() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, press)
            return
        seen.append(f"{box.text()} {box.informativeText()}")
        box.button(button).click()

    QTimer.singleShot(0, press)


def _paint_red_layer(model: DocumentModel) -> Layer:
    doc = model.document
    model.push(le.new_layer_edit(doc, "Sketch"))
    stroke = PaintStroke(doc, doc.active_layer, (255, 0, 0))
    stroke.segment((10, 10), (40, 10), 4, 1.0, include_start=True)
    model.push(stroke.finish())
    return doc.active_layer


def test_close_with_changes_asks_and_cancel_keeps_the_window(qtbot, window):
    window.files.ask_save = real_ask_save
    assert "*" not in window.windowTitle()
    _paint_red_layer(window.model)
    assert window.windowTitle().startswith("untitled*")
    seen: list[str] = []
    _answer_modal(QMessageBox.StandardButton.Cancel, seen)
    assert not window.close()
    assert seen and "Save changes to untitled?" in seen[0]
    assert window.isVisible() and len(window.document.layers) == 2, "Cancel keeps the work"
    _answer_modal(QMessageBox.StandardButton.Discard, seen)
    assert window.close() and len(seen) == 2


def test_new_and_open_ask_first_and_cancel_keeps_the_document(qtbot, window, tmp_path):
    from studio.core.imagefiles import save_png

    picture = save_png(tmp_path / "p.png", np.full((8, 8, 3), 9, np.uint8))
    _paint_red_layer(window.model)
    before = window.document
    answers: list[str] = []
    window.files.ask_save = lambda _parent, name: answers.append(name) or "cancel"
    assert not window.open_path(picture)
    window.new_document()
    assert window.document is before and answers == ["untitled", "untitled"]
    window.files.ask_save = lambda _parent, _name: "discard"
    assert window.open_path(picture) and (window.document.width, window.document.height) == (8, 8)
    assert window.undo_stack.count() == 0 and "*" not in window.windowTitle()


def test_save_as_ora_keeps_layers_params_and_variations(qtbot, window, tmp_path):
    params = GenerationParams(prompt="fog", seed=4)
    window.strip.add(np.full((16, 16, 3), 70, np.uint8), params, 0)
    layer = _paint_red_layer(window.model)
    window.model.push(le.set_props_edit(window.document, layer, opacity=0.5, blend="multiply"))
    path = tmp_path / "work.ora"
    assert window.files.save_to(path)
    assert window.windowTitle().startswith("work.ora ") and not window.model.modified
    window.set_document(Document.blank(8, 8))
    assert window.open_path(path)
    doc = window.document
    assert [lay.name for lay in doc.layers] == ["Background", "Sketch"]
    assert doc.layers[1].blend == "multiply" and doc.layers[1].opacity == 0.5
    assert np.array_equal(doc.layers[1].pixels, layer.pixels)
    assert [v.params for v in window.strip.variations()][-1] == params
    assert str(path) in window.files.recent()


def test_autosave_writes_in_the_background_and_a_crash_mid_write_keeps_the_last_one(
    qtbot, tmp_path, monkeypatch
):
    model = DocumentModel()
    slot = Slot(os.getpid(), tmp_path)
    saver = Autosaver(model, interval_ms=60_000, slot=slot)
    saver.save_soon()  # nothing changed yet: nothing written
    saver.wait()
    assert not slot.ora.exists()
    first = _paint_red_layer(model).pixels.copy()
    with qtbot.waitSignal(saver.saved, timeout=10_000):
        saver.save_soon()
    assert saver.running is False or saver.wait() is None
    assert np.array_equal(slot.load().layers[1].pixels, first)

    model.push(le.new_layer_edit(model.document, "Second"))

    def crash(_fd: int) -> None:
        raise OSError("power cut in the middle of the autosave")

    monkeypatch.setattr(os, "fsync", crash)
    with qtbot.waitSignal(saver.failed, timeout=10_000):
        saver.save_soon()
    saver.wait()
    restored = slot.load()  # the previous autosave, whole
    assert [lay.name for lay in restored.layers] == ["Background", "Sketch"]
    assert np.array_equal(restored.layers[1].pixels, first)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([slot.ora.name, slot.note.name])
    saver.stop()


_CRASHING_SESSION = textwrap.dedent(
    """
    import os, signal, sys, time
    from PySide6.QtWidgets import QApplication
    from studio.app import create_window
    from studio.core.document import layer_edits as le
    from studio.core.document.paint import PaintStroke

    app = QApplication([])
    window = create_window(use_settings=False)
    window.show()
    window.autosave.timer.setInterval(200)
    model = window.model
    model.push(le.new_layer_edit(model.document, "Sketch"))
    stroke = PaintStroke(model.document, model.document.active_layer, (0, 0, 255))
    stroke.segment((20, 20), (60, 20), 5, 1.0, include_start=True)
    model.push(stroke.finish())
    deadline = time.monotonic() + 30
    while window.autosave.last_saved is None and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.02)
    window.autosave.timer.stop()
    model.push(le.new_layer_edit(model.document, "After the last autosave"))
    print("autosaved" if window.autosave.last_saved else "never autosaved", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
    """
)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_killed_session_is_offered_and_restored_on_the_next_launch(qtbot, window, tmp_path):
    env = dict(os.environ, PYTHONPATH=str(REPO), QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-c", _CRASHING_SESSION],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert "autosaved" in done.stdout and "never" not in done.stdout, done.stderr
    assert len(orphans()) == 1
    seen: list[str] = []

    def click_restore() -> None:  # the real question, answered by clicking its Restore button
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, click_restore)
            return
        seen.append(box.informativeText())
        box.buttons()[0].click()

    QTimer.singleShot(0, click_restore)
    assert offer_restore(window, window.model, real_ask_restore)
    assert seen and "autosaved" in seen[0] and "untitled" in seen[0]
    doc = window.document
    assert [layer.name for layer in doc.layers] == ["Background", "Sketch"], (
        "everything up to the last autosave is back; only the edit after it is missing"
    )
    assert tuple(doc.layers[1].pixels[20, 40]) == (0, 0, 255, 255)
    assert tuple(doc.image[20, 40]) == (0, 0, 255)
    assert window.model.modified and "*" in window.windowTitle()
    assert orphans() == [], "offered once"
