"""Pointer handling for the canvas: mask and paint strokes, fill, Alt+click colour pick, pan.

The left button paints the mask with the mask brush or eraser, or the active layer with the
paint brush, paint eraser or fill (Alt+click picks a colour while painting); strokes
interpolate between pointer events and tablet pressure scales the brush. Space-drag or the
middle button pans. The canvas (studio.ui.canvas.view) provides the document, the mask
overlay, the brush outline item and `refresh_region`.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent, QTabletEvent
from PySide6.QtWidgets import QWidget

from studio.core.document import Document
from studio.core.document.paint import PaintStroke, fill_edit
from studio.ui.canvas.items import BrushOutline, MaskOverlayItem
from studio.ui.canvas.zoom_view import ZoomPanView


class BrushSettings:
    """Tool state shared by the canvas and the window's actions."""

    def __init__(self) -> None:
        self.tool = "brush"  # mask: "brush" | "eraser"; active layer: PAINT_TOOLS
        self.size = 48.0  # diameter in image pixels
        self.hardness = 0.8
        self.use_pressure = True
        self.color: tuple[int, int, int] = (32, 32, 32)
        self.opacity = 1.0  # of paint strokes

    @property
    def erase(self) -> bool:
        return self.tool in ("eraser", "paint_eraser")

    @property
    def paints_layer(self) -> bool:
        return self.tool in PAINT_TOOLS


PAINT_TOOLS = ("paint", "paint_eraser", "fill")


