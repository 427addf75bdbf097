"""The prompt panel's LoRA picker, styles and all-combinations choice."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from studio.core.prompts.styles import Style, read_styles, write_styles
from studio.core.settings import Settings
from studio.ui.generate.prompt_panel import PromptPanel


def _panel(qtbot, tmp_path, monkeypatch):
    loras = tmp_path / "A1111" / "models" / "Lora"
    loras.mkdir(parents=True)
    for name in ("ink wash", "detail"):
        (loras / f"{name}.safetensors").write_bytes(b"x")
    wildcards = tmp_path / "wildcards"
    wildcards.mkdir()
    (wildcards / "material.txt").write_text("\n".join(f"m{i}" for i in range(40)), "utf-8")
    Settings(model_dirs=[tmp_path / "A1111"], wildcard_dirs=[wildcards]).save()
    write_styles([Style("Ink", "ink wash of {prompt}", "blurry")])
    panel = PromptPanel()
    qtbot.addWidget(panel)
    return panel


def test_lora_picker_writes_and_reweights_the_tag(qtbot, tmp_path, monkeypatch):
    panel = _panel(qtbot, tmp_path, monkeypatch)
    bar = panel.extras_bar
    assert [bar.lora.itemText(i) for i in range(bar.lora.count())] == ["detail", "ink wash"]
    panel.prompt.setPlainText("a fox")
    bar.lora.setCurrentText("ink wash")
    bar.lora_weight.setValue(80)
    assert panel.prompt.toPlainText() == "a fox"  # the slider alone adds nothing
    bar.add_lora_button.click()
    assert panel.prompt.toPlainText() == "a fox <lora:ink wash:0.8>"
    bar.lora_weight.setValue(45)
    assert panel.prompt.toPlainText() == "a fox <lora:ink wash:0.45>"
    bar.lora.setCurrentText("detail")
    bar.add_lora_button.click()
    assert panel.prompt.toPlainText() == "a fox <lora:ink wash:0.45> <lora:detail:0.45>"


def test_style_is_merged_into_the_job_and_saved(qtbot, tmp_path, monkeypatch):
    panel = _panel(qtbot, tmp_path, monkeypatch)
    panel.prompt.setPlainText("a fox")
    panel.extras_bar.style.setCurrentText("Ink")
    params = panel.params()
    assert (params.prompt, params.negative) == ("ink wash of a fox", "blurry")
    panel.set_params(params)  # reusing a recorded prompt does not apply the style twice
    assert panel.params().prompt == "ink wash of a fox"
    panel.prompt.setPlainText("{prompt}, golden hour")
    panel.extras_bar.save_style("Golden")
    assert read_styles()[-1] == Style("Golden", "{prompt}, golden hour", "blurry")
    assert panel.extras_bar.style.currentText() == "Golden"


def test_all_combinations_flag_and_confirmation(qtbot, tmp_path, monkeypatch):
    panel = _panel(qtbot, tmp_path, monkeypatch)
    bar = panel.extras_bar
    panel.prompt.setPlainText("{red|blue} dragon of __material__")
    assert "combinations" not in panel.params().extra
    bar.all_combinations.setChecked(True)
    params = panel.params()
    assert params.extra["combinations"] is True and bar.image_count(params) == 80
    asked = []

    def answer(*args, **kwargs):
        asked.append(args[2])
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", answer)
    assert bar.confirm(params) is False and "80 images" in asked[0]
    panel.prompt.setPlainText("{red|blue} dragon")
    assert bar.confirm(panel.params()) is True and len(asked) == 1
