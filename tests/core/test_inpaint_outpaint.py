"""Outpaint geometry: extended canvas, pre-fill, overlap band; original kept outside the band."""

from __future__ import annotations

import numpy as np
import pytest

from studio.core.errors import InputImageError
from studio.core.inpaint.outpaint import extend_canvas, outpaint_masks
from studio.core.inpaint.plan import plan_outpaint
from tests.core.test_inpaint_geometry import SIZES, random_image


def test_outpaint_masks_band_and_sizes() -> None:
    render, comp = outpaint_masks((30, 40), (5, 0, 7, 3), overlap=6)
    assert comp.shape == (33, 52)
    assert (comp[:, :5] == 255).all() and (comp[:, -7:] == 255).all() and (comp[-3:] == 255).all()
    inner = comp[0:30, 5:45]
    assert (inner[:, 6:-6][:-6] == 0).all()  # outside the band: untouched
    assert inner[10, 0] == 255 and 0 < inner[10, 3] < 255 and inner[10, 6] == 0
    assert (inner[0, 10:30] == 0).all()  # the top was not extended: no band there
    assert np.array_equal(render > 0, comp > 0)


def test_extend_canvas_prefills_from_the_edges() -> None:
    image = np.zeros((20, 30, 4), np.uint8)
    image[:, :] = (10, 200, 90, 255)
    image[:, -1] = (220, 10, 10, 128)
    canvas = extend_canvas(image, (4, 2, 16, 0), seed=3)
    assert canvas.shape == (22, 50, 4)
    assert np.array_equal(canvas[2:22, 4:34], image)
    assert np.array_equal(canvas, extend_canvas(image, (4, 2, 16, 0), seed=3))
    assert np.abs(canvas[12, 34:37, :3].astype(int).mean(0) - (220, 10, 10)).max() < 50
    assert np.abs(canvas[12, :4, :3].astype(int).mean(0) - (10, 200, 90)).max() < 50
    assert (canvas[:, 34:, 3] == 255).all()


def test_plan_outpaint_sizes_and_untouched_original_outside_the_band() -> None:
    rng = np.random.default_rng(11)
    for case in range(24):
        w, h = SIZES[case % len(SIZES)]
        channels = 3 + case % 2
        image = random_image(rng, w, h, channels)
        extents = tuple(int(v) for v in rng.choice([0, 0, 3, 8, 37, 64], 4))
        if not any(extents):
            extents = (0, 0, 16, 0)
        overlap = int(rng.choice([0, 4, 16]))
        area = "masked" if case % 3 else "whole"
        plan = plan_outpaint(image, extents, native=64, seed=case, overlap=overlap, area=area)
        rw, rh = plan.render_size
        out = plan.finish(random_image(rng, rw, rh, 3))
        left, top, right, bottom = extents
        assert out.shape == (h + top + bottom, w + left + right, channels), case
        orig = out[top : top + h, left : left + w]
        ys, xs = np.mgrid[0:h, 0:w]
        dist = np.full((h, w), np.inf)
        for ext, d in ((left, xs), (right, w - 1 - xs), (top, ys), (bottom, h - 1 - ys)):
            if ext:
                dist = np.minimum(dist, d)
        outside_band = dist >= overlap
        assert np.array_equal(orig[outside_band], image[outside_band]), case
        new = np.ones(out.shape[:2], bool)
        new[top : top + h, left : left + w] = False
        if channels == 4:
            assert (out[new][:, 3] == 255).all()


def test_plan_outpaint_needs_an_extent() -> None:
    with pytest.raises(InputImageError, match="extend"):
        plan_outpaint(np.zeros((8, 8, 3), np.uint8), (0, 0, 0, 0), native=64, seed=0)
