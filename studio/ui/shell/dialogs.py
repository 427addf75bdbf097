"""Small dialogs."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QSpinBox, QWidget


def ask_canvas_size(parent: QWidget, width: int, height: int) -> tuple[int, int] | None:
    """Ask for a blank canvas size (multiples of 8); None if cancelled."""
    dialog = QDialog(parent)
    dialog.setWindowTitle("New canvas")
    form = QFormLayout(dialog)
    boxes = []
    for label, value in (("Width", width), ("Height", height)):
        box = QSpinBox()
        box.setRange(8, 8192)
        box.setSingleStep(8)
        box.setValue(value)
        box.setSuffix(" px")
        form.addRow(label, box)
        boxes.append(box)
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    form.addRow(buttons)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return tuple(max(8, round(b.value() / 8) * 8) for b in boxes)  # type: ignore[return-value]
