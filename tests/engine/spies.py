"""Spies on what the engine hands diffusers: UNet inputs/outputs, the scheduler, the render.

Each spy wraps the real object and records, changing nothing, so a test can check that a
parameter reached the model exactly as it should.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
import torch


@dataclass
class UNetCall:
    sample: torch.Tensor  # what the UNet got (the CFG batch: [uncond, cond] when cfg > 1)
    timestep: float
    encoder_hidden_states: torch.Tensor
    output: torch.Tensor  # the noise prediction, per batch row


@dataclass
class SchedulerStep:
    scheduler: Any
    model_output: torch.Tensor  # the guided noise prediction
    timestep: float
    sample: torch.Tensor
    sigmas: torch.Tensor | None


@dataclass
class Spy:
    unet: list[UNetCall] = field(default_factory=list)
    steps: list[SchedulerStep] = field(default_factory=list)
    schedulers: list[Any] = field(default_factory=list)
    renders: list[dict[str, Any]] = field(default_factory=list)  # DiffusionRun calls + output
    decoded: list[torch.Tensor] = field(default_factory=list)  # latents handed to vae.decode


def spy_engine(monkeypatch: pytest.MonkeyPatch, engine: Any, model: str = "tiny") -> Spy:
    """Load `model` on `engine` and spy on its UNet, VAE decode, schedulers and renders."""
    import studio.engine.runner as runner

    loaded = engine.load(model)
    spy = Spy()
    unet = loaded.base.unet
    forward = unet.forward

    def unet_forward(sample: torch.Tensor, timestep: Any, encoder_hidden_states: Any, **kw: Any):
        out = forward(sample, timestep, encoder_hidden_states, **kw)
        noise = out[0] if isinstance(out, tuple) else out.sample
        spy.unet.append(
            UNetCall(
                sample.detach().clone(),
                float(timestep),
                encoder_hidden_states.detach().clone(),
                noise.detach().clone(),
            )
        )
        return out

    monkeypatch.setattr(unet, "forward", unet_forward)

    vae = loaded.base.vae
    decode = vae.decode

    def vae_decode(latents: torch.Tensor, *args: Any, **kw: Any):
        spy.decoded.append(latents.detach().clone())
        return decode(latents, *args, **kw)

    monkeypatch.setattr(vae, "decode", vae_decode)

    make = runner.make_scheduler

    def make_scheduler(name: str, config: dict) -> Any:
        scheduler = make(name, config)
        spy.schedulers.append(scheduler)
        step = scheduler.step

        @functools.wraps(step)
        def spied_step(model_output: torch.Tensor, timestep: Any, sample: torch.Tensor, *a, **k):
            sigmas = getattr(scheduler, "sigmas", None)
            spy.steps.append(
                SchedulerStep(
                    scheduler,
                    model_output.detach().clone(),
                    float(timestep),
                    sample.detach().clone(),
                    None if sigmas is None else sigmas.clone(),
                )
            )
            return step(model_output, timestep, sample, *a, **k)

        scheduler.step = spied_step
        return scheduler

    monkeypatch.setattr(runner, "make_scheduler", make_scheduler)

    call = runner.DiffusionRun.__call__

    def run_call(self: Any, mode: str, **kwargs: Any) -> np.ndarray:
        out = call(self, mode, **kwargs)
        spy.renders.append({"mode": mode, **kwargs, "output": out.copy()})
        return out

    monkeypatch.setattr(runner.DiffusionRun, "__call__", run_call)
    return spy


def encode_prompt(engine: Any, text: str, model: str = "tiny") -> torch.Tensor:
    """The text encoder's embedding of `text`, computed here the way CLIP conditioning is made."""
    pipe = engine.load(model).base
    ids = pipe.tokenizer(
        text,
        padding="max_length",
        max_length=pipe.tokenizer.model_max_length,
        truncation=True,
        return_tensors="pt",
    ).input_ids
    with torch.no_grad():
        return pipe.text_encoder(ids)[0]
