"""The VAE runs channels-last on the CPU (a measured 1.27-1.29x faster decode): every model load
and every VAE swap leaves its convolution weights in that layout, and the decoded pixels are
the ones a plain (NCHW) decode gives."""

from __future__ import annotations

import copy

import numpy as np
import torch

from studio.core.params import GenerationParams
from studio.core.settings import Settings
from studio.engine.api import Engine
from studio.engine.decode import latents_to_images
from studio.engine.memory_layout import prefer_channels_last

PARAMS = GenerationParams(prompt="a red kite", model="tiny", steps=2, width=64, height=64, seed=3)


def _conv_weights(vae) -> list[torch.Tensor]:
    return [m.weight for m in vae.modules() if isinstance(m, torch.nn.Conv2d)]


def _is_channels_last(vae) -> bool:
    weights = [w for w in _conv_weights(vae) if w.shape[-1] > 1 or w.shape[-2] > 1]
    return bool(weights) and all(
        w.is_contiguous(memory_format=torch.channels_last) and not w.is_contiguous()
        for w in weights
    )


def test_a_loaded_model_has_a_channels_last_vae_on_the_cpu(engine):
    model = engine.load("tiny")
    assert model.device.type == "cpu"
    assert _is_channels_last(model.base.vae)
    assert _is_channels_last(model.pipeline("img2img").vae)  # the modes share it


def test_a_swapped_in_vae_is_channels_last_too(tmp_path, offline):
    from safetensors.torch import save_file

    from studio.engine.models import tiny
    from tests.ldm_layout import vae_to_ldm

    ldm = vae_to_ldm(tiny._vae().state_dict())
    state = {k.removeprefix("first_stage_model."): v for k, v in ldm.items()}
    save_file({k: v.contiguous() for k, v in state.items()}, str(tmp_path / "other.safetensors"))
    engine = Engine(Settings(), vae=str(tmp_path / "other.safetensors"))
    engine.generate(PARAMS)
    vae = engine.load("tiny").base.vae
    assert vae is not getattr(engine.load("tiny"), "own_vae", vae)
    assert _is_channels_last(vae)


def test_channels_last_decodes_the_same_pixels_as_a_plain_layout(engine):
    pipe = engine.load("tiny").base
    plain = copy.deepcopy(pipe.vae).to(memory_format=torch.contiguous_format)
    assert not _is_channels_last(plain)
    latents = torch.randn(1, 4, 8, 8, generator=torch.Generator().manual_seed(5))
    with torch.inference_mode():
        fast = latents_to_images(pipe, latents)
        pipe_plain = copy.copy(pipe)
        pipe_plain.vae = plain
        reference = latents_to_images(pipe_plain, latents)
    np.testing.assert_allclose(fast, reference, atol=1e-5)


def test_other_devices_keep_their_layout():
    vae = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3))
    prefer_channels_last(vae, torch.device("meta"))
    assert vae[0].weight.is_contiguous()
    prefer_channels_last(vae, torch.device("cpu"))
    assert vae[0].weight.is_contiguous(memory_format=torch.channels_last)
