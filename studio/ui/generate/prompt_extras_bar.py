"""Under the prompt boxes: style, LoRA picker with weight slider, "all combinations".

The LoRA picker writes A1111 tags (`<lora:name:0.8>`) into the prompt, so the prompt stays the
single source of truth (and what is recorded); the slider re-weights the picked LoRA's tag.
A style is merged into the prompts when the job is built, so the merged text is recorded.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QSlider,
    QToolButton,
    QWidget,
)

from studio.core.errors import UserError
from studio.core.params import GenerationParams
from studio.core.prompts.library import LORA_SUFFIXES, find_named_files, lora_folders
from studio.core.prompts.styles import Style, apply_style, read_styles, write_styles
from studio.core.prompts.wildcards import (
    COMBINATIONS_KEY,
    CONFIRM_ABOVE,
    combinations,
    has_wildcards,
)
from studio.core.settings import Settings

NO_STYLE = "No style"


def _tag_pattern(name: str) -> re.Pattern[str]:
    return re.compile(r"<lora:" + re.escape(name) + r"(:[^>]*)?>", re.I)


class PromptExtrasBar(QWidget):
    def __init__(
        self,
        prompt: QPlainTextEdit,
        negative: QPlainTextEdit,
        settings: Callable[[], Settings] = Settings.load,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._prompt = prompt
        self._negative = negative
        self._settings = settings
        self.styles: list[Style] = []

        self.style = QComboBox()
        self.style.setToolTip("A style from styles.csv (A1111 format); {prompt} marks your text")
        self.save_style_button = QToolButton()
        self.save_style_button.setText("Save…")
        self.save_style_button.setToolTip("Save the current prompts as a style")
        self.save_style_button.clicked.connect(self._ask_style_name)

        self.lora = QComboBox()
        self.lora.setToolTip("LoRAs found in models/Lora and the `lora_dirs` setting")
        self.lora_weight = QSlider(Qt.Orientation.Horizontal)
        self.lora_weight.setRange(-100, 200)  # hundredths
        self.lora_weight.setValue(100)
        self.lora_weight.setToolTip("LoRA weight; moves the picked LoRA's tag in the prompt")
        self.weight_label = QLabel("1.00")
        self.weight_label.setMinimumWidth(34)
        self.add_lora_button = QToolButton()
        self.add_lora_button.setText("Add")
        self.add_lora_button.setToolTip("Add <lora:name:weight> to the prompt")
        self.add_lora_button.clicked.connect(self.add_lora)
        self.lora_weight.valueChanged.connect(self._weight_changed)

        self.all_combinations = QCheckBox("All combinations")
        self.all_combinations.setToolTip(
            "With wildcards ({a|b}, __file__): render every combination, not Count random picks"
        )

        grid = QGridLayout(self)
        grid.setContentsMargins(0, 2, 0, 2)
        grid.setHorizontalSpacing(4)
        grid.addWidget(QLabel("Style"), 0, 0)
        grid.addWidget(self.style, 0, 1, 1, 3)
        grid.addWidget(self.save_style_button, 0, 4)
        grid.addWidget(QLabel("LoRA"), 1, 0)
        grid.addWidget(self.lora, 1, 1)  # its weight beside it: one row less in a tall panel
        grid.addWidget(self.lora_weight, 1, 2)
        grid.addWidget(self.weight_label, 1, 3)
        grid.addWidget(self.add_lora_button, 1, 4)
        grid.addWidget(self.all_combinations, 2, 1, 1, 4)
        grid.setColumnStretch(1, 3)
        grid.setColumnStretch(2, 2)
        self.refresh()

    # --- lists ---------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read the LoRA folders and styles.csv."""
        try:
            settings = self._settings()
            loras = sorted(find_named_files(lora_folders(settings), LORA_SUFFIXES), key=str.lower)
            self.styles = read_styles()
        except (UserError, OSError) as exc:
            loras = []
            self.setToolTip(str(exc))
        current_style = self.style.currentText()
        self.style.clear()
        self.style.addItems([NO_STYLE, *(s.name for s in self.styles)])
        self.style.setCurrentText(current_style or NO_STYLE)
        self.lora.clear()
        self.lora.addItems(loras)
        self.lora.setEnabled(bool(loras))
        self.add_lora_button.setEnabled(bool(loras))

    # --- LoRA ----------------------------------------------------------------------------
    def weight(self) -> float:
        return self.lora_weight.value() / 100

    def add_lora(self) -> None:
        name = self.lora.currentText()
        if not name:
            return
        text = self._prompt.toPlainText()
        tag = f"<lora:{name}:{self.weight():g}>"
        if _tag_pattern(name).search(text):
            text = _tag_pattern(name).sub(tag, text, count=1)
        else:
            text = f"{text.rstrip()} {tag}".lstrip()
        self._prompt.setPlainText(text)

    def _weight_changed(self, _value: int) -> None:
        self.weight_label.setText(f"{self.weight():.2f}")
        name = self.lora.currentText()
        if name and _tag_pattern(name).search(self._prompt.toPlainText()):
            self.add_lora()

    # --- styles --------------------------------------------------------------------------
    def current_style(self) -> Style | None:
        return next((s for s in self.styles if s.name == self.style.currentText()), None)

    def clear_style(self) -> None:
        self.style.setCurrentText(NO_STYLE)

    def save_style(self, name: str) -> None:
        style = Style(name, self._prompt.toPlainText(), self._negative.toPlainText())
        kept = [s for s in read_styles() if s.name != name]
        write_styles([*kept, style])
        self.refresh()
        self.style.setCurrentText(name)

    def _ask_style_name(self) -> None:
        name, ok = QInputDialog.getText(self, "Save style", "Style name:")
        if ok and name.strip():
            try:
                self.save_style(name.strip())
            except (UserError, OSError) as exc:
                QMessageBox.warning(self, "Save style", str(exc))

    # --- the job -------------------------------------------------------------------------
    def apply(self, params: GenerationParams) -> GenerationParams:
        """params with the style merged into the prompts and the combinations choice."""
        style = self.current_style()
        if style is not None:
            prompt, negative = apply_style(style, params.prompt, params.negative)
            params = params.replace(prompt=prompt, negative=negative)
        extra = {k: v for k, v in params.extra.items() if k != COMBINATIONS_KEY}
        if self.all_combinations.isChecked() and has_wildcards(params.prompt):
            extra[COMBINATIONS_KEY] = True
        return params.replace(extra=extra)

    def image_count(self, params: GenerationParams) -> int:
        """How many images params will render (all combinations x count)."""
        if not params.extra.get(COMBINATIONS_KEY):
            return params.count
        from studio.core.prompts.library import wildcard_folders

        return len(combinations(params.prompt, wildcard_folders(self._settings()))) * params.count

    def confirm(self, params: GenerationParams) -> bool:
        """Ask before rendering more than CONFIRM_ABOVE combinations."""
        count = self.image_count(params)
        if count <= CONFIRM_ABOVE:
            return True
        answer = QMessageBox.question(
            self, "All combinations", f"This renders {count} images. Go ahead?"
        )
        return answer == QMessageBox.StandardButton.Yes
