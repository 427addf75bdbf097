"""Zoom and pan for the canvas: wheel or pinch zoom about the cursor, fit, 100%, scrolling.

The canvas (studio.ui.canvas.view) builds on this view; it provides `image_rect` and the brush
outline that follows the cursor while zooming.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QNativeGestureEvent, QTransform, QWheelEvent
from PySide6.QtWidgets import QGraphicsView, QWidget

MIN_ZOOM, MAX_ZOOM = 0.02, 64.0
WHEEL_STEP = 1.0015  # zoom factor per 1/8 degree of wheel rotation (120 units ~ 1.2x)


class ZoomPanView(QGraphicsView):
    zoom_changed = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._zoom_anchor: tuple[QPointF, QPointF, tuple[int, int, float]] | None = None

    def image_rect(self) -> QRectF:
        """The image's rectangle in scene coordinates (what fit() frames)."""
        raise NotImplementedError

    def _update_outline(self, view_pos: QPointF) -> None:
        """Move the brush outline to view_pos (the canvas draws one)."""

    @property
    def zoom(self) -> float:
        return float(self.transform().m11())

    def map_to_image(self, view_pos: QPointF) -> QPointF:
        """Exact (sub-pixel) scene point under a viewport position."""
        inverse, _ok = self.viewportTransform().inverted()
        return inverse.map(QPointF(view_pos))

    def zoom_at(self, factor: float, view_pos: QPointF) -> None:
        """Scale by factor keeping the scene point under view_pos where it is."""
        new_zoom = min(max(self.zoom * factor, MIN_ZOOM), MAX_ZOOM)
        if abs(new_zoom - self.zoom) < 1e-9:
            return
        before = self.map_to_image(view_pos)
        # Repeated wheel steps at one spot reuse the exact anchor, so the whole-pixel scroll
        # offsets never let the point under the cursor drift.
        anchor = self._zoom_anchor
        if anchor is not None and anchor[0] == view_pos and anchor[2] == self._scroll_state():
            before = anchor[1]
        self.setTransform(QTransform.fromScale(new_zoom, new_zoom))
        after = self.map_to_image(view_pos)
        self._scroll_by((before.x() - after.x()) * new_zoom, (before.y() - after.y()) * new_zoom)
        self._zoom_anchor = (QPointF(view_pos), before, self._scroll_state())
        self.zoom_changed.emit(self.zoom)
        self._update_outline(view_pos)

    def _scroll_state(self) -> tuple[int, int, float]:
        return (self.horizontalScrollBar().value(), self.verticalScrollBar().value(), self.zoom)

    def _scroll_by(self, dx: float, dy: float) -> None:
        h, v = self.horizontalScrollBar(), self.verticalScrollBar()
        h.setValue(h.value() + round(dx))
        v.setValue(v.value() + round(dy))

    def zoom_in(self) -> None:
        self.zoom_at(1.25, QPointF(self.viewport().rect().center()))

    def zoom_out(self) -> None:
        self.zoom_at(0.8, QPointF(self.viewport().rect().center()))

    def fit(self) -> None:
        self.resetTransform()
        self.fitInView(self.image_rect().adjusted(-8, -8, 8, 8), Qt.AspectRatioMode.KeepAspectRatio)
        self.zoom_changed.emit(self.zoom)

    def actual_size(self) -> None:
        centre = self.map_to_image(QPointF(self.viewport().rect().center()))
        self.setTransform(QTransform())
        self.centerOn(centre)
        self.zoom_changed.emit(self.zoom)

    def wheelEvent(self, event: QWheelEvent) -> None:
        delta = event.angleDelta().y() or event.angleDelta().x()
        if delta:
            self.zoom_at(WHEEL_STEP**delta, event.position())
        event.accept()

    def viewportEvent(self, event: QEvent) -> bool:
        if (
            isinstance(event, QNativeGestureEvent)
            and event.gestureType() == Qt.NativeGestureType.ZoomNativeGesture
        ):
            self.zoom_at(1.0 + event.value(), event.position())
            return True
        return super().viewportEvent(event)
