"""Vary (Subtle/Strong) from the strip and the canvas; the Sweep dialog as one queued job."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication

from studio.core.family import id_of, parent_of
from tests.qt.conftest import small_params
from tests.qt.test_variations_grid import generate_n


def test_vary_subtle_on_a_strip_item_adds_children_beside_it(qtbot, window):
    first, second = generate_n(qtbot, window, 2, seed=7)
    window.panel.count.setValue(1)  # Vary then makes its default 4
    window.strip.setCurrentRow(0)
    messages: list[str] = []
    window.statusBar().messageChanged.connect(messages.append)
    with qtbot.waitSignal(window.controller.job_finished, timeout=10_000) as finished:
        window.vary.actions["subtle"].trigger()
    assert finished.args[1] == "done", window.last_error
    plan = window.vary.last_plan
    assert plan.mechanism == "variation seed"  # the parent's seed is known
    assert any("Vary (Subtle): seed 7 with variation seeds" in m for m in messages)
    rows = window.strip.variations()
    assert len(rows) == 2 + 4
    assert rows[0] is first and rows[-1] is second  # children sit right after their parent
    children = rows[1:5]
    assert all(parent_of(child.params) == id_of(first.params) for child in children)
    assert all(child.params.seed == 7 and child.params.varies for child in children)
    assert len({child.params.variation_seed for child in children}) == 4
    assert all(window.strip.item(row).text().startswith("↳") for row in range(1, 5))


def test_vary_strong_on_the_canvas_uses_img2img_from_its_pixels(qtbot, window, fake_engine):
    generate_n(qtbot, window, 1, seed=3)
    window.apply_variation(window.strip.variations()[0])
    assert window.showing_variation is None, "applying takes the preview off the canvas"
    messages: list[str] = []
    window.statusBar().messageChanged.connect(messages.append)
    with qtbot.waitSignal(window.controller.job_finished, timeout=10_000):
        window.vary.vary_canvas("strong")
    assert window.vary.last_plan.mechanism == "img2img"
    assert any("Vary (Strong): img2img" in m for m in messages)
    call = fake_engine.calls[-1]
    assert call.mode == "img2img" and call.strength == 0.85 and call.count == 4


def test_sweep_from_the_dialog_shows_progress_per_cell_and_opens_the_grid(qtbot, window, tmp_path):
    small_params(window, steps=2, seed=5)
    window.panel.prompt.setPlainText("a castle on a hill")
    presenter = window.sweeps
    dialog = presenter.open()
    dialog.folder.setText(str(tmp_path))
    dialog.set_axis(0, "cfg", "4, 7, 9")
    dialog.set_axis(1, "prompt", "castle, lighthouse")
    dialog.set_axis(2, "—", "")
    assert "6 images" in dialog.summary.text()
    seen: list[str] = []
    window.controller.step.connect(lambda *_: seen.append(dialog.cell_label.text()))
    with qtbot.waitSignal(window.controller.job_finished, timeout=20_000) as finished:
        dialog.run_button.click()
    assert finished.args[1] == "done", window.last_error
    QApplication.processEvents()
    cells = {text.split(" · ")[0] for text in seen}
    assert {f"cell {i}/6" for i in range(1, 7)} <= cells
    assert dialog.progress.value() == 6
    assert window.variations.dock.isVisible() and presenter.grid_opened == 1
    assert window.strip.count() == 6
    folder = next(Path(tmp_path).glob("sweep-*"))
    assert (folder / "grid.png").is_file() and len(list(folder.glob("0*.png"))) == 6


def test_sweep_dialog_shows_errors_and_cancel_keeps_finished_cells(
    qtbot, window, fake_engine, tmp_path
):
    small_params(window, steps=3, seed=5)
    window.panel.prompt.setPlainText("a castle")
    dialog = window.sweeps.open()
    dialog.set_axis(0, "prompt", "tower, lighthouse")
    assert "did not find 'tower'" in dialog.summary.text()
    assert not dialog.run_button.isEnabled()
    dialog.folder.setText(str(tmp_path))
    dialog.set_axis(0, "seed", "1-4")
    dialog.set_axis(1, "—", "")
    fake_engine.step_delay = 0.05

    def cancel_on_third(job_id, report):
        if report.image_index == 2:
            dialog.cancel_button.click()

    window.controller.step.connect(cancel_on_third)
    with qtbot.waitSignal(window.controller.job_finished, timeout=20_000) as finished:
        dialog.run_button.click()
    assert finished.args[1] == "cancelled"
    folder = next(Path(tmp_path).glob("sweep-*"))
    assert len(list(folder.glob("0*.png"))) == 2 and (folder / "index.json").is_file()
    assert "2 of 4 cells kept" in dialog.cell_label.text()
