"""Tiled upscaling: windows cover the image, blending is exact and seamless, tiled output matches
untiled output, scale resizing, alpha, Lanczos, progress with previews, and cancel."""

from __future__ import annotations

import itertools
import threading

import numpy as np
import pytest
from PIL import Image

from studio.core.errors import Cancelled, InputImageError, ParamsError
from studio.engine.upscale import plan_upscale, upscale_image
from studio.engine.upscale.testing import save_random_esrgan
from studio.engine.upscale.tiling import run_tiled, tile_grid, tile_starts
from tests.helpers import noise_image


def smooth_image(side: int, seed: int = 0) -> np.ndarray:
    """Gradients and waves with some grain: like a painting, unlike pure noise."""
    yy, xx = np.mgrid[0:side, 0:side].astype(np.float32)
    rgb = np.stack(
        [128 + 100 * np.sin(xx / 17), 128 + 100 * np.cos(yy / 23), (xx + yy) * 255 / (2 * side)],
        axis=-1,
    )
    grain = np.random.default_rng(seed).normal(0, 8, rgb.shape)
    return np.clip(rgb + grain, 0, 255).astype(np.uint8)


@pytest.fixture(scope="module")
def model_4x(tmp_path_factory):
    return save_random_esrgan(tmp_path_factory.mktemp("up") / "4x_test.safetensors", scale=4)


@pytest.fixture(scope="module")
def model_2x(tmp_path_factory):
    return save_random_esrgan(tmp_path_factory.mktemp("up") / "2x_test.pth", scale=2)


@pytest.mark.parametrize("length", [1, 63, 64, 65, 200, 481, 1000])
@pytest.mark.parametrize(("tile", "overlap"), [(64, 16), (128, 32), (256, 32)])
def test_windows_cover_the_axis_with_at_least_the_overlap(length, tile, overlap):
    starts = tile_starts(length, tile, overlap)
    size = min(tile, length)
    assert starts[0] == 0 and starts[-1] + size == length
    for a, b in itertools.pairwise(starts):
        assert a < b and a + size - b >= overlap  # neighbours share at least `overlap` px


def test_blending_is_exact_when_tiles_agree():
    """Where every tile says the same thing, the blend returns it exactly (odd sizes too)."""
    image = noise_image(301, 173, seed=1)

    def nearest_3x(window, _tile):
        return window.repeat(3, axis=0).repeat(3, axis=1)

    tiled = run_tiled(image, nearest_3x, scale=3, tile=64, overlap=16)
    assert np.array_equal(tiled, nearest_3x(image, None))
    assert len(tile_grid(301, 173, 64, 16)) > 12


def test_disagreeing_tiles_fade_into_each_other_without_a_step():
    """Each tile brightens by its own amount; across every overlap the change is gradual."""
    image = np.full((256, 256, 3), 100, np.uint8)

    def brighten(window, tile):
        return window.astype(np.float32) + 40 * (tile.index % 2)

    out = run_tiled(image, brighten, scale=1, tile=96, overlap=32).astype(int)
    assert out.min() == 100 and out.max() == 140  # both tile values are present
    steps = np.abs(np.diff(out, axis=1)).max(), np.abs(np.diff(out, axis=0)).max()
    assert max(steps) <= 4  # a 40-level change spread over >= 10 px: no visible seam


def test_tiled_matches_untiled_away_from_the_border(model_4x):
    image = smooth_image(256)
    untiled = upscale_image(image, model_4x, tile=0, device="cpu")
    tiled = upscale_image(image, model_4x, tile=160, overlap=32, device="cpu")  # 2x2 tiles
    assert tiled.shape == untiled.shape == (1024, 1024, 3)
    assert untiled.std() > 10  # the model draws something: the comparison means something
    diff = np.abs(tiled.astype(int) - untiled.astype(int))
    border = 16
    assert diff[border:-border, border:-border].max() <= 2
    # Sensitivity check: hard-cut tiles (no overlap) do show the edge effects blending hides.
    cut = upscale_image(image, model_4x, tile=128, overlap=0, device="cpu")
    assert np.abs(cut.astype(int) - untiled.astype(int))[border:-border, border:-border].max() > 2


