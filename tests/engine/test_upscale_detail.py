"""Detail upscale: upscale, then img2img in overlapping tiles blended without seams; end to end
on the built-in `tiny` model with per-tile progress, and cancel mid-way."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from studio.core.errors import Cancelled, ParamsError
from studio.core.imagefiles import save_png
from studio.core.params import GenerationParams
from studio.engine.upscale import upscale_image
from studio.engine.upscale.detail import detail_upscale, engine_img2img
from tests.helpers import noise_image


def test_identity_img2img_gives_back_the_upscaled_image_exactly():
    image = noise_image(100, 70, seed=1, channels=4)
    calls = []

    def identity(tile, index):
        calls.append((index, tile.shape))
        return tile.copy()

    out = detail_upscale(image, identity, scale=2, tile=64, overlap=16)
    assert out.shape == (140, 200, 4)
    assert np.array_equal(out, upscale_image(image, "lanczos", scale=2))
    assert all(shape == (64, 64, 3) for _, shape in calls)  # sizes the diffusion model accepts
    assert [i for i, _ in calls] == list(range(len(calls)))


def test_tiles_that_disagree_are_blended_without_seams():
    image = np.full((128, 128, 3), 90, np.uint8)

    def shifted(tile, index):
        return np.clip(tile.astype(int) + 30 * (index % 3), 0, 255).astype(np.uint8)

    out = detail_upscale(image, shifted, scale=2, tile=128, overlap=64).astype(int)
    assert out.max() - out.min() >= 55  # the tiles really differ ...
    jumps = max(np.abs(np.diff(out, axis=0)).max(), np.abs(np.diff(out, axis=1)).max())
    assert jumps <= 3  # ... yet fade into each other over the overlap


def test_progress_counts_upscale_then_detail_tiles_and_cancel_stops_it():
    image = noise_image(64, 64, seed=2)
    reports, calls = [], []
    cancel = threading.Event()

    def fake(tile, index):
        calls.append(index)
        return tile

    def on_tile(report):
        reports.append(report)
        if report.done == 3:
            cancel.set()

    with pytest.raises(Cancelled):
        detail_upscale(image, fake, scale=2, tile=64, overlap=16, on_tile=on_tile, cancel=cancel)
    assert [r.done for r in reports] == [1, 2, 3]
    assert {r.total for r in reports} == {1 + 9}  # one Lanczos step, then 3x3 img2img tiles
    assert calls == [0, 1]  # no tile started after the cancel
    assert all(r.preview.shape == (128, 128, 3) for r in reports)


def test_too_few_steps_for_the_strength_is_a_params_error(engine):
    params = GenerationParams(model="tiny", steps=2, strength=0.3)
    with pytest.raises(ParamsError, match="at least 4 steps"):
        engine_img2img(engine, params)
    with pytest.raises(ParamsError, match="multiple of 8"):
        detail_upscale(noise_image(32, 32), lambda t, i: t, tile=100)


def test_detail_upscale_on_tiny_256_to_512_end_to_end(engine, tmp_path):
    image = noise_image(256, 256, seed=3)
    params = GenerationParams(
        prompt="castle on a cliff", model="tiny", steps=2, strength=0.5, seed=7, device="cpu"
    )
    steps, reports = [], []
    run = engine_img2img(engine, params, on_step=steps.append)
    out = detail_upscale(image, run, scale=2, tile=320, overlap=64, on_tile=reports.append)
    assert out.shape == (512, 512, 3) and out.dtype == np.uint8
    assert [(r.done, r.total) for r in reports] == [(i, 5) for i in range(1, 6)]  # 1 + 2x2
    assert all(r.preview.shape == (512, 512, 3) for r in reports)
    assert len(steps) == 4  # one denoising step (2 x 0.5) per img2img tile
    plain = upscale_image(image, "lanczos", scale=2)
    assert np.abs(out.astype(int) - plain.astype(int)).mean() > 5  # the model repainted it

    # Cancel inside the second img2img tile (from its denoising step): Cancelled, nothing written.
    cancel = threading.Event()
    target = tmp_path / "big.png"
    seen, denoised = [], []

    def on_step(report):
        denoised.append(report)
        if len(denoised) == 2:
            cancel.set()

    run = engine_img2img(engine, params, on_step=on_step, cancel=cancel)
    with pytest.raises(Cancelled):
        result = detail_upscale(
            image, run, scale=2, tile=320, overlap=64, on_tile=seen.append, cancel=cancel
        )
        save_png(target, result)
    assert [r.done for r in seen] == [1, 2]  # Lanczos and the first img2img tile only
    assert len(denoised) == 2
    assert not target.exists() and list(tmp_path.iterdir()) == []
