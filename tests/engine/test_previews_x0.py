"""Previews show the predicted image (x0), not the noisy sample, for every scheduler family.

x0 is computed here from the scheduler's own quantities: in variance-preserving form the UNet
sees x = sqrt(abar) * x0 + sqrt(1 - abar) * eps, so x0 = (x - sqrt(1 - abar) * eps) / sqrt(abar),
with abar = 1 / (sigma^2 + 1) for sigma-based schedulers and alphas_cumprod[t] for DDIM/LCM.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest
import torch

from studio.core.params import SCHEDULERS, GenerationParams
from studio.engine.models.tiny import SCHEDULER_CONFIG
from studio.engine.previews import LatentPreviewer, X0Tap
from studio.engine.schedulers import make_scheduler
from tests.engine.spies import spy_engine


def _abar(scheduler, index: int, t: torch.Tensor) -> torch.Tensor:
    if hasattr(scheduler, "sigmas"):
        return 1.0 / (scheduler.sigmas[index] ** 2 + 1.0)
    return scheduler.alphas_cumprod[int(t)]


@pytest.mark.parametrize("name", SCHEDULERS)
def test_the_tap_returns_x0_for_every_scheduler(name):
    steps = 5
    scheduler = make_scheduler(name, SCHEDULER_CONFIG)
    scheduler.set_timesteps(steps)
    tap = X0Tap(scheduler)
    gen = torch.Generator().manual_seed(0)
    x = torch.randn((1, 4, 8, 8), generator=gen) * scheduler.init_noise_sigma
    timesteps = scheduler.timesteps
    for i, t in enumerate(timesteps):
        x_vp = scheduler.scale_model_input(x, t)
        eps = torch.randn((1, 4, 8, 8), generator=gen)
        abar = _abar(scheduler, i, t)
        x0 = (x_vp - (1 - abar).sqrt() * eps) / abar.sqrt()
        if name == "LCM":  # LCM's estimate mixes in the sample at the boundary condition
            c_skip, c_out = scheduler.get_scalings_for_boundary_condition_discrete(t)
            x0 = c_out * x0 + c_skip * x
        # pipelines pass a generator only to samplers that take one (the ancestral ones)
        extra = (
            {"generator": gen}
            if "generator" in inspect.signature(scheduler.step).parameters
            else {}
        )
        prev = scheduler.step(eps, t, x, return_dict=False, **extra)[0]
        assert tap.latest is not None
        torch.testing.assert_close(tap.latest, x0, rtol=1e-4, atol=1e-4)
        if i == 0:  # at high noise the prediction is far from the next sample
            assert (tap.latest - prev).abs().mean() > 0.5, "the tap returned the noisy sample"
        x = prev


BASE = GenerationParams(prompt="castle", model="tiny", steps=4, width=64, height=64, seed=3)


@pytest.mark.parametrize("name", ["Euler a", "DPM++ 2M Karras"])
def test_first_and_last_previews_are_the_prediction(engine, monkeypatch, name):
    spy = spy_engine(monkeypatch, engine)
    reports = []
    engine.generate(BASE.replace(scheduler=name), on_step=reports.append)
    previewer = LatentPreviewer("sd1")
    # last step: the preview of x0 is the preview of the latents that get decoded
    vae = engine.load("tiny").base.vae
    final = spy.decoded[-1] * vae.config.scaling_factor
    assert np.abs(reports[-1].preview.astype(int) - previewer(final)).max() <= 1
    # first step: x0 from the guided noise prediction, not the noisy latents
    first = spy.steps[0]
    scheduler = spy.schedulers[0]
    sigma = scheduler.sigmas[0]
    abar = 1.0 / (sigma**2 + 1.0)
    # Euler-type samplers keep the sample in sigma space (x0 + sigma * eps); DPM/UniPC in VP form
    x_vp = first.sample * abar.sqrt() if scheduler.init_noise_sigma > 1 else first.sample
    x0 = (x_vp - (1 - abar).sqrt() * first.model_output) / abar.sqrt()
    assert np.abs(reports[0].preview.astype(int) - previewer(x0)).max() <= 1
    assert np.abs(reports[0].preview.astype(int) - previewer(first.sample)).mean() > 5
