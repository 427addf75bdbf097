"""Inpaint and outpaint end to end on the built-in tiny models (4-channel and 9-channel).

Every pixel outside the grown + feathered mask (composite mask == 0) must come back bit-identical,
alpha included, for RGBA and non-multiple-of-8 images; pixels fully inside must change.
"""

from __future__ import annotations

import numpy as np
import pytest

from studio.core.errors import ParamsError
from studio.core.inpaint.masks import composite_mask, feather_reach
from studio.core.params import GenerationParams
from tests.core.test_inpaint_geometry import random_image, random_mask, within_chebyshev

BASE = GenerationParams(
    prompt="a lighthouse at dusk", mode="inpaint", model="tiny", steps=2, width=64, height=64,
    seed=11, strength=1.0,
)  # fmt: skip

# (width, height, channels): non-multiples of 8, RGBA, 64-256 px
IMAGES = [(100, 75, 4), (203, 129, 3), (64, 64, 4), (256, 96, 3), (77, 180, 4)]


@pytest.fixture(scope="module", params=["tiny", "tiny-inpaint"])
def model(request) -> str:
    """Every test runs on the 4-channel and the 9-channel model, grouped to load each once."""
    return request.param


def _check_inpaint(engine, params, image, mask, grow=0):
    out = engine.generate(params, image=image, mask=mask)[0].image
    comp = composite_mask(mask, grow, params.mask_blur)
    assert out.shape == image.shape and out.dtype == np.uint8
    assert np.array_equal(out[comp == 0], image[comp == 0])
    # independent of the composite function: far from the mask nothing can change
    far = ~within_chebyshev(mask, max(grow, 0) + feather_reach(params.mask_blur))
    assert np.array_equal(out[far], image[far])
    full = comp == 255
    if full.sum() >= 16:
        assert (out[full] != image[full]).any(axis=-1).mean() > 0.8
    return out, comp


def test_random_masks_keep_outside_bit_identical_and_change_inside(engine, model):
    rng = np.random.default_rng(20 if model == "tiny" else 21)
    for case, (w, h, channels) in enumerate(IMAGES + IMAGES[:3]):
        image = random_image(rng, w, h, channels)
        mask = random_mask(rng, w, h, kind=case % 7)  # every shape, incl. border-touching
        params = BASE.replace(
            model=model,
            seed=case,
            mask_blur=int(rng.choice([0, 2, 4, 8])),
            padding=int(rng.choice([0, 16, 32])),
            inpaint_area="whole" if case % 4 == 3 else "masked",
            strength=float(rng.choice([1.0, 0.75])),
        )
        _check_inpaint(engine, params, image, mask)


def test_grow_and_color_match_options_keep_the_rule(engine, model):
    rng = np.random.default_rng(22)
    image = random_image(rng, 150, 110, 4)
    mask = np.zeros((110, 150), np.uint8)
    mask[30:60, 0:40] = 255  # touching the left border
    for grow in (-3, 6):
        extra = {"mask_grow": grow, "color_match": True}
        params = BASE.replace(model=model, extra=extra, mask_blur=3)
        _check_inpaint(engine, params, image, mask, grow=grow)


def test_same_inputs_same_pixels(engine, model):
    rng = np.random.default_rng(23)
    image = random_image(rng, 90, 70, 4)
    mask = random_mask(rng, 90, 70, kind=1)
    params = BASE.replace(model=model)
    first = engine.generate(params, image=image, mask=mask)[0].image
    assert np.array_equal(first, engine.generate(params, image=image, mask=mask)[0].image)
    other = engine.generate(params.replace(seed=12), image=image, mask=mask)[0].image
    assert not np.array_equal(first, other)


def test_small_mask_on_a_large_image_renders_at_model_resolution(engine, model):
    image = np.full((1000, 1200, 3), 90, np.uint8)
    mask = np.zeros((1000, 1200), np.uint8)
    mask[700:716, 900:912] = 255
    reports = []
    params = BASE.replace(model=model, padding=8)
    out = engine.generate(params, image=image, mask=mask, on_step=reports.append)[0].image
    assert [r.step for r in reports] == [1, 2]
    x0, y0, x1, y1 = reports[0].box
    assert (x1 - x0, y1 - y0) == (64, 64)  # the native size, 1:1, not the 1200 px picture
    assert x0 <= 900 - 4 and x1 >= 912 + 4 and y0 <= 700 - 4 and y1 >= 716 + 4
    assert reports[0].preview.shape == (64, 64, 3)
    comp = composite_mask(mask, 0, BASE.mask_blur)
    assert np.array_equal(out[comp == 0], image[comp == 0])


def test_previews_show_the_render_inside_the_mask_only(engine, model):
    rng = np.random.default_rng(24)
    image = random_image(rng, 64, 64, 3)
    mask = np.zeros((64, 64), np.uint8)
    mask[16:40, 20:44] = 255
    reports = []
    engine.generate(
        BASE.replace(model=model, mask_blur=0, padding=0),
        image=image,
        mask=mask,
        on_step=reports.append,
    )
    for report in reports:
        assert report.box == (0, 0, 64, 64)
        assert np.array_equal(report.preview[mask == 0], image[mask == 0])


