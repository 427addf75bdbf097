"""A decode too big for free memory, or one that runs out of it, is done in tiles instead."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from studio.engine import vae_memory
from studio.engine.decode import safe_decode
from studio.engine.vae_memory import estimated_decode_bytes, is_out_of_memory


@pytest.fixture(scope="module")
def vae(engine_module):
    vae = engine_module.load("tiny").base.vae
    # tiny's VAE tiles above 256 px; smaller tiles keep the test at 128 px.
    vae.tile_sample_min_size, vae.tile_latent_min_size = 64, 8
    return vae


@pytest.fixture(scope="module")
def engine_module():
    from studio.core.settings import Settings
    from studio.engine.api import Engine

    return Engine(Settings())


def _latents(seed: int = 0) -> torch.Tensor:
    return torch.randn(1, 4, 16, 16, generator=torch.Generator().manual_seed(seed))


def _reference(vae, latents: torch.Tensor, tiled: bool) -> torch.Tensor:
    (vae.enable_tiling if tiled else vae.disable_tiling)()
    try:
        with torch.inference_mode():
            return vae.decode(latents / vae.config.scaling_factor, return_dict=False)[0]
    finally:
        vae.disable_tiling()


def _decode(vae, latents):
    with torch.inference_mode():
        return safe_decode(vae, latents)


def test_the_estimate_follows_comfyui_sizes():
    latents = torch.zeros(1, 4, 64, 64)
    assert estimated_decode_bytes(latents, torch.float32) == 2178 * 64 * 64 * 64 * 4
    assert estimated_decode_bytes(latents, torch.float16) == 2178 * 64 * 64 * 64 * 2


def test_a_decode_that_fits_is_whole(vae):
    latents = _latents()
    assert torch.equal(_decode(vae, latents), _reference(vae, latents, tiled=False))
    assert not vae.use_tiling


def test_a_decode_bigger_than_free_memory_is_tiled(vae, monkeypatch):
    monkeypatch.setattr(vae_memory, "free_bytes", lambda device: 10_000_000)
    latents = _latents(1)
    out = _decode(vae, latents)
    tiled = _reference(vae, latents, tiled=True)
    assert torch.equal(out, tiled)
    assert not torch.equal(out, _reference(vae, latents, tiled=False))  # it really tiled
    assert not vae.use_tiling  # the VAE's own setting is back


def test_tiles_are_capped_even_where_the_vae_tiles_only_larger_images(monkeypatch):
    # SDXL's VAE tiles only above 1024 px, so "tiled" alone left a 1024² decode whole.
    from studio.core.settings import Settings
    from studio.engine.api import Engine

    vae = Engine(Settings()).load("tiny").base.vae  # its own VAE, default tile sizes
    default = (vae.tile_sample_min_size, vae.tile_latent_min_size)
    assert default[0] > 128  # a 128 px image is smaller than tiny's own tile
    monkeypatch.setattr(vae_memory, "TILE_PX", 64)
    monkeypatch.setattr(vae_memory, "free_bytes", lambda device: 10_000_000)
    latents = _latents(2)
    out = _decode(vae, latents)
    assert (vae.tile_sample_min_size, vae.tile_latent_min_size) == default  # restored
    vae.tile_sample_min_size, vae.tile_latent_min_size = 64, 8
    try:
        assert torch.equal(out, _reference(vae, latents, tiled=True))  # 64 px tiles
    finally:
        vae.tile_sample_min_size, vae.tile_latent_min_size = default
    assert not torch.equal(out, _reference(vae, latents, tiled=False))


@pytest.mark.parametrize(
    "error",
    [
        MemoryError(),
        torch.OutOfMemoryError("CUDA out of memory"),
        RuntimeError("DefaultCPUAllocator: can't allocate memory: you tried to allocate 9 GB"),
    ],
)
def test_running_out_of_memory_in_a_whole_decode_retries_in_tiles(vae, monkeypatch, error):
    original = type(vae).decode
    calls: list[bool] = []

    def decode(self, *args, **kwargs):
        calls.append(self.use_tiling)
        if not self.use_tiling:
            raise error
        return original(self, *args, **kwargs)

    monkeypatch.setattr(type(vae), "decode", decode)
    latents = _latents(2)
    out = _decode(vae, latents)
    monkeypatch.undo()
    assert calls == [False, True]
    np.testing.assert_array_equal(out.numpy(), _reference(vae, latents, tiled=True).numpy())
    assert not vae.use_tiling


def test_other_errors_are_not_taken_for_memory(vae, monkeypatch):
    assert not is_out_of_memory(RuntimeError("shape mismatch"))

    def decode(self, *args, **kwargs):
        raise RuntimeError("shape mismatch")

    monkeypatch.setattr(type(vae), "decode", decode)
    with pytest.raises(RuntimeError, match="shape mismatch"):
        _decode(vae, _latents())
