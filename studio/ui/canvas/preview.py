"""Live previews composed for the canvas (GUI thread)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QImage, QPainter

from studio.core.document import Document
from studio.ui.canvas.qtimage import to_qimage

Box = tuple[int, int, int, int]  # left, top, right, bottom in image pixels


def compose_preview(
    pixels: np.ndarray,
    document: Document,
    mask: np.ndarray | None = None,
    box: Box | None = None,
) -> QImage:
    """The preview as a QImage at document size.

    `box` says where in the image the preview belongs (the engine renders inpaint crops);
    outside it, and outside `mask` when given, the result is transparent so the untouched
    image shows through.
    """
    image = to_qimage(pixels)
    width, height = document.width, document.height
    if box is None and mask is None:
        if (image.width(), image.height()) != (width, height):
            image = image.scaled(
                width,
                height,
                Qt.AspectRatioMode.IgnoreAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        return image
    left, top, right, bottom = box if box is not None else (0, 0, width, height)
    result = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
    result.fill(Qt.GlobalColor.transparent)
    painter = QPainter(result)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
    painter.drawImage(QRect(left, top, right - left, bottom - top), image)
    if mask is not None and mask.shape == (height, width):
        alpha = QImage(
            np.ascontiguousarray(mask).data, width, height, width, QImage.Format.Format_Alpha8
        ).copy()
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_DestinationIn)
        painter.drawImage(0, 0, alpha)
    painter.end()
    return result
