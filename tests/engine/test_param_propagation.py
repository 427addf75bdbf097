"""Every user-facing parameter reaches the model: spies on what the UNet and scheduler receive.

With random weights a picture cannot be judged, so these tests check the inputs instead: the
conditioning batch, the guidance arithmetic, the sigmas, the number of UNet calls, the start
step, the starting noise and the latent shape.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from studio.core.params import GenerationParams
from tests.engine.spies import encode_prompt, spy_engine
from tests.helpers import noise_image

BASE = GenerationParams(
    prompt="castle on a cliff", negative="blurry", model="tiny", steps=3, width=64, height=64,
    seed=7, cfg=5.0,
)  # fmt: skip


def _same(a: torch.Tensor, b: torch.Tensor) -> bool:
    return torch.allclose(a, b, rtol=1e-5, atol=1e-6)


def test_prompt_and_negative_are_the_cond_and_uncond_halves(engine, monkeypatch):
    spy = spy_engine(monkeypatch, engine)
    engine.generate(BASE)
    assert len(spy.unet) == BASE.steps
    uncond, cond = encode_prompt(engine, "blurry"), encode_prompt(engine, "castle on a cliff")
    for call in spy.unet:
        assert call.encoder_hidden_states.shape[0] == 2
        assert _same(call.encoder_hidden_states[0:1], uncond)
        assert _same(call.encoder_hidden_states[1:2], cond)


def test_an_empty_negative_is_the_empty_prompt(engine, monkeypatch):
    spy = spy_engine(monkeypatch, engine)
    engine.generate(BASE.replace(negative=""))
    assert _same(spy.unet[0].encoder_hidden_states[0:1], encode_prompt(engine, ""))
    assert not _same(spy.unet[0].encoder_hidden_states[0:1], encode_prompt(engine, "blurry"))


@pytest.mark.parametrize("cfg", [2.5])
def test_guidance_mixes_the_halves_with_the_cfg_scale(engine, monkeypatch, cfg):
    spy = spy_engine(monkeypatch, engine)
    engine.generate(BASE.replace(cfg=cfg))
    assert len(spy.steps) == len(spy.unet) == BASE.steps
    for call, step in zip(spy.unet, spy.steps, strict=True):
        uncond, cond = call.output.chunk(2)
        assert not _same(uncond, cond)
        assert _same(step.model_output, uncond + cfg * (cond - uncond))


def test_cfg_one_runs_without_the_unconditional_batch(engine, monkeypatch):
    spy = spy_engine(monkeypatch, engine)
    engine.generate(BASE.replace(cfg=1.0))
    assert all(call.sample.shape[0] == 1 for call in spy.unet)
    assert _same(spy.unet[0].encoder_hidden_states, encode_prompt(engine, "castle on a cliff"))


@pytest.mark.parametrize(("scheduler", "calls"), [("Euler a", 5), ("Heun", 9)])
def test_steps_are_the_number_of_unet_calls(engine, monkeypatch, scheduler, calls):
    spy = spy_engine(monkeypatch, engine)
    engine.generate(BASE.replace(steps=5, scheduler=scheduler))
    assert len(spy.unet) == calls  # Heun is second order: 2 * steps - 1 model calls
    assert len(spy.schedulers) == 1 and spy.schedulers[0].num_inference_steps == 5


@pytest.mark.parametrize("name", ["Euler", "DPM++ 2M Karras", "DDIM", "LCM"])
def test_the_named_scheduler_does_the_stepping(engine, monkeypatch, name):
    from studio.engine.schedulers import make_scheduler

    spy = spy_engine(monkeypatch, engine)
    engine.generate(BASE.replace(scheduler=name))
    expected = make_scheduler(name, engine.load("tiny").scheduler_config)
    expected.set_timesteps(BASE.steps)
    assert {type(step.scheduler) for step in spy.steps} == {type(expected)}
    assert [step.timestep for step in spy.steps] == expected.timesteps.float().tolist()
    if hasattr(expected, "sigmas"):
        assert torch.equal(spy.steps[0].sigmas, expected.sigmas)


def test_dpm_karras_steps_on_karras_sigmas(engine, monkeypatch):
    spy = spy_engine(monkeypatch, engine)
    engine.generate(BASE.replace(scheduler="DPM++ 2M Karras", steps=6))
    sigmas = spy.steps[0].sigmas.numpy()[:-1]
    lo, hi, rho = sigmas.min(), sigmas.max(), 7.0
    ramp = np.linspace(0, 1, len(sigmas))
    karras = (hi ** (1 / rho) + ramp * (lo ** (1 / rho) - hi ** (1 / rho))) ** rho
    np.testing.assert_allclose(sigmas, karras, rtol=1e-4)
    # and the plain name does not
    spy.steps.clear()
    engine.generate(BASE.replace(scheduler="DPM++ 2M", steps=6))
    plain = spy.steps[0].sigmas.numpy()[:-1]
    assert np.abs(plain - karras).max() > 0.05 * hi


@pytest.mark.parametrize("seed", [123456])
def test_seed_is_the_starting_noise_drawn_on_the_cpu(engine, monkeypatch, seed):
    spy = spy_engine(monkeypatch, engine)
    engine.generate(BASE.replace(seed=seed, scheduler="Euler"))
    noise = torch.randn((1, 4, 8, 8), generator=torch.Generator("cpu").manual_seed(seed))
    scheduler = spy.schedulers[0]
    first = spy.unet[0]
    # Euler feeds the UNet noise * init_sigma scaled back by 1 / sqrt(sigma^2 + 1)
    sigma = float(scheduler.sigmas[0])
    expected = noise * scheduler.init_noise_sigma / (sigma**2 + 1) ** 0.5
    assert _same(first.sample[0:1], expected) and _same(first.sample[1:2], expected)


@pytest.mark.parametrize(("width", "height"), [(128, 64), (64, 96)])
def test_size_is_the_latent_shape(engine, monkeypatch, width, height):
    spy = spy_engine(monkeypatch, engine)
    out = engine.generate(BASE.replace(width=width, height=height, steps=1))[0].image
    assert spy.unet[0].sample.shape == (2, 4, height // 8, width // 8)
    assert out.shape == (height, width, 3)


@pytest.mark.parametrize(("strength", "calls"), [(0.5, 4), (0.25, 2)])
def test_strength_is_the_start_step(engine, monkeypatch, strength, calls):
    spy = spy_engine(monkeypatch, engine)
    params = BASE.replace(mode="img2img", steps=8, strength=strength, scheduler="DDIM")
    engine.generate(params, image=noise_image(64, 64, seed=1))
    scheduler = spy.schedulers[0]
    assert len(spy.unet) == calls == int(8 * strength)
    start = 8 - calls  # round(steps * (1 - strength)) with diffusers' int()
    assert [c.timestep for c in spy.unet] == scheduler.timesteps[start:].float().tolist()


def test_img2img_starts_from_the_noised_input_image(engine, monkeypatch):
    spy = spy_engine(monkeypatch, engine)
    source = noise_image(64, 64, seed=1)
    params = BASE.replace(mode="img2img", steps=4, strength=0.5, scheduler="DDIM")
    engine.generate(params, image=source)
    pipe = engine.load("tiny").base
    pixels = torch.from_numpy(source).permute(2, 0, 1)[None].float() / 127.5 - 1
    generator = torch.Generator("cpu").manual_seed(params.seed)
    with torch.no_grad():
        latents = pipe.vae.encode(pixels).latent_dist.sample(generator)
    latents = latents * pipe.vae.config.scaling_factor
    noise = torch.randn(latents.shape, generator=generator)
    scheduler = spy.schedulers[0]
    t = scheduler.timesteps[2:3]
    expected = scheduler.add_noise(latents, noise, t)
    assert torch.allclose(spy.unet[0].sample[0:1], expected, atol=1e-4)
