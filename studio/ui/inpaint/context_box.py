"""The context box on the canvas: the part of the picture repainted (with its context) when
inpainting.

While a mask exists (and the job would be an inpaint), a dashed rectangle shows the box that
`studio.core.inpaint.plan.context_box_for_mask` computes for the panel's padding, feather, grow
and area and the model's native size, labelled with its size and the size it renders at. It
is recomputed (throttled) while the mask is painted and whenever a setting changes.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsRectItem,
    QStyleOptionGraphicsItem,
    QWidget,
)

from studio.core.inpaint.geometry import Box, render_size
from studio.core.inpaint.plan import context_box_for_mask
from studio.core.params import GenerationParams
from studio.ui.canvas.view import CanvasView
from studio.ui.generate.prompt_panel import PromptPanel
from studio.ui.state.document_model import DocumentModel

BOX_COLOR = QColor(255, 255, 255)  # white dashes over a dark outline read on any image
LABEL_COLOR = QColor(150, 220, 255)
THROTTLE_MS = 30


def box_label(width: int, height: int, out_w: int, out_h: int) -> str:
    """The box's caption in an artist's words: what is repainted, at what size."""
    if (out_w, out_h) == (width, height):
        return f"Repaints this {width}×{height} area"
    return f"Repaints a {width}×{height} area at {out_w}×{out_h}, then scales it back"


class _Label(QGraphicsItem):
    """A small text tag that keeps its screen size at any zoom."""

    def __init__(self, parent: QGraphicsItem) -> None:
        super().__init__(parent)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self._text = ""
        self._font = QFont()
        self._font.setPointSizeF(8.5)

    def set_text(self, text: str) -> None:
        self.prepareGeometryChange()
        self._text = text

    def boundingRect(self) -> QRectF:
        metrics = QFontMetricsF(self._font)
        width, height = metrics.horizontalAdvance(self._text) + 10, metrics.height() + 6
        return QRectF(0, -height, width, height)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        if widget is None or not self._text:
            return
        rect = self.boundingRect()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(20, 24, 30, 210))
        painter.drawRoundedRect(rect, 3, 3)
        painter.setFont(self._font)
        painter.setPen(LABEL_COLOR)
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self._text)


class ScreenOnlyRect(QGraphicsRectItem):
    """A rect item that paints on screen only (scene renders into images pass no widget)."""

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        if widget is not None:
            super().paint(painter, option, widget)


class ContextBoxItem(ScreenOnlyRect):
    """Dashed outline of the context box (screen-width pen) with a size label.

    It draws only on screen: `CanvasView.rendered_image` (a scene render without a widget)
    leaves it out, so it never mixes into pixels that are compared or exported.
    """

    def __init__(self) -> None:
        super().__init__()
        pen = QPen(BOX_COLOR, 2.0, Qt.PenStyle.DashLine)
        pen.setCosmetic(True)
        self.setPen(pen)
        self.setBrush(Qt.BrushStyle.NoBrush)
        self.setZValue(3)  # over the mask overlay and the live preview, under the brush outline
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self._shadow = ScreenOnlyRect(self)
        shadow = QPen(QColor(0, 0, 0, 150), 4.0)
        shadow.setCosmetic(True)
        self._shadow.setPen(shadow)
        self._shadow.setFlag(QGraphicsItem.GraphicsItemFlag.ItemStacksBehindParent)
        self._label = _Label(self)
        self.box: Box | None = None
        self.text = ""
        self.hide()

    def set_box(self, box: Box | None, text: str = "") -> None:
        self.box, self.text = box, text
        if box is None:
            self.hide()
            return
        rect = QRectF(box.x0, box.y0, box.width, box.height)
        self.setRect(rect)
        self._shadow.setRect(rect)
        self._label.set_text(text)
        self._label.setPos(rect.topLeft())
        self.show()

    def box_tuple(self) -> tuple[int, int, int, int] | None:
        return None if self.box is None else self.box.as_tuple()


class ContextBoxOverlay(QObject):
    """Keeps the context box item in step with the mask, the panel and the model."""

    def __init__(
        self,
        model: DocumentModel,
        canvas: CanvasView,
        panel: PromptPanel,
        processing_size: Callable[[GenerationParams, int, int], tuple[int, int]],
    ) -> None:
        super().__init__(canvas)
        self.model, self.canvas, self.panel = model, canvas, panel
        self._processing_size = processing_size
        self.item = ContextBoxItem()
        canvas.scene().addItem(self.item)
        self.updates = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(THROTTLE_MS)
        self._timer.timeout.connect(self.update_now)
        canvas.mask_changed.connect(self.schedule)
        panel.inpaint.changed.connect(self.schedule)
        panel.model.currentTextChanged.connect(lambda _t: self.schedule())

    def schedule(self) -> None:
        if not self._timer.isActive():
            self._timer.start()

    def update_now(self) -> None:
        """Recompute the box now (the throttled path ends here)."""
        started = time.perf_counter()
        try:
            self._update()
        finally:
            # On big images keep recomputing from eating the frames the brush needs.
            spent_ms = (time.perf_counter() - started) * 1000
            self._timer.setInterval(max(THROTTLE_MS, int(3 * spent_ms)))

    def _update(self) -> None:
        self._timer.stop()
        self.updates += 1
        doc = self.model.document
        panel = self.panel
        if panel.effective_mode() != "inpaint" or not doc.has_mask():
            self.item.set_box(None)
            return
        params = panel.inpaint.apply(GenerationParams(mode="inpaint"))
        width, height = self._processing_size(params, doc.width, doc.height)
        grow = int((params.extra or {}).get("mask_grow", 0))
        box = context_box_for_mask(
            doc.mask,
            native=(width, height),
            padding=params.padding,
            blur=params.mask_blur,
            grow=grow,
            area=params.inpaint_area,
        )
        if box is None:
            self.item.set_box(None)
            return
        out_w, out_h = render_size(box.size, (width, height))
        self.item.set_box(box, box_label(box.width, box.height, out_w, out_h))
