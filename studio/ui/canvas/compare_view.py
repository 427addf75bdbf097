"""Compare with canvas: the current canvas image and one result side by side, at one scale."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from studio.core.session import Result
from studio.ui.canvas.qtimage import to_qimage

BACKDROP = QColor(46, 46, 51)


class ImagePane(QWidget):
    """An image fitted into the pane (never cropped), or a placeholder text."""

    def __init__(self, placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.placeholder = placeholder
        self.pixmap: QPixmap | None = None
        self.scale_to: QSize | None = None  # shared logical size, so both panes use one scale
        self.setMinimumSize(240, 240)

    def set_image(self, image: np.ndarray | None) -> None:
        self.pixmap = None if image is None else QPixmap.fromImage(to_qimage(image))
        self.update()

    def image_rect(self) -> QRect:
        """Where the image is drawn (empty when there is none)."""
        if self.pixmap is None:
            return QRect()
        logical = self.scale_to or self.pixmap.size()
        area = self.rect().adjusted(6, 6, -6, -6)
        fitted = logical.scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
        # The larger image of the two sets the scale; the other is drawn at the same scale.
        factor = fitted.width() / max(logical.width(), 1)
        size = QSize(round(self.pixmap.width() * factor), round(self.pixmap.height() * factor))
        x = area.x() + (area.width() - size.width()) // 2
        y = area.y() + (area.height() - size.height()) // 2
        return QRect(x, y, size.width(), size.height())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), BACKDROP)  # the canvas's neutral dark grey
        if self.pixmap is None:
            painter.setPen(QColor(170, 170, 176))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.placeholder)
            return
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        target = self.image_rect()
        painter.drawPixmap(target, self.pixmap)
        painter.setPen(QColor(0, 0, 0, 90))
        painter.drawRect(QRectF(target).adjusted(-0.5, -0.5, 0.5, 0.5))


class CompareView(QDialog):
    """Non-modal: the canvas on the left, the result on the right."""

    apply_requested = Signal(object)  # Result

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("compareView")
        self.setWindowTitle("Compare with canvas")
        self.setModal(False)
        self.result: Result | None = None
        self.canvas_pane = ImagePane("The canvas is empty")
        self.result_pane = ImagePane("No result selected")
        self.canvas_title = QLabel()
        self.result_title = QLabel()
        for title in (self.canvas_title, self.result_title):
            title.setAlignment(Qt.AlignmentFlag.AlignCenter)
            title.setStyleSheet("font-weight: 600;")
        panes = QHBoxLayout()
        for title, pane in (
            (self.canvas_title, self.canvas_pane),
            (self.result_title, self.result_pane),
        ):
            column = QVBoxLayout()
            column.addWidget(title)
            column.addWidget(pane, 1)
            panes.addLayout(column, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.apply_button = QPushButton("Apply result to canvas")
        buttons.addButton(self.apply_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.close)
        self.apply_button.clicked.connect(self._apply)
        layout = QVBoxLayout(self)
        layout.addLayout(panes, 1)
        layout.addWidget(buttons)
        self.resize(1000, 560)

    def show_pair(self, canvas: np.ndarray | None, result: Result) -> None:
        """Show the canvas image (None when blank) beside the result."""
        self.result = result
        self.canvas_pane.set_image(canvas)
        self.result_pane.set_image(result.image)
        sizes = [a.shape[1::-1] for a in (canvas, result.image) if a is not None]
        shared = QSize(max(w for w, _ in sizes), max(h for _, h in sizes))
        self.canvas_pane.scale_to = self.result_pane.scale_to = shared
        canvas_size = f" · {canvas.shape[1]}×{canvas.shape[0]}" if canvas is not None else ""
        self.canvas_title.setText(f"Canvas{canvas_size}")
        star = "★ " if result.starred else ""
        height, width = result.image.shape[:2]
        self.result_title.setText(f"{star}Seed {result.params.seed} · {width}×{height}")
        self.setWindowTitle(f"Compare seed {result.params.seed} with canvas")
        self.apply_button.setEnabled(True)

    def clear_result(self) -> None:
        self.result = None
        self.result_pane.set_image(None)
        self.result_title.setText("")
        self.apply_button.setEnabled(False)

    def _apply(self) -> None:
        if self.result is not None:
            self.apply_requested.emit(self.result)
