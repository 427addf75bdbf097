"""Render on farm… on a real local Ray runtime that the app starts itself (from its farm
thread) and stops again: two `tiny` images land in the folder and the strip with progress in
the status bar, and a cancel keeps the finished file. Ray starts in seconds: two tests only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from studio.core.export import INDEX_NAME, SHEET_NAME
from studio.core.farm_config import FarmConfig
from studio.core.imagefiles import read_image
from studio.core.metadata import params_from_text_chunks
from studio.jobs.farm_job import ray_backend
from tests.qt.conftest import small_params

ray = pytest.importorskip("ray")


def _send(qtbot, window, folder: Path, images: int, seed: int):
    small_params(window, size=64, steps=2, seed=seed, prompt="castle on a cliff")
    window.farm.set_config(FarmConfig("", workers=2, cpus=1))  # empty: Ray on this machine
    dialog = window.farm.open_send()
    dialog.images.setValue(images)
    dialog.folder.setText(str(folder))
    assert dialog.render_button.isEnabled(), dialog.summary.text()
    with qtbot.waitSignal(window.farm.runner.finished, timeout=300_000) as finished:
        dialog.render_button.click()
    return finished.args[0]


def test_two_tiny_images_render_on_a_local_ray_runtime_with_progress(qtbot, window, tmp_path):
    status = window.farm.widget
    seen: list[str] = []
    window.farm.runner.progress.connect(lambda *_: seen.append(status.label.text()))
    report = _send(qtbot, window, tmp_path / "farm", images=2, seed=11)
    assert report.error is None and not report.cancelled, report
    assert seen[0] == "farm: 0/2 images" and seen[-1] == "farm: 2/2 images"
    assert sorted(seen[1:]) == ["farm: 1/2 images", "farm: 2/2 images"]
    assert status.label.text() == "farm done: 2/2 images" and status.bar.value() == 2
    files = sorted(p for p in (tmp_path / "farm").glob("*.png") if p.name != SHEET_NAME)
    assert [p.name for p in files] == [
        "0001-castle on a cliff-11.png",
        "0002-castle on a cliff-12.png",
    ]
    for path, seed in zip(files, (11, 12), strict=True):
        pixels, chunks = read_image(path)
        params = params_from_text_chunks(chunks)
        assert pixels.shape == (64, 64, 3) and pixels.std() > 0  # tiny paints noise
        assert (params.seed, params.model, params.steps) == (seed, "tiny", 2)
    assert sorted(json.loads((tmp_path / "farm" / INDEX_NAME).read_text())) == [
        p.name for p in files
    ]
    assert sorted(v.params.seed for v in window.strip.variations()) == [11, 12]
    assert not ray.is_initialized()  # the Ray runtime the app started is gone again


def test_cancel_on_the_ray_farm_keeps_the_finished_image(qtbot, window, tmp_path):
    def cancel_after_first(request, todo, folder, cancel, written):
        def first(*args):
            written(*args)
            cancel.set()  # as the status bar's Cancel does, at a known point

        ray_backend(request, todo, folder, cancel, first)

    window.farm.runner.backend = cancel_after_first
    report = _send(qtbot, window, tmp_path / "farm", images=3, seed=20)
    assert report.cancelled and len(report.rendered) == 1, report
    kept = [p.name for p in (tmp_path / "farm").glob("*.png")]
    assert kept == list(report.rendered)
    assert window.farm.widget.label.text() == "farm cancelled: 1/3 kept"
    assert not ray.is_initialized()


def test_an_unreachable_cluster_is_one_line_in_a_message_box(qtbot, window, tmp_path):
    small_params(window, size=64, steps=2, seed=1)
    window.farm.set_config(FarmConfig("127.0.0.1:1"))  # nothing listens on port 1
    dialog = window.farm.open_send()
    dialog.folder.setText(str(tmp_path / "farm"))
    with qtbot.waitSignal(window.farm.runner.finished, timeout=60_000) as finished:
        dialog.render_button.click()
    error = finished.args[0].error
    assert error.startswith("cannot reach the Ray cluster at '127.0.0.1:1' (")
    assert "leave the address empty for a Ray runtime on this machine" in error
    assert window.last_error == f"render farm: {error} (0 of 8 images kept)"
    assert (
        "\n" not in window.last_error and window.farm.widget.label.text() == "farm failed: 0/8 kept"
    )
    assert not ray.is_initialized()
