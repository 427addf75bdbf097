"""composite_bbox: the composite mask's box, computed from bands, equals the full computation."""

from __future__ import annotations

import numpy as np
import pytest

from studio.core.inpaint.geometry import mask_bbox
from studio.core.inpaint.masks import composite_bbox, composite_mask


def random_mask(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    mask = np.zeros((height, width), np.uint8)
    for _ in range(rng.integers(1, 4)):
        y, x = rng.integers(0, height), rng.integers(0, width)
        ry, rx = rng.integers(1, max(2, height // 3)), rng.integers(1, max(2, width // 3))
        yy, xx = np.ogrid[:height, :width]
        inside = ((yy - y) / ry) ** 2 + ((xx - x) / rx) ** 2 <= 1
        mask[inside] = rng.choice([255, 128, 3])  # hard, soft and barely-there strokes
    return mask


@pytest.mark.parametrize("seed", range(40))
def test_band_box_equals_the_full_composite_box(seed):
    rng = np.random.default_rng(seed)
    height, width = int(rng.integers(8, 160)), int(rng.integers(8, 160))
    mask = random_mask(rng, height, width)
    grow = int(rng.choice([0, 0, 3, -2, 9]))
    blur = float(rng.choice([0, 1, 4, 7.5, 20]))
    assert composite_bbox(mask, grow, blur) == mask_bbox(composite_mask(mask, grow, blur))


def test_empty_and_vanished_masks_have_no_box():
    assert composite_bbox(np.zeros((32, 32), np.uint8)) is None
    speck = np.zeros((32, 32), np.uint8)
    speck[10, 10] = 255
    assert composite_bbox(speck, grow=-3, blur=4) is None
