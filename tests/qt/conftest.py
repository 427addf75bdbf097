"""Qt test fixtures: offscreen platform, settings in a temp dir, a fake engine, a window,
and an autouse check that no test leaves a QThread running (as napari does)."""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before anything imports Qt

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QThread

from tests.qt.fakes import FakeEngine


@pytest.fixture(autouse=True)
def _no_dangling_qthreads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[QThread]]:
    """Fail the test if any QThread it started is still running when it ends."""
    started: list[QThread] = []
    original = QThread.start

    def recording_start(self: QThread, *args: object) -> None:
        started.append(self)
        original(self, *args)

    monkeypatch.setattr(QThread, "start", recording_start)
    yield started
    running = [t for t in started if _running(t)]
    for thread in running:  # stop them so one leak does not cascade into later tests
        thread.quit()
        thread.wait(5000)
    if running:
        names = ", ".join(t.objectName() or repr(t) for t in running)
        pytest.fail(f"test left QThread(s) running: {names}")


def _running(thread: QThread) -> bool:
    try:
        return thread.isRunning()
    except RuntimeError:  # the C++ object is gone, so the thread is too
        return False


@pytest.fixture(autouse=True)
def _settings_in_tmp(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("STUDIO_CONFIG_DIR", str(tmp_path_factory.mktemp("config")))
    monkeypatch.setenv("STUDIO_LOG_DIR", str(tmp_path_factory.mktemp("logs")))


@pytest.fixture(autouse=True)
def _no_blocking_prompts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Closing a window with unsaved work discards it (a test that checks the question asks
    for the real dialog itself); no crash-restore offer pops up."""
    from studio.ui.shell import prompts

    monkeypatch.setattr(prompts, "ask_save_changes", lambda *_a: "discard")
    monkeypatch.setattr(prompts, "ask_restore", lambda *_a: False)


@pytest.fixture
def fake_engine() -> FakeEngine:
    return FakeEngine()


@pytest.fixture
def window(qtbot, fake_engine: FakeEngine):
    """The real main window wired to a fake engine (fast, no torch)."""
    from studio.app import create_window

    win = create_window(lambda: fake_engine)
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()


def small_params(window, size: int = 64, steps: int = 4, **changes):
    """Set the panel to a small, fast, fixed-seed job."""
    panel = window.panel
    panel.model.setCurrentText(changes.pop("model", "tiny"))
    panel.steps.setValue(steps)
    panel.width_box.setValue(size)
    panel.height_box.setValue(size)
    panel.random_seed.setChecked(False)
    panel.seed.setValue(changes.pop("seed", 7))
    panel.count.setValue(changes.pop("count", 1))
    panel.prompt.setPlainText(changes.pop("prompt", "a test"))
    assert not changes, changes
