"""Fixes for what a new artist ran into (issue 13), each with its own check."""

from __future__ import annotations

import numpy as np

from studio.core.imagefiles import save_png
from tests.qt.conftest import small_params


def test_opening_an_image_with_transparency_keeps_it(qtbot, window, tmp_path):
    pixels = np.zeros((16, 24, 4), np.uint8)
    pixels[4:12, 4:12] = (200, 30, 30, 255)
    assert window.open_path(save_png(tmp_path / "cut-out.png", pixels))
    layer = window.document.layers[0]
    assert layer.pixels.shape == (16, 24, 4) and layer.pixels[0, 0, 3] == 0
    assert np.array_equal(layer.pixels, pixels)
    assert tuple(window.document.image[0, 0]) == (255, 255, 255)  # generation sees white there


def test_the_zoom_label_tells_the_truth_from_the_start(qtbot, window):
    shown = window.status.zoom.text()
    assert shown == f"{window.canvas.zoom * 100:.0f}%"
    window.canvas.fit()
    assert window.status.zoom.text() == f"{window.canvas.zoom * 100:.0f}%"


def test_applying_replaces_the_previewing_hint_in_the_status_bar(qtbot, window):
    small_params(window, steps=2)
    with qtbot.waitSignal(window.controller.job_finished, timeout=5000):
        window.generate()
    window.strip.setCurrentRow(0)
    assert "previewing seed" in window.status.currentMessage()
    window.results.apply_selected()
    assert "previewing" not in window.status.currentMessage()
    assert "applied seed 7" in window.status.currentMessage()
