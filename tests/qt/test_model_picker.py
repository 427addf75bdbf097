"""A first launch opens on the built-in demo model `mini` (when its weights are installed),
labelled, at its 64 px size; without them, on `tiny`."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from studio.ui.models.picker import DEMO_MODEL


@pytest.fixture
def demo_installed(monkeypatch):
    monkeypatch.setattr("studio.ui.models.picker.mini_available", lambda: True)


@pytest.fixture
def demo_absent(monkeypatch):
    monkeypatch.setattr("studio.ui.models.picker.mini_available", lambda: False)


def test_without_the_demo_weights_the_picker_starts_on_tiny(demo_absent, window):
    panel = window.panel
    names = [panel.model.itemText(i) for i in range(panel.model.count())]
    assert names == ["tiny", "tiny-inpaint"] and panel.params().model == "tiny"
    assert not panel.model_hint.isVisible()


def test_first_launch_picks_the_demo_model_at_its_own_size(demo_installed, window):
    panel = window.panel
    assert panel.model.currentText() == DEMO_MODEL
    assert (panel.width_box.value(), panel.height_box.value()) == (64, 64)
    assert panel.params().model == "mini" and panel.params().width == 64


def test_the_demo_model_is_labelled_in_the_picker_and_under_it(demo_installed, window):
    panel = window.panel
    index = panel.model.findText("mini")
    assert "demo model" in panel.model.itemData(index, Qt.ItemDataRole.ToolTipRole).lower()
    assert panel.model_hint.isVisible() and "Demo model" in panel.model_hint.text()
    panel.model.setCurrentText("sd15.safetensors")
    assert not panel.model_hint.isVisible()


def test_the_size_follows_the_model_until_the_user_sets_one(demo_installed, window):
    panel = window.panel
    panel.model.setCurrentText("sd15.safetensors")
    assert panel.width_box.value() == 512 and panel.height_box.value() == 512
    panel.model.setCurrentText("mini")
    assert panel.width_box.value() == 64
    panel.width_box.setValue(96)
    panel.model.setCurrentText("sd15.safetensors")
    assert panel.width_box.value() == 96, "a size the user chose is kept"


def test_the_worker_model_list_keeps_the_demo_model_and_its_label(demo_installed, window):
    window.panel.set_models(["my-model.safetensors"])
    names = [window.panel.model.itemText(i) for i in range(window.panel.model.count())]
    assert names[0] == "my-model.safetensors" and "mini" in names
    assert window.panel.model.currentText() == "mini"
    tip = window.panel.model.itemData(names.index("mini"), Qt.ItemDataRole.ToolTipRole)
    assert "demo" in tip.lower()
