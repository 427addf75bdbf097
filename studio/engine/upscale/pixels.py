"""Image checks, Lanczos resizing and the low-resolution live preview of a tiled job."""

from __future__ import annotations

import numpy as np
from PIL import Image

from studio.core.errors import InputImageError

PREVIEW_MAX_SIDE = 1024


def check_image(image: np.ndarray) -> np.ndarray:
    """Return image as uint8 (H, W, 3|4); grey (H, W) becomes RGB. Anything else is an error."""
    array = np.asarray(image)
    if array.dtype != np.uint8:
        raise InputImageError(f"image must be 8-bit (uint8), got {array.dtype}; convert it first")
    if array.ndim == 2:
        array = np.repeat(array[..., None], 3, axis=2)
    if array.ndim != 3 or array.shape[2] not in (3, 4) or min(array.shape[:2]) < 1:
        raise InputImageError(
            f"image must be RGB or RGBA pixels (H, W, 3|4), got shape {array.shape}"
        )
    return array


def lanczos(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """Resize uint8 (H, W[, C]) with Lanczos (RGBA is premultiplied by Pillow: no halos)."""
    if image.shape[1] == width and image.shape[0] == height:
        return image
    picture = Image.fromarray(np.ascontiguousarray(image))
    return np.asarray(picture.resize((width, height), Image.LANCZOS))


def target_size(width: int, height: int, scale: float) -> tuple[int, int]:
    return max(1, round(width * scale)), max(1, round(height * scale))


class PreviewCanvas:
    """A small RGB picture of the output so far: the source stretched, finished tiles pasted in."""

    def __init__(self, source: np.ndarray, out_width: int, out_height: int) -> None:
        factor = min(1.0, PREVIEW_MAX_SIDE / max(out_width, out_height))
        self.width, self.height = target_size(out_width, out_height, factor)
        rgb = np.ascontiguousarray(source[..., :3])
        self.pixels = np.asarray(
            Image.fromarray(rgb).resize((self.width, self.height), Image.BILINEAR)
        ).copy()

    def paste(self, pixels: np.ndarray, x0: int, y0: int, space_w: int, space_h: int) -> None:
        """Paste tile `pixels` whose top-left is (x0, y0) in an image of space_w x space_h."""
        fx, fy = self.width / space_w, self.height / space_h
        left, top = round(x0 * fx), round(y0 * fy)
        right = round((x0 + pixels.shape[1]) * fx)
        bottom = round((y0 + pixels.shape[0]) * fy)
        if right <= left or bottom <= top:
            return
        tile = Image.fromarray(np.ascontiguousarray(pixels[..., :3]))
        self.pixels[top:bottom, left:right] = np.asarray(
            tile.resize((right - left, bottom - top), Image.BILINEAR)
        )

    def snapshot(self) -> np.ndarray:
        return self.pixels.copy()
