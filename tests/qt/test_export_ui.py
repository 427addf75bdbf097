"""File ▸ Export variations…: the dialog's live validation, and the export itself (off the GUI
thread) writing exactly the chosen images with their params, index.json and the contact sheet."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt

from studio.core.export import INDEX_NAME, SHEET_NAME, read_embedded_params
from studio.core.metadata import params_to_json
from studio.jobs import export_job
from studio.ui.variations.export_dialog import ExportChoice
from tests.qt.test_variations_grid import generate_n

IMAGE_SUFFIXES = {".png", ".jpg", ".webp"}


def image_files(folder: Path) -> list[Path]:
    return sorted(
        p for p in folder.iterdir() if p.suffix in IMAGE_SUFFIXES and p.name != SHEET_NAME
    )


def run_dialog_export(qtbot, window, folder: Path, **fields) -> export_job.ExportReport:
    dialog = window.variations.open_export_dialog()
    assert dialog is not None and dialog.isVisible()
    dialog.folder.setText(str(folder))
    if "template" in fields:
        dialog.template.setText(fields["template"])
    if "fmt" in fields:
        dialog.format.setCurrentIndex(dialog.format.findData(fields["fmt"]))
    if fields.get("all"):
        dialog.all_radio.setChecked(True)
    assert dialog.ok_button.isEnabled(), dialog.message.text()
    with qtbot.waitSignal(window.variations.exporter.finished, timeout=20_000) as done:
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    return done.args[0]


def test_starring_two_of_four_and_exporting_writes_exactly_two(qtbot, window, tmp_path):
    generate_n(qtbot, window, 4, seed=20, prompt="castle on a cliff, concept art")
    results = window.strip.session.results()
    window.strip.session.set_starred(results[1], True)
    window.strip.session.set_starred(results[3], True)
    out = tmp_path / "export"
    report = run_dialog_export(qtbot, window, out)
    assert report.ok and len(report.written) == 2
    files = image_files(out)
    assert [p.name for p in files] == sorted(report.written)
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [*report.written, INDEX_NAME, SHEET_NAME]
    )
    starred = [results[1], results[3]]
    for name, result in zip(report.written, starred, strict=True):
        with Image.open(out / name) as png:
            assert png.text["studio"] == params_to_json(result.params), "exact params embedded"
            assert f"Seed: {result.params.seed}" in png.text["parameters"]
            assert np.array_equal(np.asarray(png.convert("RGB")), result.image)
        assert read_embedded_params(out / name) == result.params
    index = json.loads((out / INDEX_NAME).read_text(encoding="utf-8"))
    assert set(index) == set(report.written)
    assert [index[n]["seed"] for n in report.written] == [21, 23]
    assert report.written[0].startswith("0001-castle on a cliff, concept art-21")
    with Image.open(out / SHEET_NAME) as sheet:
        assert sheet.width > 0 and sheet.height > 0
    assert "exported 2 images" in window.status.currentMessage()


def test_dialog_validates_the_template_live(qtbot, window, tmp_path):
    generate_n(qtbot, window, 2, seed=5, prompt="forest shrine")
    window.strip.session.set_starred(window.strip.session.results()[0], True)
    dialog = window.variations.open_export_dialog()
    dialog.folder.setText(str(tmp_path))
    assert dialog.ok_button.isEnabled()
    assert dialog.preview.text() == "0001-forest shrine-5.png"
    dialog.template.clear()
    qtbot.keyClicks(dialog.template, "{index}-{nope}")
    assert not dialog.ok_button.isEnabled()
    assert dialog.message.isVisibleTo(dialog) and "unknown field {nope}" in dialog.message.text()
    dialog.template.setText("{index:04d")  # malformed
    assert not dialog.ok_button.isEnabled() and "malformed" in dialog.message.text()
    dialog.template.setText("fixed-name")  # no field: every file would collide
    assert not dialog.ok_button.isEnabled() and "no field" in dialog.message.text()
    dialog.template.setText("{seed}-{model}")
    assert dialog.ok_button.isEnabled() and not dialog.message.isVisibleTo(dialog)
    assert dialog.preview.text() == "5-tiny.png"
    dialog.format.setCurrentIndex(dialog.format.findData("webp"))
    assert dialog.preview.text() == "5-tiny.webp" and dialog.quality.isEnabled()
    dialog.folder.clear()
    assert not dialog.ok_button.isEnabled() and "folder" in dialog.message.text()
    dialog.reject()
    assert not window.variations.exporter.busy


def test_starred_only_with_nothing_starred_is_refused_but_all_works(qtbot, window, tmp_path):
    generate_n(qtbot, window, 3, seed=1)
    dialog = window.variations.open_export_dialog()
    dialog.folder.setText(str(tmp_path))
    assert dialog.all_radio.isChecked(), "nothing starred: All is preselected"
    dialog.starred_radio.setChecked(True)
    assert not dialog.ok_button.isEnabled() and "no starred results" in dialog.message.text()
    dialog.reject()
    report = run_dialog_export(qtbot, window, tmp_path / "all", all=True, fmt="jpeg")
    files = image_files(tmp_path / "all")
    assert len(report.written) == 3 and [p.suffix for p in files] == [".jpg"] * 3
    results = window.strip.session.results()
    for name, result in zip(report.written, results, strict=True):
        found = read_embedded_params(tmp_path / "all" / name)  # EXIF UserComment, as A1111
        assert found is not None and found.seed == result.params.seed
        assert found.prompt == result.params.prompt and found.steps == result.params.steps


def test_export_runs_off_the_gui_thread(qtbot, window, tmp_path, monkeypatch):
    generate_n(qtbot, window, 2)
    threads: list[str] = []
    real = export_job.run_export

    def recording(*args, **kwargs):
        threads.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(export_job, "run_export", recording)
    progress: list[tuple[int, int]] = []
    window.variations.exporter.progress.connect(lambda d, t: progress.append((d, t)))
    report = run_dialog_export(qtbot, window, tmp_path, all=True)
    assert threads and threads[0] != threading.main_thread().name
    assert progress == [(1, 2), (2, 2)] and len(report.written) == 2


def test_export_errors_are_reported_in_the_status_bar(qtbot, window, tmp_path):
    generate_n(qtbot, window, 1)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    choice = ExportChoice(False, str(blocker), "{seed}", "png", 95)
    results = window.strip.session.results()
    with qtbot.waitSignal(window.variations.exporter.finished, timeout=10_000) as done:
        assert window.variations.export(choice, results)
    report = done.args[0]
    assert not report.ok and report.written == ()
    assert "is a file" in window.status.currentMessage() and "is a file" in window.last_error
    assert blocker.read_text() == "not a folder"


def test_exports_never_overwrite(qtbot, window, tmp_path):
    generate_n(qtbot, window, 1, seed=3)
    choice = ExportChoice(False, str(tmp_path), "{seed}", "png", 95)
    results = window.strip.session.results()
    for _ in range(2):
        with qtbot.waitSignal(window.variations.exporter.finished, timeout=10_000):
            window.variations.export(choice, results)
    assert [p.name for p in image_files(tmp_path)] == ["3-2.png", "3.png"]


@pytest.fixture
def tiny_window(qtbot, engine):
    from studio.app import create_window

    win = create_window(lambda: engine)
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close()


def test_tiny_engine_export_regenerates_exactly(qtbot, tiny_window, engine, tmp_path):
    """Real engine: the exported PNG's params render the very same pixels again."""
    from tests.qt.conftest import small_params

    win = tiny_window
    small_params(win, size=64, steps=3, count=2, seed=11, prompt="castle")
    with qtbot.waitSignal(win.controller.job_finished, timeout=180_000) as finished:
        job_id = win.generate()
    assert finished.args == [job_id, "done"], win.last_error
    assert win.strip.count() == 2
    win.strip.session.set_starred(win.strip.session.results()[1], True)
    report = run_dialog_export(qtbot, win, tmp_path)
    assert len(report.written) == 1 and len(image_files(tmp_path)) == 1
    params = read_embedded_params(tmp_path / report.written[0])
    assert params is not None and params.seed == 12 and params.count == 1
    again = engine.generate(params)[0].image
    with Image.open(tmp_path / report.written[0]) as png:
        assert np.array_equal(np.asarray(png), again)
