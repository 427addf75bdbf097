"""numpy <-> QImage conversion (GUI thread only)."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage


def to_qimage(pixels: np.ndarray) -> QImage:
    """A QImage that owns a copy of a uint8 (H, W), (H, W, 3) or (H, W, 4) array."""
    array = np.ascontiguousarray(pixels, dtype=np.uint8)
    if array.ndim == 2:
        fmt, channels = QImage.Format.Format_Grayscale8, 1
    elif array.ndim == 3 and array.shape[2] == 3:
        fmt, channels = QImage.Format.Format_RGB888, 3
    elif array.ndim == 3 and array.shape[2] == 4:
        fmt, channels = QImage.Format.Format_RGBA8888, 4
    else:
        raise ValueError(f"cannot show an array of shape {array.shape}")
    height, width = array.shape[:2]
    image = QImage(array.data, width, height, width * channels, fmt)
    return image.copy()  # detach from the numpy buffer


def from_qimage(image: QImage, alpha: bool = False) -> np.ndarray:
    """uint8 (H, W, 3) — or (H, W, 4) with alpha — copy of a QImage."""
    fmt = QImage.Format.Format_RGBA8888 if alpha else QImage.Format.Format_RGB888
    converted = image.convertToFormat(fmt)
    width, height = converted.width(), converted.height()
    channels = 4 if alpha else 3
    stride = converted.bytesPerLine()
    buffer = np.frombuffer(converted.constBits(), dtype=np.uint8, count=stride * height)
    rows = buffer.reshape(height, stride)[:, : width * channels]
    return rows.reshape(height, width, channels).copy()
