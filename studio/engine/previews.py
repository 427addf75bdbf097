"""Live previews: the model's current guess of the final image (x0), as cheap RGB.

A linear map from the 4 latent channels to RGB (coefficients published by ComfyUI's
latent_formats.py) costs a few hundred FLOPs per latent pixel: nothing next to a UNet step.
TAESD (AutoencoderTiny) is used instead when its weights are available locally.
"""

from __future__ import annotations

import functools
import time
from typing import Any

import numpy as np
import torch

LATENT_RGB = {
    "sd1": (
        [
            [0.3512, 0.2297, 0.3227],
            [0.3250, 0.4974, 0.2350],
            [-0.2829, 0.1762, 0.2721],
            [-0.2120, -0.2616, -0.7177],
        ],
        [0.0, 0.0, 0.0],
    ),
    "sdxl": (
        [
            [0.3651, 0.4232, 0.4341],
            [-0.2533, -0.0042, 0.1068],
            [0.1076, 0.1111, -0.0362],
            [-0.3165, -0.2492, -0.2188],
        ],
        [0.1084, -0.0175, -0.0011],
    ),
}


class LatentPreviewer:
    """Turns (1, 4, h, w) x0 latents into uint8 (h, w, 3) RGB with the family's linear map."""

    def __init__(self, family: str) -> None:
        factors, bias = LATENT_RGB["sdxl" if family == "sdxl" else "sd1"]
        self._factors = torch.tensor(factors, dtype=torch.float32)
        self._bias = torch.tensor(bias, dtype=torch.float32)
        self._on: torch.device | None = None

    def __call__(self, latents: torch.Tensor) -> np.ndarray:
        if self._on != latents.device:
            self._factors = self._factors.to(latents.device)
            self._bias = self._bias.to(latents.device)
            self._on = latents.device
        x0 = latents[0, :4].float()
        rgb = torch.einsum("chw,cr->hwr", x0, self._factors) + self._bias
        rgb = ((rgb + 1.0) * 127.5).clamp(0, 255).to(torch.uint8)
        return rgb.cpu().numpy()


TAESD_PREVIEW_BUDGET = 0.05  # of the generation time (issue 15: previews cost <= 5 %)


class TaesdPreviewer:
    """Decodes x0 latents with TAESD (AutoencoderTiny) for a sharper, full-size preview."""

    def __init__(self, decoder: Any) -> None:
        self._decoder = decoder

    @torch.no_grad()
    def __call__(self, latents: torch.Tensor) -> np.ndarray:
        # TAESD reads the scaled latents the UNet works in (its own scaling_factor is 1.0).
        scaled = latents[:, :4].to(self._decoder.dtype) / self._decoder.config.scaling_factor
        decoded = self._decoder.decode(scaled).sample[0]
        rgb = ((decoded.float() + 1.0) * 127.5).clamp(0, 255).to(torch.uint8)
        return rgb.permute(1, 2, 0).cpu().numpy()

    def estimate_seconds(self, latents: torch.Tensor) -> float:
        """What a preview of `latents` will cost: a decode of a 1/16 crop, times its area."""
        height, width = latents.shape[-2:]
        crop = latents[..., : max(8, height // 4), : max(8, width // 4)]
        started = time.perf_counter()
        self(crop)
        seconds = time.perf_counter() - started
        return seconds * (height * width) / (crop.shape[-2] * crop.shape[-1])


class ThrottledPreviewer:
    """A costly previewer used only where it keeps its total time within `budget` of the run's.

    The other steps get the cheap previewer, so previews keep coming at every step. A costly
    preview runs only when the time spent on them so far plus its expected cost stays within the
    budget of the time since the image started (reset); its cost is measured on a small crop
    before the first one (when the previewer can) and by the last one after that. So a run
    whose steps are short next to a preview gets none, rather than a first one that costs more
    than the budget.
    """

    def __init__(self, costly: Any, cheap: Any, budget: float = 0.05) -> None:
        self.costly = costly
        self.cheap = cheap
        self.budget = budget
        self.spent = 0.0
        self._started: float | None = None
        self._expected: float | None = None

    def reset(self) -> None:
        self.spent = 0.0
        self._started = time.perf_counter()

    def _expected_cost(self, latents: torch.Tensor) -> float:
        if self._expected is None:
            estimate = getattr(self.costly, "estimate_seconds", None)
            if estimate is None:
                return 0.0
            started = time.perf_counter()
            self._expected = estimate(latents)
            self.spent += time.perf_counter() - started
        return self._expected

    def __call__(self, latents: torch.Tensor) -> np.ndarray:
        now = time.perf_counter()
        if self._started is None:
            self._started = now
        expected = self._expected_cost(latents)
        if self.spent + expected > self.budget * (now - self._started):
            return self.cheap(latents)
        started = time.perf_counter()
        preview = self.costly(latents)
        self._expected = time.perf_counter() - started
        self.spent += self._expected
        return preview


class X0Tap:
    """Wraps a scheduler's `step` to keep the latest prediction of the clean latents (x0).

    Euler, Heun, DDIM and LCM return it as the second output; multistep solvers (DPM++,
    UniPC) keep it as their latest converted model output. Falls back to the noisy latents.
    """

    def __init__(self, scheduler: Any) -> None:
        self.latest: torch.Tensor | None = None
        self._scheduler = scheduler
        original = scheduler.step

        # wraps() keeps the signature visible: pipelines pass `generator` only to a step()
        # whose signature accepts it, and ancestral samplers need it for reproducible noise.
        @functools.wraps(original)
        def tapped_step(*args: Any, **kwargs: Any) -> Any:
            out = original(*args, **kwargs)
            self.latest = self._x0_from(out)
            return out

        scheduler.step = tapped_step

    def _x0_from(self, out: Any) -> torch.Tensor | None:
        prev = out[0] if isinstance(out, tuple) else getattr(out, "prev_sample", None)
        x0 = None
        if isinstance(out, tuple) and len(out) > 1 and isinstance(out[1], torch.Tensor):
            x0 = out[1]
        elif not isinstance(out, tuple):
            x0 = getattr(out, "pred_original_sample", None)
            if x0 is None:
                x0 = getattr(out, "denoised", None)
        if x0 is None:
            outputs = getattr(self._scheduler, "model_outputs", None)
            if outputs and outputs[-1] is not None and outputs[-1].shape == prev.shape:
                x0 = outputs[-1]
        return x0 if x0 is not None else prev


def load_taesd_previewer(model: Any) -> ThrottledPreviewer | None:
    """Throttled TAESD previews if its weights are in the local HF cache, else None."""
    from studio.engine.tiny_vae import load_tiny_vae

    decoder = load_tiny_vae(model.family, model.device, model.dtype)
    if decoder is None:
        return None
    return ThrottledPreviewer(
        TaesdPreviewer(decoder), LatentPreviewer(model.family), budget=TAESD_PREVIEW_BUDGET
    )
