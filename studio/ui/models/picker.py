"""The model picker's defaults: the built-in demo model `mini` first, labelled, at its own size.

The UI may not import the engine, so the built-in names and sizes are plain data here; the
worker's model list (engine.list_models()) adds the user's models after start-up.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QSpinBox

from studio.core.demo_model import MINI_NAME, mini_available

DEMO_MODEL = MINI_NAME
TEST_MODELS = ["tiny", "tiny-inpaint"]


def builtin_models() -> list[str]:
    """The built-ins the picker offers first: `mini` when its weights are installed, then tiny."""
    return ([DEMO_MODEL] if mini_available() else []) + TEST_MODELS


LABELS = {
    DEMO_MODEL: "Built-in demo model: one plain shape (circle, square, triangle) in a plain "
    "colour on a plain background, 64 px. Try “a red circle on a white background”.",
    "tiny": "Built-in test model with random weights: paints noise (for plumbing tests)",
    "tiny-inpaint": "Built-in 9-channel test model with random weights: paints noise",
}
NATIVE_SIDES = {DEMO_MODEL: 64, "tiny": 64, "tiny-inpaint": 64}
DEFAULT_SIDE = 512


def native_side(model: str) -> int:
    """A model's native side before the worker reports it (built-ins: 64, SDXL: 1024)."""
    name = model.strip().lower()
    if name in NATIVE_SIDES or name.startswith("tiny"):
        return NATIVE_SIDES.get(name, 64)
    return 1024 if "xl" in name else DEFAULT_SIDE


def fill_models(combo: QComboBox, names: list[str]) -> None:
    """Put `names` then the built-ins in the picker, each built-in with its label as tooltip."""
    combo.addItems(list(dict.fromkeys([*names, *builtin_models()])))
    for index in range(combo.count()):
        label = LABELS.get(combo.itemText(index))
        if label:
            combo.setItemData(index, label, Qt.ItemDataRole.ToolTipRole)


def follow_native_size(combo: QComboBox, width: QSpinBox, height: QSpinBox) -> None:
    """When the model changes and the size is still the old model's native one, use the new's."""
    previous = {"model": combo.currentText()}

    def changed(text: str) -> None:
        old = native_side(previous["model"])
        previous["model"] = text
        if (width.value(), height.value()) == (old, old):
            new = native_side(text)
            width.setValue(new)
            height.setValue(new)

    combo.currentTextChanged.connect(changed)


DEMO_HINT = "Demo model: plain coloured shapes only, 64 px"


def demo_hint(combo: QComboBox) -> QLabel:
    """A line under the picker, shown while the demo model is chosen."""
    hint = QLabel(DEMO_HINT)
    hint.setObjectName("modelHint")
    hint.setWordWrap(True)

    def update(text: str) -> None:
        hint.setVisible(text.strip() == DEMO_MODEL)

    combo.currentTextChanged.connect(update)
    update(combo.currentText())
    return hint
