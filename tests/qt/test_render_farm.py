"""Settings ▸ Render farm and Generate ▸ Render on farm… without Ray: the settings dialog, the
status-bar progress, cancel, errors and Ray missing (the farm's backend is a fake here; the
real one on a local Ray runtime is tests/qt/test_render_farm_ray.py)."""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from studio.core.errors import Cancelled
from studio.core.export import INDEX_NAME, SHEET_NAME
from studio.core.farm_config import FarmConfig, FarmConfigError, check_address
from studio.core.imagefiles import read_image
from studio.core.metadata import params_from_text_chunks
from studio.engine.farm import FarmError
from studio.ui.shell.settings import load_farm_config, open_settings
from tests.qt.conftest import small_params
from tests.qt.fakes import fake_pixels


def fake_backend(request, todo, folder, cancel, written, hold: threading.Event | None = None):
    """Renders like a farm would (names claimed, files written, `written` per image)."""
    for item in todo:
        if cancel.is_set():
            raise Cancelled()
        name = folder.claim(
            folder.name_for(item.params, index=item.index, job=item.job, template=item.template)
        )
        folder.write(name, fake_pixels(item.params, item.params.seed), item.params)
        written(item, name, item.params)
        if hold is not None:
            cancel.wait(20)  # the test cancels after the first image


def _pngs(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.png") if p.name != SHEET_NAME)


def _ok(dialog) -> object:
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)


@pytest.mark.parametrize(
    ("typed", "address"),
    [
        ("", "local"),
        ("  ", "local"),
        ("auto", "auto"),
        ("ray://10.0.0.5:10001", "ray://10.0.0.5:10001"),
        ("head.farm:6379", "head.farm:6379"),
        ("ray://[::1]:10001", "ray://[::1]:10001"),
    ],
)
def test_the_address_forms_ray_takes_are_accepted(typed: str, address: str) -> None:
    assert check_address(typed) == address


@pytest.mark.parametrize(
    "typed",
    ["http://farm:80", "ray://farm", "farm", "ray://:10001", "ray://farm:99999", "ray://a b:1"],
)
def test_a_malformed_address_is_one_line_naming_the_forms(typed: str) -> None:
    with pytest.raises(FarmConfigError) as info:
        check_address(typed)
    message = str(info.value)
    assert "\n" not in message and repr(typed.strip()) in message and "ray://HOST:PORT" in message


def test_settings_dialog_stores_the_values_and_reloads_them(qtbot, window) -> None:
    window.farm.actions["settings"].trigger()
    dialog = window.farm.settings_dialog
    assert dialog.isVisible() and dialog.address.text() == "" and dialog.cpus.value() == 2
    dialog.address.setText("ray://head.farm:10001")
    dialog.workers.setValue(3)
    dialog.cpus.setValue(4)
    assert _ok(dialog).isEnabled() and not dialog.error.isVisible()
    _ok(dialog).click()
    assert not dialog.isVisible()
    stored = FarmConfig("ray://head.farm:10001", 3, 4)
    assert window.farm.config == stored
    assert load_farm_config(open_settings()) == stored  # in the settings file, for next time
    window.farm.actions["settings"].trigger()
    again = window.farm.settings_dialog
    assert (again.address.text(), again.workers.value(), again.cpus.value()) == (
        "ray://head.farm:10001",
        3,
        4,
    )


def test_settings_dialog_refuses_a_malformed_address_with_one_line(qtbot, window) -> None:
    window.farm.set_config(FarmConfig("auto", 0, 2))
    dialog = window.farm.open_settings()
    dialog.address.setText("http://head.farm")
    assert dialog.error.isVisible() and not _ok(dialog).isEnabled()
    assert "'http://head.farm' is not one Ray understands" in dialog.error.text()
    dialog.accept()  # Enter in the field: still refused
    assert dialog.isVisible()
    dialog.reject()
    assert window.farm.config.address == "auto"
    assert load_farm_config(open_settings()).address == "auto"


