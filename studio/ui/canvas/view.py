"""The canvas: a QGraphicsView showing the document image, mask overlay and live previews.

Zoom with the wheel (or pinch) about the cursor, fit (Ctrl+0), 100% (Ctrl+1); pan with
space-drag or the middle button. The left button paints the mask with the mask brush or
eraser, or the active layer with the paint brush, paint eraser or fill (Alt+click picks a
colour while painting); strokes interpolate between pointer events and tablet pressure
scales the brush. The image is the composite of the document's visible layers.

This module holds the document, overlay and preview side; zooming and panning live in
studio.ui.canvas.zoom_view and the pointer (strokes, fill, colour pick) in
studio.ui.canvas.strokes.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap
from PySide6.QtWidgets import QGraphicsPixmapItem, QGraphicsScene, QGraphicsView, QWidget

from studio.core.document import Document
from studio.ui.canvas.items import BrushOutline, MaskOverlayItem
from studio.ui.canvas.preview import compose_preview
from studio.ui.canvas.qtimage import from_qimage
from studio.ui.canvas.strokes import PAINT_TOOLS, BrushSettings, StrokeView
from studio.ui.canvas.zoom_view import MAX_ZOOM, MIN_ZOOM, WHEEL_STEP
from studio.ui.layers.canvas_item import CompositeItem

__all__ = ["MAX_ZOOM", "MIN_ZOOM", "PAINT_TOOLS", "WHEEL_STEP", "BrushSettings", "CanvasView"]

SCENE_MARGIN = 100_000.0  # lets any image point sit under the cursor at any zoom


class CanvasView(StrokeView):
    """The document's composite, mask overlay and previews; zoom and pan (ZoomPanView) and
    strokes (StrokeView) come from its bases."""

    files_dropped = Signal(list)  # list[str]

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = Document.blank(512, 512)
        self._scene = QGraphicsScene(self)
        self.setScene(self._scene)
        self._image_item = CompositeItem()
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

        self.mask_visible = True
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
