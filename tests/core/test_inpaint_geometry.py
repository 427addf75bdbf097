"""Inpaint/outpaint geometry (numpy + Pillow only): masks, context boxes, fills, compositing.

Property tests in the hypothesis style: seeded random loops over shapes, sizes and positions.
"""

from __future__ import annotations

import math
import sys

import numpy as np
import pytest

from studio.core.errors import InputImageError
from studio.core.inpaint.composite import color_match, composite, paste_back
from studio.core.inpaint.fill import fill_hole, flatten_alpha
from studio.core.inpaint.geometry import Box, context_box, mask_bbox, render_size
from studio.core.inpaint.masks import (
    composite_mask,
    feather_mask,
    feather_reach,
    grow_mask,
)
from studio.core.inpaint.plan import block_cover, context_box_for_mask, plan_inpaint

# (width, height): non-multiples of 8, tiny, thin, wide and tall
SIZES = [(37, 29), (64, 64), (100, 75), (129, 203), (256, 96), (8, 8), (1, 17), (301, 5)]


def random_image(rng: np.random.Generator, width: int, height: int, channels: int) -> np.ndarray:
    image = rng.integers(0, 256, (height, width, channels), dtype=np.uint8)
    if channels == 4:  # opaque, transparent and partial alpha, as real layers have
        alpha = np.array([0, 255, 255, 128, 17], dtype=np.uint8)
        image[:, :, 3] = rng.choice(alpha, (height, width))
    return image


