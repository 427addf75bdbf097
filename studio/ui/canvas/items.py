"""Scene items of the canvas: the translucent mask overlay and the brush outline cursor, and the
base of items that draw a numpy image (the overlay, the layers' composite)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import QGraphicsEllipseItem, QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from studio.core.brush import Rect

MASK_COLOR = (255, 40, 120)
MASK_OPACITY = 0.5


def _overlay_lut(color: tuple[int, int, int], opacity: float) -> np.ndarray:
    """mask value -> premultiplied ARGB32 pixel."""
    values = np.arange(256, dtype=np.float64)
    alpha = np.round(values * opacity)
    r, g, b = (np.round(alpha * c / 255.0) for c in color)
    lut = (alpha.astype(np.uint32) << 24) | (r.astype(np.uint32) << 16)
    lut |= (g.astype(np.uint32) << 8) | b.astype(np.uint32)
    return lut


class PixelsItem(QGraphicsItem):
    """Draws `_image`, a QImage over the numpy array `_pixels` (image pixels = scene units),
    repainting only the part the view exposes."""

    _pixels: np.ndarray
    _image: QImage

    def boundingRect(self) -> QRectF:
        return QRectF(0, 0, self._pixels.shape[1], self._pixels.shape[0])

    def repaint_rect(self, rect: Rect) -> None:
        x0, y0, x1, y1 = rect
        self.update(QRectF(x0, y0, x1 - x0, y1 - y0))

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        exposed = option.exposedRect.intersected(self.boundingRect()).toAlignedRect()
        if not exposed.isEmpty():
            self.paint_exposed(painter, exposed)

    def paint_exposed(self, painter: QPainter, exposed: QRect) -> None:
        painter.drawImage(exposed, self._image, exposed)


class MaskOverlayItem(PixelsItem):
    """Draws the mask as a translucent colour; updates only the rect a stroke touched."""

    def __init__(self) -> None:
        super().__init__()
        self._lut = _overlay_lut(MASK_COLOR, MASK_OPACITY)
        self._pixels = np.zeros((1, 1), dtype=np.uint32)
        self._image = self._wrap(self._pixels)

    @staticmethod
    def _wrap(pixels: np.ndarray) -> QImage:
        height, width = pixels.shape
        return QImage(
            pixels.data, width, height, width * 4, QImage.Format.Format_ARGB32_Premultiplied
        )

    def set_mask(self, mask: np.ndarray) -> None:
        self.prepareGeometryChange()
        self._pixels = self._lut[mask]
        self._image = self._wrap(self._pixels)
        self.update()

    def update_region(self, mask: np.ndarray, rect: Rect | None) -> None:
        if rect is None:
            return
        if mask.shape != self._pixels.shape:
            self.set_mask(mask)
            return
        x0, y0, x1, y1 = rect
        self._pixels[y0:y1, x0:x1] = self._lut[mask[y0:y1, x0:x1]]
        self.repaint_rect(rect)


class BrushOutline(QGraphicsEllipseItem):
    """A round outline of the brush's diameter in image pixels, so it scales with zoom."""

    def __init__(self) -> None:
        super().__init__()
        pen = QPen(QColor(255, 255, 255, 220), 1.5)
        pen.setCosmetic(True)
        self.setPen(pen)
        self.setBrush(Qt.BrushStyle.NoBrush)
        self.setZValue(100)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self._shadow = QGraphicsEllipseItem(self)
        shadow_pen = QPen(QColor(0, 0, 0, 160), 3.0)
        shadow_pen.setCosmetic(True)
        self._shadow.setPen(shadow_pen)
        self._shadow.setFlag(QGraphicsItem.GraphicsItemFlag.ItemStacksBehindParent)

    def place(self, x: float, y: float, diameter: float) -> None:
        r = diameter / 2.0
        rect = QRectF(-r, -r, diameter, diameter)
        self.setRect(rect)
        self._shadow.setRect(rect)
        self.setPos(x, y)
