"""The canvas item that draws the document's composite (all visible layers) over a checkerboard.

It wraps the document's composite cache directly (no copy): after the document recomposites
a rectangle, `update_region` repaints just that rectangle.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRect
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPixmap

from studio.core.brush import Rect
from studio.core.document import Document
from studio.ui.canvas.items import PixelsItem


def _checkerboard(cell: int = 8) -> QBrush:
    tile = QPixmap(cell * 2, cell * 2)
    tile.fill(QColor(204, 204, 204))
    painter = QPainter(tile)
    painter.fillRect(0, 0, cell, cell, QColor(153, 153, 153))
    painter.fillRect(cell, cell, cell, cell, QColor(153, 153, 153))
    painter.end()
    return QBrush(tile)


class CompositeItem(PixelsItem):
    def __init__(self) -> None:
        super().__init__()
        self._pixels = np.zeros((1, 1, 4), np.uint8)
        self._image = QImage()
        self._opaque = True
        self._checker = _checkerboard()

    def set_document(self, document: Document) -> None:
        self.prepareGeometryChange()
        self._document = document
        self._pixels = document.composite_rgba()
        self._wrap()
        self.update()

    def _wrap(self) -> None:
        height, width = self._pixels.shape[:2]
        self._image = QImage(
            self._pixels.data, width, height, width * 4, QImage.Format.Format_RGBA8888
        )
        self._opaque = bool((self._pixels[:, :, 3] == 255).all())

    def update_region(self, rect: Rect | None) -> None:
        """Recomposite (in the document's cache) and repaint rect; None for everything."""
        pixels = self._document.composite_rgba()
        if pixels.shape != self._pixels.shape or pixels.base is not self._pixels.base:
            self.set_document(self._document)
            return
        if rect is None:
            self._opaque = bool((pixels[:, :, 3] == 255).all())
            self.update()
            return
        x0, y0, x1, y1 = rect
        if self._opaque and not (pixels[y0:y1, x0:x1, 3] == 255).all():
            self._opaque = False
        self.repaint_rect(rect)

    @property
    def size(self) -> tuple[int, int]:
        return (int(self._pixels.shape[1]), int(self._pixels.shape[0]))

    def paint_exposed(self, painter: QPainter, exposed: QRect) -> None:
        if not self._opaque:
            painter.save()
            painter.setBrushOrigin(0, 0)
            painter.fillRect(exposed, self._checker)
            painter.restore()
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        painter.drawImage(exposed, self._image, exposed)
