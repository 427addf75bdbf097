"""The History dock: results of one app run are listed by the next run, searchable, reusable."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np

from tests.qt.test_variations_grid import generate_n

RUN_APP = textwrap.dedent(
    """
    import json, sys
    from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication
    from studio.app import create_window
    from tests.qt.fakes import FakeEngine

    app = QApplication([])
    window = create_window(lambda: FakeEngine(), use_settings=False)
    window.show()
    history = window.history_ui
    if sys.argv[1] == "generate":
        panel = window.panel
        panel.prompt.setPlainText(sys.argv[2])
        panel.steps.setValue(2)
        panel.width_box.setValue(64)
        panel.height_box.setValue(64)
        panel.count.setValue(2)
        loop = QEventLoop()
        window.controller.job_finished.connect(lambda *_: loop.quit())
        QTimer.singleShot(20_000, loop.quit)
        window.generate()
        loop.exec()
    else:
        history.panel.search.setText(sys.argv[2])
        found = [history.history.get(f).params.prompt for f in history.panel.listed()]
        print(json.dumps(found))
    window.close()
    QCoreApplication.processEvents()
    """
)


def run_app(tmp_path: Path, *args: str) -> str:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "STUDIO_HISTORY_DIR": str(tmp_path / "history"),
        "STUDIO_CONFIG_DIR": str(tmp_path / "config"),
        "PYTHONPATH": os.pathsep.join(
            [str(Path(__file__).parents[2]), os.environ.get("PYTHONPATH", "")]
        ),
    }
    done = subprocess.run(
        [sys.executable, "-c", RUN_APP, *args], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_results_of_one_run_are_listed_by_the_next_and_searchable(tmp_path):
    run_app(tmp_path, "generate", "a castle in the fog")
    run_app(tmp_path, "generate", "a lighthouse at dusk")
    everything = json.loads(run_app(tmp_path, "list", "").strip().splitlines()[-1])
    assert sorted(everything) == ["a castle in the fog"] * 2 + ["a lighthouse at dusk"] * 2
    foggy = json.loads(run_app(tmp_path, "list", "fog").strip().splitlines()[-1])
    assert foggy == ["a castle in the fog"] * 2


def test_history_dock_records_stars_and_reuses(qtbot, window):
    presenter = window.history_ui
    generate_n(qtbot, window, 2, seed=41)
    listed = presenter.panel.listed()
    assert len(listed) == 2
    entry = presenter.history.get(listed[0])
    presenter.select(entry.file)
    presenter.toggle_star()
    assert presenter.history.get(entry.file).starred
    presenter.panel.starred_only.setChecked(True)
    assert presenter.panel.listed() == [entry.file]
    window.panel.seed.setValue(1)
    presenter.select(entry.file)
    presenter.reuse()
    assert window.panel.params().seed == entry.params.seed
    presenter.open_as_layer()  # a blank 512x512 canvas takes the 64x64 image's size
    assert window.document.has_image and window.document.image.shape[:2] == (64, 64)
    assert np.array_equal(window.document.image, presenter.history.read(entry)[..., :3])


def _layers(window) -> list[tuple[str, np.ndarray]]:
    return [(layer.name, layer.pixels.copy()) for layer in window.document.layers]


def test_open_as_layer_adds_a_layer_above_the_active_one_and_undoes(qtbot, window):
    presenter = window.history_ui
    first, second = generate_n(qtbot, window, 2, seed=41)
    window.apply_variation(first)  # the canvas: a 64x64 result over the background
    window.layers.run("add")  # an empty layer on top, then the background made active
    window.model.set_active(0)
    before = _layers(window)
    entry = next(
        presenter.history.get(f)
        for f in presenter.panel.listed()
        if presenter.history.get(f).params.seed == second.params.seed
    )
    presenter.select(entry.file)
    presenter.panel.to_layer.click()
    layers = window.document.layers
    assert len(layers) == len(before) + 1 and window.document.active == 1
    opened = layers[1]
    assert opened.name == f"a test · seed {entry.params.seed}" and opened.kind == "result"
    assert np.array_equal(opened.pixels[..., :3], second.image[..., :3])
    assert (opened.pixels[..., 3] == 255).all()
    assert all(
        np.array_equal(layer.pixels, pixels)
        for layer, (_name, pixels) in zip([layers[0], *layers[2:]], before, strict=True)
    ), "the layers that were there are untouched"
    assert np.array_equal(window.document.image, second.image[..., :3])
    assert window.model.undo_stack.undoText() == f"Open seed {entry.params.seed} as layer"
    window.model.undo_stack.undo()
    after = _layers(window)
    assert [n for n, _ in after] == [n for n, _ in before]
    assert all(np.array_equal(a, b) for (_, a), (_, b) in zip(after, before, strict=True))
    assert np.array_equal(window.document.image, first.image[..., :3])


def test_history_context_menu_opens_as_layer(qtbot, window):
    presenter = window.history_ui
    generate_n(qtbot, window, 1, seed=5)
    window.apply_variation(window.strip.variations()[0])
    presenter.select(presenter.panel.listed()[0])
    menu = presenter.context_menu()
    texts = [a.text() for a in menu.actions()]
    assert texts == ["Open as layer", "Open as document", "Reuse parameters", "Star"]
    count = len(window.document.layers)
    menu.actions()[0].trigger()
    assert len(window.document.layers) == count + 1
    presenter.panel.tree.setCurrentItem(None)
    assert not any(a.isEnabled() for a in presenter.context_menu().actions())
