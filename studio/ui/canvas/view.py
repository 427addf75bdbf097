"""The canvas: a QGraphicsView showing the document image, mask overlay and live previews.

Zoom with the wheel (or pinch) about the cursor, fit (Ctrl+0), 100% (Ctrl+1); pan with
space-drag or the middle button. The left button paints the mask with the mask brush or
eraser, or the active layer with the paint brush, paint eraser or fill (Alt+click picks a
colour while painting); strokes interpolate between pointer events and tablet pressure
scales the brush. The image is the composite of the document's visible layers.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QNativeGestureEvent,
    QPainter,
    QPixmap,
    QTabletEvent,
    QTransform,
    QWheelEvent,
)
from PySide6.QtWidgets import QGraphicsPixmapItem, QGraphicsScene, QGraphicsView, QWidget

from studio.core.document import Document
from studio.core.document.paint import PaintStroke, fill_edit
from studio.ui.canvas.items import BrushOutline, MaskOverlayItem
from studio.ui.canvas.preview import compose_preview
from studio.ui.canvas.qtimage import from_qimage
from studio.ui.layers.canvas_item import CompositeItem

MIN_ZOOM, MAX_ZOOM = 0.02, 64.0
SCENE_MARGIN = 100_000.0  # lets any image point sit under the cursor at any zoom
WHEEL_STEP = 1.0015  # zoom factor per 1/8 degree of wheel rotation (120 units ~ 1.2x)


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


class CanvasView(QGraphicsView):
    stroke_finished = Signal(object)  # MaskPatch
    mask_changed = Signal()  # live, while painting
    zoom_changed = Signal(float)
    files_dropped = Signal(list)  # list[str]
    stroke_started = Signal()  # a mask or paint stroke (or a fill, a colour pick) begins
    color_picked = Signal(tuple)  # (r, g, b), Alt+click with a paint tool

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.brush = BrushSettings()
        self.document = Document.blank(512, 512)
        self._scene = QGraphicsScene(self)
        self.setScene(self._scene)
        self._image_item = CompositeItem()
        self._paint: PaintStroke | None = None
        self._press_modifiers = Qt.KeyboardModifier.NoModifier
        self._overlay = MaskOverlayItem()
        self._overlay.setZValue(1)
        self._preview_item = QGraphicsPixmapItem()
        self._preview_item.setZValue(2)
        self._preview_item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self._preview_item.hide()
        self._outline = BrushOutline()
        self._outline.hide()
        for item in (self._image_item, self._overlay, self._preview_item, self._outline):
            self._scene.addItem(item)

        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        self.setBackgroundBrush(QColor(48, 48, 52))
        self.setFrameShape(QGraphicsView.Shape.NoFrame)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAcceptDrops(True)
        self.viewport().setAcceptDrops(True)
        self.viewport().setCursor(Qt.CursorShape.CrossCursor)
        self.grabGesture(Qt.GestureType.PinchGesture)

        self._last_point: QPointF | None = None
        self._last_radius = 0.0
        self._stroking = False
        self._space = False
        self._pan_from: QPoint | None = None
        self.mask_visible = True
        self._zoom_anchor: tuple[QPointF, QPointF, tuple[int, int, float]] | None = None
        self.set_document(self.document)

    # --- document ------------------------------------------------------------------------
    def set_document(self, document: Document, fit: bool = True) -> None:
        self.document = document
        self.refresh_image()
        self._overlay.set_mask(document.mask)
        rect = QRectF(0, 0, document.width, document.height)
        self._scene.setSceneRect(
            rect.adjusted(-SCENE_MARGIN, -SCENE_MARGIN, SCENE_MARGIN, SCENE_MARGIN)
        )
        self.clear_preview()
        if fit:
            self.fit()

    def refresh_image(self) -> None:
        self._image_item.set_document(self.document)
        if (
            self._overlay.boundingRect().size().toSize()
            != self._image_item.boundingRect().size().toSize()
        ):
            self._overlay.set_mask(self.document.mask)

    def refresh_region(self, rect: tuple[int, int, int, int] | None) -> None:
        """Recomposite and repaint only rect of the image (None: all of it)."""
        self._image_item.update_region(rect)

    def view_centre(self) -> tuple[float, float]:
        point = self.map_to_image(QPointF(self.viewport().rect().center()))
        return (point.x(), point.y())

    @property
    def stroking(self) -> bool:
        return self._stroking

    def refresh_mask(self, rect: tuple[int, int, int, int] | None = None) -> None:
        if rect is None or self.document.mask.shape != (
            int(self._overlay.boundingRect().height()),
            int(self._overlay.boundingRect().width()),
        ):
            self._overlay.set_mask(self.document.mask)
        else:
            self._overlay.update_region(self.document.mask, rect)

    def set_mask_visible(self, visible: bool) -> None:
        self.mask_visible = visible
        self._overlay.setVisible(visible)

    @property
    def shown_size(self) -> tuple[int, int]:
        """(width, height) of the image the canvas currently shows."""
        return self._image_item.size

    def image_rect(self) -> QRectF:
        return QRectF(0, 0, self.document.width, self.document.height)

    # --- previews ------------------------------------------------------------------------
    def show_preview(
        self,
        pixels: np.ndarray,
        mask: np.ndarray | None = None,
        box: tuple[int, int, int, int] | None = None,
    ) -> None:
        """Show pixels over the image (scaled to it, or to `box`); with a mask, only inside it."""
        image = compose_preview(pixels, self.document, mask, box)
        self._preview_item.setPixmap(QPixmap.fromImage(image))
        self._preview_item.show()

    def clear_preview(self) -> None:
        self._preview_item.hide()
        self._preview_item.setPixmap(QPixmap())

    @property
    def previewing(self) -> bool:
        return self._preview_item.isVisible()

    def rendered_image(self) -> np.ndarray:
        """What the canvas shows at image resolution (image + preview, no overlay): uint8 RGB."""
        target = QImage(self.document.width, self.document.height, QImage.Format.Format_RGB888)
        target.fill(QColor(0, 0, 0))
        hidden = [item for item in (self._overlay, self._outline) if item.isVisible()]
        for item in hidden:
            item.hide()
        painter = QPainter(target)
        self._scene.render(painter, QRectF(target.rect()), self.image_rect())
        painter.end()
        for item in hidden:
            item.show()
        return from_qimage(target)

    # --- zoom and pan ----------------------------------------------------------------------
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

    # --- drag and drop -------------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls() or event.mimeData().hasImage():
            event.acceptProposedAction()

    def dragMoveEvent(self, event) -> None:
        if event.mimeData().hasUrls() or event.mimeData().hasImage():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            self.files_dropped.emit(paths)
            event.acceptProposedAction()
