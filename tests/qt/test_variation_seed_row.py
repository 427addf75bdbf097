"""The prompt panel's Extra seed options: a variation seed and strength, folded by default,
carried by the panel's params and restored by Reuse parameters."""

from __future__ import annotations

import numpy as np
from PIL import Image, PngImagePlugin

from studio.ui.generate import variation_seed_row
from studio.ui.generate.prompt_panel import PromptPanel
from tests.qt.conftest import small_params
from tests.qt.test_variations_grid import generate_n

A1111 = (
    "a red fox in the snow\n"
    "Steps: 20, Sampler: Euler, CFG scale: 7, Seed: 1234, Variation seed: 5678, "
    "Variation seed strength: 0.35, Size: 64x64, Model: tiny"
)


def test_extra_is_folded_and_off_by_default(qtbot):
    panel = PromptPanel()
    qtbot.addWidget(panel)
    panel.show()
    assert panel.variation.toggle.isVisible() and not panel.variation.isVisible()
    params = panel.params()
    assert params.variation_seed is None and params.variation_strength == 0.0
    assert not params.varies


def test_open_extra_puts_the_variation_seed_in_the_params(qtbot, monkeypatch):
    panel = PromptPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.variation.toggle.click()
    assert panel.variation.isVisible()
    panel.variation.random.setChecked(False)
    panel.variation.seed.setValue(4_000_000_000)  # above a QSpinBox's int32 limit
    panel.variation.slider.setValue(25)
    assert panel.variation.strength.value() == 0.25
    params = panel.params().validated()
    assert (params.variation_seed, params.variation_strength) == (4_000_000_000, 0.25)
    assert params.varies
    monkeypatch.setattr(variation_seed_row, "random_seed", lambda: 99)
    panel.variation.random.setChecked(True)
    assert not panel.variation.seed.isEnabled()
    assert panel.params().variation_seed == 99
    panel.variation.toggle.click()  # folding Extra switches it off
    assert not panel.variation.isVisible() and panel.params().variation_seed is None


def test_outside_text_to_image_the_fields_are_greyed_and_not_used(qtbot):
    panel = PromptPanel()
    qtbot.addWidget(panel)
    panel.variation.toggle.setChecked(True)
    panel.variation.random.setChecked(False)
    panel.set_auto_mode("img2img")
    assert not panel.variation.isEnabled()
    params = panel.params()
    assert params.mode == "img2img" and params.variation_seed is None
    params.validated()  # no "variation seed mixes into text-to-image only" error
    panel.set_auto_mode("txt2img")
    assert panel.variation.isEnabled() and panel.variation.seed.isEnabled()
    assert panel.params().varies


def test_reuse_parameters_restores_the_variation_seed_and_generate_sends_it(
    qtbot, window, fake_engine
):
    small_params(window, seed=7)
    panel = window.panel
    panel.variation.toggle.setChecked(True)
    panel.variation.random.setChecked(False)
    panel.variation.seed.setValue(321)
    panel.variation.strength.setValue(0.4)
    (made,) = generate_n(qtbot, window, 1, seed=7)
    assert fake_engine.calls[-1].variation_seed == 321
    assert fake_engine.calls[-1].variation_strength == 0.4
    assert (made.params.variation_seed, made.params.variation_strength) == (321, 0.4)
    panel.variation.toggle.setChecked(False)
    panel.variation.seed.setValue(1)
    window.strip.setCurrentRow(0)
    window.actions_["reuse"].trigger()  # Generate ▸ Reuse parameters (Ctrl+R)
    assert panel.variation.toggle.isChecked() and panel.variation.isVisible()
    params = panel.params()
    assert (params.seed, params.variation_seed, params.variation_strength) == (7, 321, 0.4)


def test_reuse_of_an_a1111_image_restores_its_variation_seed(qtbot, window, tmp_path):
    info = PngImagePlugin.PngInfo()
    info.add_text("parameters", A1111)
    path = tmp_path / "fox.png"
    Image.fromarray(np.zeros((64, 64, 3), np.uint8)).save(path, pnginfo=info)
    window.panel.variation.toggle.setChecked(False)
    assert window.open_path(path)
    window.reuse_parameters()
    row = window.panel.variation
    assert row.toggle.isChecked() and not row.random.isChecked()
    assert (int(row.seed.value()), row.strength.value()) == (5678, 0.35)
    window.panel.mode.setCurrentIndex(window.panel.mode.findData("txt2img"))
    params = window.panel.params()
    assert (params.seed, params.variation_seed, params.variation_strength) == (1234, 5678, 0.35)


def test_reuse_of_params_without_a_variation_seed_folds_extra(qtbot):
    panel = PromptPanel()
    qtbot.addWidget(panel)
    panel.variation.toggle.setChecked(True)
    panel.set_params(panel.params().replace(seed=5, variation_seed=None, variation_strength=0))
    assert not panel.variation.toggle.isChecked() and panel.params().variation_seed is None