class StrokeView(ZoomPanView):
    stroke_finished = Signal(object)  # MaskPatch
    mask_changed = Signal()  # live, while painting
    stroke_started = Signal()  # a mask or paint stroke (or a fill, a colour pick) begins
    color_picked = Signal(tuple)  # (r, g, b), Alt+click with a paint tool

    # set up by the canvas
    document: Document
    _overlay: MaskOverlayItem
    _outline: BrushOutline

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.brush = BrushSettings()
        self._paint: PaintStroke | None = None
        self._press_modifiers = Qt.KeyboardModifier.NoModifier
        self._last_point: QPointF | None = None
        self._last_radius = 0.0
        self._stroking = False
        self._space = False
        self._pan_from: QPoint | None = None

    def refresh_region(self, rect: tuple[int, int, int, int] | None) -> None:
        raise NotImplementedError

    @property
    def stroking(self) -> bool:
        return self._stroking

    # --- pointer -------------------------------------------------------------------------
    def _wants_pan(self, event: QMouseEvent) -> bool:
        return event.button() == Qt.MouseButton.MiddleButton or (
            self._space and event.button() == Qt.MouseButton.LeftButton
        )

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self._wants_pan(event):
            self._pan_from = event.position().toPoint()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
        elif event.button() == Qt.MouseButton.LeftButton:
            self._press_modifiers = event.modifiers()
            self._begin_stroke(event.position(), 1.0)
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._pan_from is not None:
            pos = event.position().toPoint()
            delta = pos - self._pan_from
            self._pan_from = pos
            self._scroll_by(-delta.x(), -delta.y())
        elif self._stroking:
            self._continue_stroke(event.position(), 1.0)
        self._update_outline(event.position())
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._pan_from is not None and event.button() in (
            Qt.MouseButton.MiddleButton,
            Qt.MouseButton.LeftButton,
        ):
            self._pan_from = None
            self.viewport().setCursor(
                Qt.CursorShape.OpenHandCursor if self._space else Qt.CursorShape.CrossCursor
            )
        elif event.button() == Qt.MouseButton.LeftButton and self._stroking:
            self._continue_stroke(event.position(), None)
            self._end_stroke()
        event.accept()

    def tabletEvent(self, event: QTabletEvent) -> None:
        pressure = event.pressure() if self.brush.use_pressure else 1.0
        kind = event.type()
        if kind == QEvent.Type.TabletPress and not self._space:
            self._press_modifiers = event.modifiers()
            self._begin_stroke(event.position(), pressure)
        elif kind == QEvent.Type.TabletMove and self._stroking:
            self._continue_stroke(event.position(), pressure)
        elif kind == QEvent.Type.TabletRelease and self._stroking:
            self._end_stroke()
        else:
            event.ignore()
            return
        self._update_outline(event.position())
        event.accept()

    def _radius(self, pressure: float) -> float:
        return max(0.5, self.brush.size / 2.0 * max(0.05, min(pressure, 1.0)))

    def _begin_stroke(self, view_pos: QPointF, pressure: float) -> None:
        if self._stroking:
            self._end_stroke()
        self.stroke_started.emit()
        point = self.map_to_image(view_pos)
        if self.brush.paints_layer:
            self._begin_paint(point, pressure)
            return
        self._stroking = True
        radius = self._radius(pressure)
        self.document.begin_stroke()
        rect = self.document.stroke_to(
            (point.x(), point.y()),
            (point.x(), point.y()),
            radius,
            self.brush.hardness,
            self.brush.erase,
            include_start=True,
        )
        self._last_point, self._last_radius = point, radius
        self._after_paint(rect)

    def _continue_stroke(self, view_pos: QPointF, pressure: float | None) -> None:
        if self._last_point is None:
            return
        point = self.map_to_image(view_pos)
        radius = self._last_radius if pressure is None else self._radius(pressure)
        if self._paint is not None:
            rect = self._paint.segment(
                (self._last_point.x(), self._last_point.y()),
                (point.x(), point.y()),
                self._last_radius,
                self.brush.hardness,
                end_radius=radius,
            )
            self._last_point, self._last_radius = point, radius
            self.refresh_region(rect) if rect is not None else None
            return
        rect = self.document.stroke_to(
            (self._last_point.x(), self._last_point.y()),
            (point.x(), point.y()),
            self._last_radius,
            self.brush.hardness,
            self.brush.erase,
            end_radius=radius,
        )
        self._last_point, self._last_radius = point, radius
        self._after_paint(rect)

    def _end_stroke(self) -> None:
        self._stroking = False
        self._last_point = None
        if self._paint is not None:
            stroke, self._paint = self._paint, None
            self.stroke_finished.emit(stroke.finish())
            return
        label = "Erase mask" if self.brush.erase else "Paint mask"
        patch = self.document.end_stroke(label)
        if patch is not None:
            self.stroke_finished.emit(patch)

    def _begin_paint(self, point: QPointF, pressure: float) -> None:
        """Paint tools act on the active layer; Alt+click picks the colour under the cursor."""
        doc = self.document
        x, y = int(point.x()), int(point.y())
        inside = 0 <= x < doc.width and 0 <= y < doc.height
        if self._alt_held():
            if inside:
                r, g, b = (int(v) for v in doc.image[y, x])
                self.brush.color = (r, g, b)
                self.color_picked.emit((r, g, b))
            return
        layer = doc.active_layer
        if self.brush.tool == "fill":
            self.stroke_finished.emit(
                fill_edit(doc, layer, (point.x(), point.y()), self.brush.color)
            )
            return
        self._stroking = True
        opacity = self.brush.opacity
        self._paint = PaintStroke(doc, layer, self.brush.color, opacity, self.brush.erase)
        radius = self._radius(pressure)
        rect = self._paint.segment(
            (point.x(), point.y()),
            (point.x(), point.y()),
            radius,
            self.brush.hardness,
            include_start=True,
        )
        self._last_point, self._last_radius = point, radius
        if rect is not None:
            self.refresh_region(rect)

    def _alt_held(self) -> bool:
        return bool(self._press_modifiers & Qt.KeyboardModifier.AltModifier)

    def _after_paint(self, rect: tuple[int, int, int, int] | None) -> None:
        if rect is not None:
            self._overlay.update_region(self.document.mask, rect)
            self.mask_changed.emit()

    def _update_outline(self, view_pos: QPointF) -> None:
        point = self.map_to_image(view_pos)
        self._outline.place(point.x(), point.y(), self.brush.size)
        self._outline.setVisible(self.underMouse() or self._stroking)

    def refresh_outline(self) -> None:
        pos = self.viewport().mapFromGlobal(self.cursor().pos())
        self._update_outline(QPointF(pos))

    def leaveEvent(self, event: QEvent) -> None:
        self._outline.hide()
        super().leaveEvent(event)

    # --- keys ----------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space:
            if not event.isAutoRepeat():
                self._space = True
                self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            event.accept()
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space:
            if not event.isAutoRepeat():
                self._space = False
                self._pan_from = None
                self.viewport().setCursor(Qt.CursorShape.CrossCursor)
            event.accept()
            return
        super().keyReleaseEvent(event)
