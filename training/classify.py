"""Read a 64 px scene back by pixel analysis: background, shape colour, shape, size, position."""

from __future__ import annotations

import numpy as np

from training.data import COLOURS, POSITIONS, SIZE

PALETTE_NAMES = list(COLOURS)
PALETTE = np.array([COLOURS[n] for n in PALETTE_NAMES], dtype=np.float32)
FOREGROUND_DISTANCE = 60.0  # RGB distance from the background that counts as "the shape"
MIN_SHAPE_PIXELS = 12
LARGE_SIDE = 21.5  # px: small shapes are ~15 px across, large ones ~28


def nearest_colour(pixels: np.ndarray) -> np.ndarray:
    """Palette index of each (..., 3) pixel."""
    diff = pixels[..., None, :].astype(np.float32) - PALETTE
    return np.argmin((diff**2).sum(-1), axis=-1)


def dominant_colour(pixels: np.ndarray, exclude: str | None = None) -> str | None:
    """The palette colour most pixels are nearest to (optionally never `exclude`)."""
    labels = nearest_colour(pixels.reshape(-1, 3))
    counts = np.bincount(labels, minlength=len(PALETTE_NAMES))
    if exclude is not None:
        counts[PALETTE_NAMES.index(exclude)] = 0
    return PALETTE_NAMES[int(np.argmax(counts))] if counts.sum() else None


def shape_mask(image: np.ndarray) -> tuple[str, np.ndarray]:
    """(background colour name, boolean mask of the pixels far from the background)."""
    background = dominant_colour(image)
    labels = nearest_colour(image)
    bg_rgb = np.median(image[labels == PALETTE_NAMES.index(background)], axis=0)
    distance = np.sqrt(((image.astype(np.float32) - bg_rgb) ** 2).sum(-1))
    return background, distance > FOREGROUND_DISTANCE


def classify(image: np.ndarray) -> dict[str, str | None]:
    """{'background', 'colour', 'shape', 'size', 'position'}; None where no shape is found."""
    background, mask = shape_mask(image)
    found: dict[str, str | None] = dict.fromkeys(("colour", "shape", "size", "position"))
    found["background"] = background
    if mask.sum() < MIN_SHAPE_PIXELS:
        return found
    found["colour"] = dominant_colour(image[mask], exclude=background)
    rows = np.flatnonzero(mask.sum(1) >= 2)
    cols = np.flatnonzero(mask.sum(0) >= 2)
    if len(rows) < 2 or len(cols) < 2:
        return found
    top, bottom, left, right = rows[0], rows[-1], cols[0], cols[-1]
    height, width = bottom - top + 1, right - left + 1
    found["size"] = "large" if max(width, height) >= LARGE_SIDE else "small"
    cx, cy = (left + right + 1) / 2 / SIZE, (top + bottom + 1) / 2 / SIZE
    found["position"] = min(
        POSITIONS, key=lambda p: (POSITIONS[p][0] - cx) ** 2 + (POSITIONS[p][1] - cy) ** 2
    )
    box = mask[top : bottom + 1, left : right + 1]
    lower = box[box.shape[0] // 2 :].sum() / max(box.sum(), 1)
    fill = box.sum() / box.size
    if lower > 0.62:
        found["shape"] = "triangle"
    elif fill > 0.89:
        found["shape"] = "square"
    else:
        found["shape"] = "circle"
    return found