def test_without_ray_both_dialogs_say_how_to_install_it(
    qtbot, window, monkeypatch, tmp_path
) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` fails, find_spec finds nothing
    settings = window.farm.open_settings()
    assert settings.ray_note.isVisible()
    assert "pip install 'studio[ray]'" in settings.ray_note.text()
    small_params(window, seed=3)
    send = window.farm.open_send()
    send.folder.setText(str(tmp_path / "farm"))
    assert send.ray_note.isVisible() and not send.render_button.isEnabled()
    assert window.farm.send() is False
    assert (
        window.last_error
        == "the render farm needs Ray, an optional part: pip install 'studio[ray]'"
    )
    assert not (tmp_path / "farm").exists() and not window.farm.runner.busy


def test_sending_renders_the_seeds_into_the_folder_with_progress_in_the_status_bar(
    qtbot, window, tmp_path
) -> None:
    window.farm.runner.backend = fake_backend
    small_params(window, size=32, steps=2, seed=40, prompt="castle on a cliff")
    dialog = window.farm.open_send()
    dialog.images.setValue(3)
    dialog.folder.setText(str(tmp_path / "farm"))
    assert "3 images of “castle on a cliff” · txt2img · 32×32 · 2 steps · seeds 40–42" in (
        dialog.summary.text()
    )
    seen: list[tuple[str, int, int]] = []
    status = window.farm.widget
    window.farm.runner.progress.connect(
        lambda *_: seen.append((status.label.text(), status.bar.value(), status.bar.maximum()))
    )
    with qtbot.waitSignal(window.farm.runner.finished, timeout=20_000) as finished:
        dialog.render_button.click()
        assert status.isVisible() and status.label.text().startswith("farm: starting")
    report = finished.args[0]
    assert report.error is None and not report.cancelled, report
    assert seen == [(f"farm: {i}/3 images", i, 3) for i in range(4)]
    assert status.label.text() == "farm done: 3/3 images" and status.open_button.isVisible()
    assert not status.cancel_button.isVisible()
    assert "render farm: 3 images in" in window.statusBar().currentMessage()
    files = _pngs(tmp_path / "farm")
    assert [p.name for p in files] == [f"000{i}-castle on a cliff-{39 + i}.png" for i in (1, 2, 3)]
    for path, seed in zip(files, (40, 41, 42), strict=True):
        pixels, chunks = read_image(path)
        assert params_from_text_chunks(chunks).seed == seed
        assert np.array_equal(pixels, fake_pixels(params_from_text_chunks(chunks), seed))
    index = json.loads((tmp_path / "farm" / INDEX_NAME).read_text(encoding="utf-8"))
    assert sorted(index) == [p.name for p in files]
    assert (tmp_path / "farm" / SHEET_NAME).is_file()
    assert [v.params.seed for v in window.strip.variations()] == [40, 41, 42]  # in the strip


def test_cancel_in_the_status_bar_stops_the_farm_and_keeps_finished_files(
    qtbot, window, tmp_path
) -> None:
    window.farm.runner.backend = lambda *a: fake_backend(*a, hold=threading.Event())
    small_params(window, size=32, steps=2, seed=7)
    dialog = window.farm.open_send()
    dialog.images.setValue(4)
    dialog.folder.setText(str(tmp_path / "farm"))
    status = window.farm.widget

    def first_image(done: int, _total: int) -> None:
        if done == 1:
            status.cancel_button.click()

    window.farm.runner.progress.connect(first_image)
    with qtbot.waitSignal(window.farm.runner.finished, timeout=20_000) as finished:
        dialog.render_button.click()
    report = finished.args[0]
    assert report.cancelled and report.done == 1
    assert status.label.text() == "farm cancelled: 1/4 kept"
    assert [p.name for p in _pngs(tmp_path / "farm")] == list(report.rendered)
    index = json.loads((tmp_path / "farm" / INDEX_NAME).read_text(encoding="utf-8"))
    assert list(index) == list(report.rendered)  # the finished image stays listed
    assert "send again for the rest" in window.statusBar().currentMessage()
    # sending the same batch again renders only what is missing
    window.farm.runner.progress.disconnect(first_image)
    window.farm.runner.backend = fake_backend
    with qtbot.waitSignal(window.farm.runner.finished, timeout=20_000) as again:
        window.farm.open_send().render_button.click()
    assert again.args[0].skipped == 1 and len(again.args[0].rendered) == 3
    assert len(_pngs(tmp_path / "farm")) == 4


def test_a_farm_failure_is_one_line_in_the_status_bar_and_a_message_box(
    qtbot, window, tmp_path
) -> None:
    def dies(request, todo, folder, cancel, written):
        fake_backend(request, todo[:1], folder, cancel, written)
        raise FarmError("every Ray worker died; see the Ray logs (`ray logs`) for why")

    window.farm.runner.backend = dies
    small_params(window, size=32, steps=2, seed=1)
    dialog = window.farm.open_send()
    dialog.images.setValue(2)
    dialog.folder.setText(str(tmp_path / "farm"))
    with qtbot.waitSignal(window.farm.runner.finished, timeout=20_000):
        dialog.render_button.click()
    QApplication.processEvents()
    expected = (
        "render farm: every Ray worker died; see the Ray logs (`ray logs`) for why "
        "(1 of 2 images kept)"
    )
    assert window.last_error == expected
    assert window.statusBar().currentMessage() == f"⚠ {expected}"
    assert window.farm.widget.label.text() == "farm failed: 1/2 kept"
    assert len(_pngs(tmp_path / "farm")) == 1


def test_the_sweep_of_generate_sweep_can_go_to_the_farm(qtbot, window, tmp_path) -> None:
    window.farm.runner.backend = fake_backend
    small_params(window, size=32, steps=2, seed=9, prompt="a lighthouse")
    sweep = window.sweeps.dialog
    sweep.set_axis(0, "cfg", "4, 7")
    sweep.set_axis(1, "steps", "2, 3")
    sweep.set_axis(2, "—", "")
    dialog = window.farm.open_send()
    dialog.what.setCurrentIndex(dialog.what.findData("sweep"))
    assert not dialog.images.isEnabled()
    assert dialog.summary.text().startswith("4 images of “a lighthouse”")
    dialog.folder.setText(str(tmp_path / "farm"))
    with qtbot.waitSignal(window.farm.runner.finished, timeout=20_000) as finished:
        dialog.render_button.click()
    assert finished.args[0].error is None and len(finished.args[0].rendered) == 4
    made = {
        (p.cfg, p.steps)
        for p in (params_from_text_chunks(read_image(f)[1]) for f in _pngs(tmp_path / "farm"))
    }
    assert made == {(4.0, 2), (7.0, 2), (4.0, 3), (7.0, 3)}


def test_closing_the_window_stops_the_farm_and_keeps_its_files(qtbot, window, tmp_path) -> None:
    window.farm.runner.backend = lambda *a: fake_backend(*a, hold=threading.Event())
    small_params(window, size=32, steps=2, seed=3)
    dialog = window.farm.open_send()
    dialog.images.setValue(3)
    dialog.folder.setText(str(tmp_path / "farm"))
    with qtbot.waitSignal(window.farm.runner.progress, check_params_cb=lambda d, _t: d == 1):
        dialog.render_button.click()
    thread = window.farm.runner._thread
    window.close()  # waits for the farm thread (the autouse fixture fails on a running one)
    assert thread is not None and thread.isFinished()
    kept = _pngs(tmp_path / "farm")
    assert len(kept) == 1
    index = json.loads((tmp_path / "farm" / INDEX_NAME).read_text(encoding="utf-8"))
    assert list(index) == [kept[0].name]


def test_with_random_seeds_the_farm_renders_the_seeds_the_summary_showed(
    qtbot, window, tmp_path
) -> None:
    window.farm.runner.backend = fake_backend
    small_params(window, size=32, steps=2)
    window.panel.random_seed.setChecked(True)
    dialog = window.farm.open_send()
    dialog.images.setValue(2)
    dialog.folder.setText(str(tmp_path / "farm"))
    shown = [p.seed for p in window.farm._shown]
    assert f"seeds {shown[0]}–{shown[1]}" in dialog.summary.text()
    with qtbot.waitSignal(window.farm.runner.finished, timeout=20_000):
        dialog.render_button.click()
    made = [params_from_text_chunks(read_image(f)[1]).seed for f in _pngs(tmp_path / "farm")]
    assert made == shown


def test_img2img_sends_the_canvas_pixels_to_the_farm(qtbot, window, tmp_path) -> None:
    from studio.core.document import Document

    picture = np.random.default_rng(1).integers(0, 256, (32, 48, 3), dtype=np.uint8)
    window.set_document(Document.from_image(picture))
    small_params(window, size=32, steps=2, seed=5)
    sources: list[np.ndarray] = []

    def backend(request, todo, folder, cancel, written):
        sources.extend(read_image(item.image)[0] for item in todo)
        fake_backend(request, todo, folder, cancel, written)

    window.farm.runner.backend = backend
    dialog = window.farm.open_send()
    dialog.images.setValue(2)
    dialog.folder.setText(str(tmp_path / "farm"))
    assert " · img2img · 48×32 · " in dialog.summary.text()
    with qtbot.waitSignal(window.farm.runner.finished, timeout=20_000):
        dialog.render_button.click()
    assert len(sources) == 2 and all(np.array_equal(s, picture) for s in sources)


def test_farm_images_are_kept_in_the_history_dock_with_their_params(qtbot, window, tmp_path):
    window.farm.runner.backend = fake_backend
    history = window.history_ui
    assert history.panel.listed() == []
    small_params(window, size=32, steps=2, seed=60, prompt="lighthouse at dusk")
    dialog = window.farm.open_send()
    dialog.images.setValue(2)
    dialog.folder.setText(str(tmp_path / "farm"))
    with qtbot.waitSignal(window.farm.runner.finished, timeout=20_000) as finished:
        dialog.render_button.click()
    assert finished.args[0].error is None, finished.args[0]
    entries = sorted(
        (history.history.get(file) for file in history.panel.listed()), key=lambda e: e.params.seed
    )
    assert [e.params.seed for e in entries] == [60, 61]
    for entry, path in zip(entries, _pngs(tmp_path / "farm"), strict=True):
        pixels, chunks = read_image(path)
        assert entry.params == params_from_text_chunks(chunks)  # what the farm's file says
        assert np.array_equal(history.history.read(entry)[..., :3], pixels[..., :3])
