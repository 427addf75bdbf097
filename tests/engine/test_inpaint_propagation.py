"""Inpaint parameters reach the model and the composite exactly as the core geometry says.

Spies record what the 9-channel UNet receives (its mask channel), which box of the picture the
model renders, and the render itself; the final picture must then be
`round(orig * (1 - a) + render * a)` on every pixel, a = composite_mask(mask, grow, blur) / 255.
"""

from __future__ import annotations

import numpy as np
import pytest

from studio.core.inpaint.composite import color_match
from studio.core.inpaint.geometry import context_box, mask_bbox, render_size
from studio.core.inpaint.masks import composite_mask
from studio.core.inpaint.plan import block_cover, plan_inpaint
from studio.core.params import GenerationParams
from tests.engine.spies import spy_engine
from tests.helpers import box_mask, noise_image

BASE = GenerationParams(
    prompt="a lighthouse", mode="inpaint", model="tiny", steps=2, width=64, height=64, seed=5,
    strength=0.6, mask_blur=0, padding=8, inpaint_area="whole",
)  # fmt: skip


def formula(original: np.ndarray, generated: np.ndarray, comp: np.ndarray) -> np.ndarray:
    """out = orig * (1 - a) + gen * a, rounded to the nearest level (never a tie: 255 is odd)."""
    a = comp.astype(np.float64)[..., None] / 255.0
    mixed = original.astype(np.float64) * (1.0 - a) + generated.astype(np.float64) * a
    return np.rint(mixed).astype(np.uint8)


def test_composite_obeys_the_formula_on_every_pixel():
    from studio.core.inpaint.composite import composite

    rng = np.random.default_rng(0)
    original = rng.integers(0, 256, (64, 80, 3), dtype=np.uint8)
    generated = rng.integers(0, 256, (64, 80, 3), dtype=np.uint8)
    mask = rng.integers(0, 256, (64, 80), dtype=np.uint8)
    mask[:8] = 0
    mask[-8:] = 255
    assert np.array_equal(composite(original, generated, mask), formula(original, generated, mask))


@pytest.mark.parametrize("area", ["whole", "masked"])
def test_nine_channel_unet_gets_the_hole_as_ones_and_the_rest_as_zeros(engine, monkeypatch, area):
    spy = spy_engine(monkeypatch, engine, "tiny-inpaint")
    image = noise_image(96, 80, seed=3)
    mask = box_mask(96, 80, (30, 20, 53, 45))
    params = BASE.replace(model="tiny-inpaint", strength=1.0, inpaint_area=area, mask_blur=2)
    engine.generate(params, image=image, mask=mask)
    plan = plan_inpaint(
        image, mask, native=(64, 64), padding=8, blur=2, area=area,
        whole_size=render_size((96, 80), (64, 64)),
    )  # fmt: skip
    (render,) = spy.renders
    assert render["box"] == plan.box.as_tuple()
    assert np.array_equal(render["mask"], plan.mask)
    expected = (plan.mask[::8, ::8] > 0).astype(np.float32)
    assert 0 < expected.mean() < 1
    for call in spy.unet:
        assert call.sample.shape[1] == 9
        for row in call.sample:
            assert np.array_equal(row[4].numpy(), expected), "mask channel: 1 = repaint"


@pytest.mark.parametrize(("blur", "grow"), [(0, 0), (3, 0), (6, 4), (2, -2)])
def test_feather_and_grow_shape_the_composite_exactly(engine, monkeypatch, blur, grow):
    spy = spy_engine(monkeypatch, engine)
    image = noise_image(64, 64, seed=4)
    mask = box_mask(64, 64, (20, 18, 44, 40))
    params = BASE.replace(mask_blur=blur, extra={"mask_grow": grow})
    out = engine.generate(params, image=image, mask=mask)[0].image
    (render,) = spy.renders
    assert render["box"] == (0, 0, 64, 64)  # whole picture at its own size: no resampling
    comp = composite_mask(mask, grow, blur)
    if blur:
        assert ((comp > 0) & (comp < 255)).sum() > 40, "a feathered edge is soft"
    assert np.array_equal(out, formula(image, render["output"], comp))
    # the model repaints the grown mask's latent cells
    assert np.array_equal(render["mask"], block_cover(np.where(comp > 0, 255, 0).astype(np.uint8)))