def random_mask(
    rng: np.random.Generator, width: int, height: int, kind: int | None = None
) -> np.ndarray:
    """Rectangle, disc, scribble, single pixel, border strip, corner, soft blob or full."""
    mask = np.zeros((height, width), dtype=np.uint8)
    kind = int(rng.integers(0, 8)) if kind is None else kind
    ys, xs = np.mgrid[0:height, 0:width]
    if kind == 0:
        x0, y0 = int(rng.integers(0, width)), int(rng.integers(0, height))
        x1, y1 = int(rng.integers(x0 + 1, width + 1)), int(rng.integers(y0 + 1, height + 1))
        mask[y0:y1, x0:x1] = 255
    elif kind == 1:
        cx, cy = rng.uniform(0, width), rng.uniform(0, height)
        r = rng.uniform(1, max(width, height) / 2)
        mask[(xs - cx) ** 2 + (ys - cy) ** 2 <= r * r] = 255
    elif kind == 2:
        x, y = int(rng.integers(0, width)), int(rng.integers(0, height))
        for _ in range(int(rng.integers(5, 60))):
            mask[max(y - 1, 0) : y + 2, max(x - 1, 0) : x + 2] = 255
            x = int(np.clip(x + rng.integers(-3, 4), 0, width - 1))
            y = int(np.clip(y + rng.integers(-3, 4), 0, height - 1))
    elif kind == 3:
        mask[int(rng.integers(0, height)), int(rng.integers(0, width))] = 255
    elif kind == 4:
        depth = int(rng.integers(1, 6))
        side = int(rng.integers(0, 4))
        strip = [np.s_[:, :depth], np.s_[:depth, :], np.s_[:, -depth:], np.s_[-depth:, :]][side]
        mask[strip] = 255
    elif kind == 5:
        mask[: max(1, height // 3), width - max(1, width // 4) :] = 255
    elif kind == 6:
        cx, cy = rng.uniform(0, width), rng.uniform(0, height)
        d2 = (xs - cx) ** 2 + (ys - cy) ** 2
        mask[:] = np.clip(255 - d2 / rng.uniform(2, 40), 0, 255).astype(np.uint8)
        mask[min(int(cy), height - 1), min(int(cx), width - 1)] = 200
    else:
        mask[:] = 255
    return mask


def within_chebyshev(mask: np.ndarray, k: int) -> np.ndarray:
    """True where a nonzero mask pixel is at Chebyshev distance <= k (repeated 3x3 dilation)."""
    out = mask > 0
    for _ in range(k):
        p = np.pad(out, 1)
        out = np.zeros_like(out)
        for dy in range(3):
            for dx in range(3):
                out |= p[dy : dy + mask.shape[0], dx : dx + mask.shape[1]]
    return out


def brute_dilate(mask: np.ndarray, r: int) -> np.ndarray:
    h, w = mask.shape
    padded = np.pad(mask, r)
    out = np.zeros_like(mask)
    for dy in range(-r, r + 1):
        for dx in range(-r, r + 1):
            if dx * dx + dy * dy <= r * r + r:
                out = np.maximum(out, padded[r + dy : r + dy + h, r + dx : r + dx + w])
    return out


# -- masks ------------------------------------------------------------------------------------


def test_grow_matches_brute_force_disc_and_shrink_is_its_dual() -> None:
    rng = np.random.default_rng(1)
    for case in range(40):
        w, h = SIZES[case % len(SIZES)]
        mask = random_mask(rng, w, h)
        r = int(rng.integers(1, 7))
        assert np.array_equal(grow_mask(mask, r), brute_dilate(mask, r)), (case, r)
        inv = 255 - mask
        # erosion is dilation of the complement; the border replicates (pad edge), so compare
        # away from the border only
        shrunk = grow_mask(mask, -r)
        expect = 255 - brute_dilate(inv, r)
        inner = np.s_[r : -r or None, r : -r or None]
        assert np.array_equal(shrunk[inner], expect[inner]), (case, r)
        assert (shrunk <= mask).all() and (grow_mask(mask, r) >= mask).all()


def test_grow_disc_radius_two_is_round() -> None:
    mask = np.zeros((9, 9), np.uint8)
    mask[4, 4] = 255
    grown = grow_mask(mask, 2) // 255
    assert grown.sum() == 21  # 5x5 square minus its 4 corners
    assert grown[2, 2] == 0 and grown[2, 3] == 1 and grown[4, 6] == 1 and grown[4, 7] == 0


def test_shrink_keeps_mask_touching_the_border_solid_at_the_border() -> None:
    mask = np.zeros((20, 20), np.uint8)
    mask[:, :8] = 255
    shrunk = grow_mask(mask, -3)
    assert (shrunk[:, :5] == 255).all() and (shrunk[:, 5:] == 0).all()


def test_feather_is_symmetric_and_reaches_no_farther_than_its_reach() -> None:
    rng = np.random.default_rng(2)
    for case in range(30):
        w, h = SIZES[case % len(SIZES)]
        mask = random_mask(rng, w, h)
        grow, blur = int(rng.integers(-3, 6)), float(rng.choice([0, 1, 2.5, 4, 9]))
        comp = composite_mask(mask, grow, blur)
        reach = max(grow, 0) + feather_reach(blur)
        assert not comp[~within_chebyshev(mask, reach)].any(), case
        if grow >= 0:
            assert (comp[mask > 0] > 0).all(), case  # every painted pixel may change
        if blur == 0 and grow == 0:
            assert np.array_equal(comp, mask)


def test_composite_mask_equals_full_image_feather_of_grow() -> None:
    """The bounding-box shortcut gives exactly the full-image result."""
    rng = np.random.default_rng(3)
    for case in range(25):
        w, h = SIZES[case % len(SIZES)]
        mask = random_mask(rng, w, h)
        grow, blur = int(rng.integers(-2, 5)), float(rng.choice([1, 4, 7]))
        grown = grow_mask(mask, grow)
        full = feather_mask(grown, blur)
        full = np.where((grown > 0) & (full == 0), 1, full)
        assert np.array_equal(composite_mask(mask, grow, blur), full), case


def test_feather_makes_a_soft_monotone_edge() -> None:
    mask = np.zeros((40, 80), np.uint8)
    mask[:, 40:] = 255
    row = feather_mask(mask, 4)[20].astype(int)
    assert row[0] == 0 and row[-1] == 255
    assert (np.diff(row) >= 0).all()
    assert 100 <= row[39] <= 155 and 100 <= row[40] <= 155  # the edge sits at about 50 %
    assert (row[40 - feather_reach(4) - 1 :] > 0).sum() > 0 and row[40 - feather_reach(4) - 1] == 0


# -- boxes ------------------------------------------------------------------------------------


@pytest.mark.parametrize("native", [512, 64, (768, 512), (512, 768), 1024])
def test_context_box_contains_padding_has_native_aspect_and_stays_inside(native) -> None:
    nw, nh = (native, native) if isinstance(native, int) else native
    rng = np.random.default_rng(4 + nw + 3 * nh)
    for case in range(300):
        width, height = int(rng.integers(1, 3000)), int(rng.integers(1, 3000))
        x0, y0 = int(rng.integers(0, width)), int(rng.integers(0, height))
        bw = int(rng.integers(1, min(width - x0, 400) + 1))
        bh = int(rng.integers(1, min(height - y0, 400) + 1))
        bbox = Box(x0, y0, x0 + bw, y0 + bh)
        padding = int(rng.choice([0, 4, 32, 256]))
        box = context_box(bbox, (width, height), padding, native)
        where = (case, width, height, bbox, padding, box)
        assert 0 <= box.x0 < box.x1 <= width and 0 <= box.y0 < box.y1 <= height, where
        assert box.contains(bbox.expand(padding).clip(width, height)), where
        fits_w, fits_h = box.width < width, box.height < height
        if fits_w and fits_h:  # nothing was cut: exactly the native aspect, at least native size
            assert box.width * nh == box.height * nw, where
            assert box.width >= nw and box.height >= nh, where
        else:  # a side was cut to the image: it spans the whole image on that side
            assert box.width == width or box.height == height, where
            assert box.width >= min(nw, width) and box.height >= min(nh, height), where
        rw, rh = render_size(box.size, native)
        assert rw % 8 == 0 and rh % 8 == 0 and rw >= 8 and rh >= 8, where
        assert abs(rw * rh - nw * nh) <= 0.12 * nw * nh + 64 * (rw + rh), where
        aspect = box.width / box.height
        if min(rw, rh) > 8:  # each side rounded by at most 4 px: the box's aspect is kept
            assert abs(rw - rh * aspect) <= 4 + 4 * aspect + 1e-6, where


def test_small_mask_on_huge_image_renders_one_to_one_at_native_size() -> None:
    box = context_box(Box(3000, 1000, 3064, 1064), (4096, 4096), 32, 512)
    assert box.size == (512, 512) and box.contains(Box(2968, 968, 3096, 1096))
    assert render_size(box.size, 512) == (512, 512)
    # touching the right/bottom border: shifted inside, never cut
    box = context_box(Box(4090, 4000, 4096, 4096), (4096, 4096), 32, 512)
    assert box == Box(4096 - 512, 4096 - 512, 4096, 4096)


def test_mask_bbox() -> None:
    mask = np.zeros((10, 12), np.uint8)
    assert mask_bbox(mask) is None
    mask[2:5, 7] = 1
    assert mask_bbox(mask) == Box(7, 2, 8, 5)


# -- compositing ------------------------------------------------------------------------------


@pytest.mark.parametrize("channels", [3, 4])
def test_composite_keeps_every_unmasked_pixel_bit_identical(channels: int) -> None:
    rng = np.random.default_rng(5 + channels)
    for case in range(40):
        w, h = SIZES[case % len(SIZES)]
        original = random_image(rng, w, h, channels)
        generated = random_image(rng, w, h, int(rng.choice([3, 4])))
        mask = composite_mask(random_mask(rng, w, h), int(rng.integers(0, 4)), 4)
        out = composite(original, generated, mask)
        assert out.shape == original.shape and out.dtype == np.uint8
        keep = mask == 0
        assert np.array_equal(out[keep], original[keep]), case
        full = mask == 255
        if channels == 3:
            assert np.array_equal(out[full], generated[full][:, :3]), case
        else:
            gen_alpha = generated[:, :, 3] if generated.shape[2] == 4 else np.full((h, w), 255)
            assert np.array_equal(out[full][:, 3], gen_alpha[full]), case
            solid = full & (gen_alpha > 0)
            assert np.array_equal(out[solid][:, :3], generated[solid][:, :3]), case


def test_composite_blends_transparent_pixels_without_dark_fringes() -> None:
    original = np.zeros((1, 3, 4), np.uint8)  # fully transparent black
    generated = np.full((1, 3, 3), 200, np.uint8)
    out = composite(original, generated, np.array([[64, 128, 255]], np.uint8))
    assert (out[0, :, :3] == 200).all()  # colour comes from the only visible contributor
    assert list(out[0, :, 3]) == [64, 128, 255]
    kept = composite(original, generated, np.array([[64, 128, 255]], np.uint8), keep_alpha=True)
    assert (kept[0, :, 3] == 0).all()


def test_paste_back_touches_only_the_box_and_resizes_the_render() -> None:
    rng = np.random.default_rng(6)
    original = random_image(rng, 203, 129, 4)
    mask = np.zeros((129, 203), np.uint8)
    mask[40:80, 100:130] = 255
    comp = composite_mask(mask, 2, 4)
    box = context_box(mask_bbox(comp), (203, 129), 8, 64)
    rendered = random_image(rng, 64, 64, 3)
    out = paste_back(original, rendered, box, comp)
    assert np.array_equal(out[comp == 0], original[comp == 0])
    assert (out[comp == 255] != original[comp == 255]).any(axis=1).mean() > 0.9
    with pytest.raises(ValueError, match="outside the context box"):
        paste_back(original, rendered, Box(0, 0, 10, 10), comp)


def test_color_match_removes_a_uniform_tint() -> None:
    rng = np.random.default_rng(7)
    original = rng.integers(40, 200, (80, 80, 3), dtype=np.uint8)
    mask = np.zeros((80, 80), np.uint8)
    mask[30:50, 30:50] = 255
    tinted = original.astype(int) + np.array([12, -7, 20])
    matched = color_match(tinted.astype(np.uint8), original, mask)
    assert np.abs(matched.astype(int) - original.astype(int)).max() <= 1


# -- fills ------------------------------------------------------------------------------------


def test_fill_hole_uses_surrounding_colours_is_seeded_and_leaves_the_rest() -> None:
    rgb = np.zeros((64, 96, 3), np.uint8)
    rgb[:, :48] = (200, 30, 30)
    rgb[:, 48:] = (20, 40, 220)
    rgb[20:44, 10:38] = (0, 255, 0)  # old content that must not dominate
    mask = np.zeros((64, 96), np.uint8)
    mask[20:44, 10:38] = 255
    a, b, c = fill_hole(rgb, mask, 1), fill_hole(rgb, mask, 1), fill_hole(rgb, mask, 2)
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    assert np.array_equal(a[mask == 0], rgb[mask == 0])
    hole = a[mask == 255].astype(float)
    assert np.abs(hole.mean(0) - (200, 30, 30)).max() < 25  # red surroundings, not green
    assert hole.std(0).min() > 5  # with noise, not flat


def test_flatten_alpha_gives_transparent_pixels_nearby_colours() -> None:
    image = np.zeros((10, 20, 4), np.uint8)
    image[:, :10] = (250, 10, 10, 255)
    flat = flatten_alpha(image)
    assert flat.shape == (10, 20, 3)
    assert np.array_equal(flat[:, :10], image[:, :10, :3])
    assert (flat[:, 10:, 0] > 200).all()


def test_block_cover_covers_whole_latent_cells() -> None:
    mask = np.zeros((20, 21), np.uint8)
    mask[9, 17] = 3
    cover = block_cover(mask)
    assert (cover[8:16, 16:21] == 255).all() and cover.sum() == 255 * 8 * 5


# -- planning ---------------------------------------------------------------------------------


@pytest.mark.parametrize("area", ["masked", "whole"])
def test_plan_inpaint_round_trip_keeps_outside_and_changes_inside(area: str) -> None:
    rng = np.random.default_rng(8 if area == "masked" else 9)
    for case in range(30):
        w, h = SIZES[case % len(SIZES)]
        channels = 3 + case % 2
        image = random_image(rng, w, h, channels)
        mask = random_mask(rng, w, h)
        grow, blur = int(rng.integers(0, 5)), int(rng.choice([0, 2, 4, 8]))
        plan = plan_inpaint(
            image, mask, native=64, padding=int(rng.choice([0, 8, 32])), blur=blur, grow=grow,
            area=area, fill_seed=case if case % 3 == 0 else None, match_colors=case % 4 == 1,
        )  # fmt: skip
        rw, rh = plan.render_size
        assert plan.image.shape == (rh, rw, 3) and plan.mask.shape == (rh, rw)
        assert rw % 8 == 0 and rh % 8 == 0
        out = plan.finish(random_image(rng, rw, rh, 3))
        comp = composite_mask(mask, grow, blur)
        assert np.array_equal(plan.composite, comp)
        assert out.shape == image.shape
        assert np.array_equal(out[comp == 0], image[comp == 0]), case
        full = comp == 255
        if full.sum() > 20:
            assert (out[full] != image[full]).any(axis=1).mean() > 0.8, case
        # the model mask covers every pixel the composite may change
        back = np.asarray(plan.mask)
        assert back.min() in (0, 255) and back.max() == 255


def test_plan_inpaint_rejects_empty_and_mismatched_masks() -> None:
    image = np.zeros((16, 16, 3), np.uint8)
    with pytest.raises(InputImageError, match="empty"):
        plan_inpaint(image, np.zeros((16, 16), np.uint8), native=64)
    with pytest.raises(InputImageError, match="same size"):
        plan_inpaint(image, np.zeros((16, 15), np.uint8), native=64)


def test_plan_preview_shows_the_render_inside_the_mask_only() -> None:
    rng = np.random.default_rng(10)
    image = random_image(rng, 100, 80, 3)
    mask = np.zeros((80, 100), np.uint8)
    mask[30:40, 40:60] = 255
    plan = plan_inpaint(image, mask, native=64, blur=0, padding=8)
    assert plan.box == Box(18, 3, 82, 67) and plan.render_size == (64, 64)  # 1:1, no resampling
    preview = plan.preview(np.zeros((8, 8, 3), np.uint8))
    assert preview.shape == (64, 64, 3)
    local = mask[plan.box.slices]
    assert (preview[local == 255] == 0).all()
    assert np.array_equal(preview[local == 0], image[plan.box.slices][local == 0])


def test_geometry_modules_do_not_import_torch() -> None:
    import subprocess

    code = (
        "import sys; import studio.core.inpaint.plan, studio.core.inpaint.composite; "
        "assert 'torch' not in sys.modules, 'torch imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_render_size_of_native_box_is_exact() -> None:
    for native in (64, 512, 1024, (768, 512), (640, 448)):
        nw, nh = (native, native) if isinstance(native, int) else native
        assert render_size((nw, nh), native) == (nw, nh)
        g = math.gcd(nw, nh)
        assert render_size((nw * 3 // g * g, nh * 3 // g * g), native) == (nw, nh)


def test_context_box_for_mask_is_the_box_the_plan_renders() -> None:
    rng = np.random.default_rng(12)
    for case in range(12):
        w, h = SIZES[case % len(SIZES)]
        mask = random_mask(rng, w, h)
        kwargs = {"native": 64, "padding": 8 * (case % 3), "blur": case % 5, "grow": case % 4}
        plan = plan_inpaint(random_image(rng, w, h, 3), mask, **kwargs)
        assert context_box_for_mask(mask, **kwargs) == plan.box
    assert context_box_for_mask(np.zeros((9, 9), np.uint8), native=64) is None


def test_a_mask_shrunk_away_is_a_clear_user_error() -> None:
    mask = np.zeros((32, 32), np.uint8)
    mask[10:13, 10:13] = 255
    with pytest.raises(InputImageError, match="shrink it less"):
        plan_inpaint(np.zeros((32, 32, 3), np.uint8), mask, native=64, grow=-3, blur=0)
