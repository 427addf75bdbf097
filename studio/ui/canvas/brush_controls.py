"""Toolbar controls for the mask brush: size and hardness."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QSpinBox, QWidget

MIN_SIZE, MAX_SIZE = 1, 1024


class BrushControls(QWidget):
    size_changed = Signal(float)
    hardness_changed = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.size = QSpinBox()
        self.size.setRange(MIN_SIZE, MAX_SIZE)
        self.size.setSuffix(" px")
        self.size.setToolTip("Brush size ([ and ])")
        self.size.valueChanged.connect(lambda v: self.size_changed.emit(float(v)))
        self.hardness = QSlider(Qt.Orientation.Horizontal)
        self.hardness.setRange(0, 100)
        self.hardness.setFixedWidth(90)
        self.hardness.setToolTip("Brush hardness (Shift+[ and Shift+])")
        self.hardness.valueChanged.connect(lambda v: self.hardness_changed.emit(v / 100.0))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 0, 6, 0)
        layout.addWidget(QLabel("Size"))
        layout.addWidget(self.size)
        layout.addSpacing(8)
        layout.addWidget(QLabel("Hardness"))
        layout.addWidget(self.hardness)

    def show_values(self, size: float, hardness: float) -> None:
        for widget, value in ((self.size, round(size)), (self.hardness, round(hardness * 100))):
            widget.blockSignals(True)
            widget.setValue(value)
            widget.blockSignals(False)