@pytest.mark.parametrize("padding", [8, 40])
def test_padding_sets_the_box_the_model_sees(engine, monkeypatch, padding):
    spy = spy_engine(monkeypatch, engine)
    image = noise_image(192, 160, seed=5)
    mask = box_mask(192, 160, (90, 70, 106, 86))
    params = BASE.replace(inpaint_area="masked", padding=padding, mask_blur=2)
    out = engine.generate(params, image=image, mask=mask)[0].image
    comp = composite_mask(mask, 0, 2)
    box = context_box(mask_bbox(comp), (192, 160), padding, (64, 64))
    assert (box.width, box.height) == ((64, 64) if padding == 8 else (108, 108))
    (render,) = spy.renders
    assert render["box"] == box.as_tuple()
    assert np.array_equal(render["image"], np.asarray(_resize(image[box.slices], render)))
    assert np.array_equal(out[comp == 0], image[comp == 0])


def _resize(region: np.ndarray, render: dict) -> np.ndarray:
    from PIL import Image

    size = (render["width"], render["height"])
    if region.shape[1::-1] == size:
        return region
    return np.asarray(Image.fromarray(region).resize(size, Image.Resampling.LANCZOS))


def test_colour_match_shifts_the_render_before_the_composite(engine, monkeypatch):
    spy = spy_engine(monkeypatch, engine)
    image = noise_image(64, 64, seed=6) // 4 + 150  # bright: the tiny model's render is not
    mask = box_mask(64, 64, (20, 20, 44, 44))
    outs = {}
    for match in (False, True):
        params = BASE.replace(mask_blur=2, extra={"color_match": match})
        outs[match] = engine.generate(params, image=image, mask=mask)[0].image
    comp = composite_mask(mask, 0, 2)
    plain, matched = (r["output"] for r in spy.renders)
    assert np.array_equal(plain, matched)  # same seed, same render
    assert np.array_equal(outs[False], formula(image, plain, comp))
    assert np.array_equal(outs[True], formula(image, color_match(plain, image, comp), comp))
    inside = comp == 255
    shift = outs[True][inside].astype(float).mean() - outs[False][inside].astype(float).mean()
    assert shift > 10, "the match pulls the repainted area toward the bright surroundings"


def test_inpaint_area_whole_renders_the_picture_and_masked_a_box(engine, monkeypatch):
    spy = spy_engine(monkeypatch, engine)
    image = noise_image(160, 128, seed=7)
    mask = box_mask(160, 128, (10, 10, 30, 30))
    for area in ("whole", "masked"):
        engine.generate(BASE.replace(inpaint_area=area), image=image, mask=mask)
    whole, masked = spy.renders
    assert whole["box"] == (0, 0, 160, 128) and (whole["width"], whole["height"]) == (72, 56)
    assert masked["box"] == (0, 0, 64, 64) and (masked["width"], masked["height"]) == (64, 64)


@pytest.mark.parametrize(("content", "filled"), [("original", False), ("fill", True)])
def test_masked_content_decides_what_the_model_sees_in_the_hole(
    engine, monkeypatch, content, filled
):
    spy = spy_engine(monkeypatch, engine)
    image = noise_image(64, 64, seed=8)
    mask = box_mask(64, 64, (16, 16, 48, 48))
    engine.generate(BASE.replace(extra={"masked_content": content}), image=image, mask=mask)
    (render,) = spy.renders
    hole = render["mask"] == 255
    assert np.array_equal(render["image"][~hole], image[~hole])
    same = (render["image"][hole] == image[hole]).all(axis=-1).mean()
    assert same < 0.1 if filled else same == 1.0
