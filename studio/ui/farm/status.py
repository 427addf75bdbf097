"""The render farm's corner of the status bar: images done / total, Cancel, Open folder."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QToolButton, QWidget


class FarmStatus(QWidget):
    """Hidden until a farm run starts; after it ends it offers the folder until dismissed."""

    cancel_requested = Signal()
    open_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("farmStatus")
        self.label = QLabel()
        self.label.setObjectName("farmProgressText")
        self.bar = QProgressBar()
        self.bar.setFixedWidth(120)
        self.bar.setTextVisible(False)
        self.cancel_button = QToolButton()
        self.cancel_button.setText("Cancel")
        self.cancel_button.setToolTip("Stop the farm; finished images stay in the folder")
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.open_button = QToolButton()
        self.open_button.setText("Open folder")
        self.open_button.clicked.connect(self.open_requested)
        self.dismiss_button = QToolButton()
        self.dismiss_button.setText("✕")
        self.dismiss_button.setToolTip("Hide")
        self.dismiss_button.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 6, 0)
        layout.setSpacing(4)
        for widget in (
            self.label,
            self.bar,
            self.cancel_button,
            self.open_button,
            self.dismiss_button,
        ):
            layout.addWidget(widget)
        self.hide()

    def started(self, total: int, where: str) -> None:
        self.setToolTip(f"rendering {total} images on {where}")
        self.label.setText(f"farm: starting {where}…")
        self.bar.setRange(0, 0)  # busy until the first image: Ray and the workers start
        self.cancel_button.setEnabled(True)
        self.cancel_button.show()
        self.open_button.hide()
        self.dismiss_button.hide()
        self.show()

    def progressed(self, done: int, total: int) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)
        self.label.setText(f"farm: {done}/{total} images")

    def cancelling(self) -> None:
        self.cancel_button.setEnabled(False)
        self.label.setText(self.label.text() + " · stopping…")

    def ended(self, text: str, done: int, total: int, summary: str) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)
        self.label.setText(text)
        self.setToolTip(summary)
        self.cancel_button.hide()
        self.open_button.setVisible(done > 0)
        self.dismiss_button.show()