def test_whole_picture_mode_renders_the_whole_picture_and_composites(engine, model):
    rng = np.random.default_rng(25)
    image = random_image(rng, 120, 72, 4)
    mask = random_mask(rng, 120, 72, kind=0)
    reports = []
    params = BASE.replace(model=model, inpaint_area="whole", width=128, height=64)
    out = engine.generate(params, image=image, mask=mask, on_step=reports.append)[0].image
    assert reports[0].box == (0, 0, 120, 72)
    comp = composite_mask(mask, 0, params.mask_blur)
    assert np.array_equal(out[comp == 0], image[comp == 0])


def test_outpaint_size_and_original_outside_the_band(engine, model):
    rng = np.random.default_rng(26)
    cases = [
        ((100, 75, 4), (16, 0, 24, 8)),
        ((64, 64, 3), (0, 32, 0, 0)),
        ((77, 130, 4), (5, 5, 5, 5)),
    ]
    for (w, h, channels), extents in cases:
        image = random_image(rng, w, h, channels)
        params = BASE.replace(mode="outpaint", model=model, extend=extents, extra={"overlap": 8})
        out = engine.generate(params, image=image)[0].image
        left, top, right, bottom = extents
        assert out.shape == (h + top + bottom, w + left + right, channels)
        inner = out[top : top + h, left : left + w]
        ys, xs = np.mgrid[0:h, 0:w]
        dist = np.full((h, w), np.inf)
        for ext, d in ((left, xs), (right, w - 1 - xs), (top, ys), (bottom, h - 1 - ys)):
            if ext:
                dist = np.minimum(dist, d)
        assert np.array_equal(inner[dist >= 8], image[dist >= 8])
        assert not np.array_equal(inner[dist < 1], image[dist < 1])  # the band was blended
        if channels == 4:
            new = np.ones(out.shape[:2], bool)
            new[top : top + h, left : left + w] = False
            assert (out[new][:, 3] == 255).all()


def test_bad_inpaint_options_are_user_errors(engine, model):
    image = np.zeros((32, 32, 3), np.uint8)
    mask = np.full((32, 32), 255, np.uint8)
    with pytest.raises(ParamsError, match="masked content"):
        engine.generate(
            BASE.replace(model=model, extra={"masked_content": "nothing"}), image=image, mask=mask
        )
    with pytest.raises(ParamsError, match="grow"):
        engine.generate(BASE.replace(model=model, extra={"mask_grow": 999}), image=image, mask=mask)


class _FakeModel:
    def __init__(self, nine_channels: bool) -> None:
        self.is_inpainting_model = nine_channels


class _FakeRun:
    """Stands in for the engine's DiffusionRun: records the call, returns a flat render."""

    def __init__(self, nine_channels: bool) -> None:
        self.model = _FakeModel(nine_channels)
        self.on_step = None
        self.calls: list[dict] = []

    def __call__(self, mode, **kwargs):
        self.calls.append({"mode": mode, **kwargs})
        return np.full((kwargs["height"], kwargs["width"], 3), 7, np.uint8)


@pytest.mark.parametrize(
    ("nine", "strength", "content", "filled"),
    [
        (False, 1.0, "auto", True),
        (False, 0.96, "auto", True),
        (False, 0.6, "auto", False),
        (True, 1.0, "auto", False),
        (False, 1.0, "original", False),
        (True, 0.5, "fill", True),
    ],
)
def test_the_model_gets_a_native_size_crop_with_the_hole_filled_when_it_should(
    nine, strength, content, filled
):
    from studio.engine.inpaint_flow import inpaint_image

    image = np.full((300, 500, 4), (200, 40, 40, 255), np.uint8)
    image[120:140, 300:330, :3] = (0, 255, 0)  # old content under the mask
    mask = np.zeros((300, 500), np.uint8)
    mask[120:140, 300:330] = 255
    run = _FakeRun(nine)
    params = BASE.replace(strength=strength, padding=0, extra={"masked_content": content})
    out = inpaint_image(run, params, image, mask)
    (call,) = run.calls
    assert call["mode"] == "inpaint" and (call["width"], call["height"]) == (64, 64)
    x0, y0, x1, y1 = call["box"]
    assert (x1 - x0, y1 - y0) == (64, 64)
    hole = mask[y0:y1, x0:x1] == 255
    assert (call["mask"][hole] == 255).all()
    green = (call["image"][hole] == (0, 255, 0)).all(axis=1).mean()
    assert green < 0.05 if filled else green == 1.0
    comp = composite_mask(mask, 0, params.mask_blur)
    assert np.array_equal(out[comp == 0], image[comp == 0])
    assert (out[comp == 255][:, :3] == 7).all()