def test_a_4x_model_used_for_2x_and_a_2x_model_used_for_4x(model_4x, model_2x):
    image = noise_image(48, 40, seed=2)
    native = upscale_image(image, model_4x, tile=0, device="cpu")
    half = upscale_image(image, model_4x, scale=2, tile=0, device="cpu")
    assert half.shape == (80, 96, 3)
    expected = np.asarray(Image.fromarray(native).resize((96, 80), Image.LANCZOS))
    assert np.array_equal(half, expected)

    plan = plan_upscale(48, 40, 2, 4.0, tile=32, overlap=8)
    assert plan.pass_sizes == ((48, 40), (96, 80)) and plan.out_size == (192, 160)
    reports = []
    twice = upscale_image(image, model_2x, scale=4, tile=32, overlap=8, device="cpu",
                          on_tile=reports.append)  # fmt: skip
    assert twice.shape == (160, 192, 3)
    assert [r.done for r in reports] == list(range(1, plan.tiles + 1))
    assert {r.total for r in reports} == {plan.tiles}

    odd = upscale_image(image, model_4x, scale=2.5, device="cpu")
    assert odd.shape == (100, 120, 3)


def test_rgba_keeps_its_alpha_upscaled_with_lanczos(model_2x):
    image = noise_image(40, 30, seed=4, channels=4)
    out = upscale_image(image, model_2x, tile=0, device="cpu")
    assert out.shape == (60, 80, 4)
    alpha = np.asarray(Image.fromarray(image[..., 3]).resize((80, 60), Image.LANCZOS))
    assert np.array_equal(out[..., 3], alpha)
    rgb = upscale_image(np.ascontiguousarray(image[..., :3]), model_2x, tile=0, device="cpu")
    assert np.array_equal(out[..., :3], rgb)


def test_lanczos_is_always_there():
    image = noise_image(50, 30, seed=5, channels=4)
    reports = []
    out = upscale_image(image, "lanczos", on_tile=reports.append)
    assert out.shape == (120, 200, 4)  # 4x by default
    assert np.array_equal(out, np.asarray(Image.fromarray(image).resize((200, 120), Image.LANCZOS)))
    assert [(r.done, r.total) for r in reports] == [(1, 1)]
    assert upscale_image(image[..., :3].copy(), "LANCZOS", scale=1.5).shape == (45, 75, 3)


def test_progress_previews_and_cancel_mid_way(model_2x):
    image = smooth_image(128)
    cancel = threading.Event()
    reports = []

    def on_tile(report):
        reports.append(report)
        if report.done == 2:
            cancel.set()

    with pytest.raises(Cancelled):
        upscale_image(image, model_2x, tile=64, overlap=16, device="cpu",
                      on_tile=on_tile, cancel=cancel)  # fmt: skip
    assert [r.done for r in reports] == [1, 2]
    assert reports[0].total == 9
    first, second = reports[0].preview, reports[1].preview
    assert first.shape == (256, 256, 3) and first.dtype == np.uint8
    assert not np.array_equal(first, second)  # the second tile appeared in the preview
    assert np.array_equal(first[128:, 128:], second[128:, 128:])  # the rest is untouched

    cancel.set()
    with pytest.raises(Cancelled):
        upscale_image(image, "lanczos", cancel=cancel)


def test_bad_arguments_are_user_errors(model_2x):
    image = noise_image(16, 16)
    with pytest.raises(ParamsError, match="scale"):
        upscale_image(image, "lanczos", scale=0.5)
    with pytest.raises(ParamsError, match="scale"):
        upscale_image(image, model_2x, scale=40, device="cpu")
    with pytest.raises(ParamsError, match="tile"):
        upscale_image(image, model_2x, tile=8, device="cpu")
    with pytest.raises(ParamsError, match="megapixels"):
        upscale_image(noise_image(5000, 4000), "lanczos", scale=4)
    with pytest.raises(InputImageError):
        upscale_image(image.astype(np.float32), "lanczos")
    with pytest.raises(InputImageError):
        upscale_image(np.zeros((8, 8, 2), np.uint8), "lanczos")
