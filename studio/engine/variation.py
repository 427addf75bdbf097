"""Variation seeds as AUTOMATIC1111 defines them: the starting noise is
slerp(strength, noise(seed), noise(variation_seed)).

A1111 (modules/rng.py, ImageRNG.first) draws each image's noise of shape (C, H, W) and
interpolates with `slerp` along dim 1; we do exactly that. The seed's noise is drawn from the
same CPU generator, in the same shape and dtype, as diffusers would draw it, and the pipeline
then gets that generator (advanced past the noise) for the sampler's own per-step noise, so
strength 0 reproduces the plain seed's pixels. As in A1111, ancestral samplers (Euler a, ...)
keep drawing their per-step noise from the main seed, so strength 1 equals the variation
seed's plain image only with deterministic samplers.
"""

from __future__ import annotations

from typing import Any

import torch

from studio.core.params import GenerationParams


def slerp(val: float, low: torch.Tensor, high: torch.Tensor) -> torch.Tensor:
    """A1111's slerp (modules/rng.py), over dim 1 of (C, H, W) noise, including its
    near-parallel shortcut."""
    low_norm = low / torch.norm(low, dim=1, keepdim=True)
    high_norm = high / torch.norm(high, dim=1, keepdim=True)
    dot = (low_norm * high_norm).sum(1)
    if dot.mean() > 0.9995:
        return low * val + high * (1 - val)
    omega = torch.acos(dot)
    so = torch.sin(omega)
    return (torch.sin((1.0 - val) * omega) / so).unsqueeze(1) * low + (
        torch.sin(val * omega) / so
    ).unsqueeze(1) * high


def seed_noise(seed: int, shape: tuple[int, ...], dtype: torch.dtype) -> torch.Tensor:
    """The noise diffusers draws for `seed` from a fresh CPU generator."""
    from diffusers.utils.torch_utils import randn_tensor

    generator = torch.Generator("cpu").manual_seed(seed)
    return randn_tensor(shape, generator=generator, device=torch.device("cpu"), dtype=dtype)


def variation_noise(
    seed: int, variation_seed: int, strength: float, shape: tuple[int, ...], dtype: torch.dtype
) -> tuple[torch.Tensor, torch.Generator]:
    """(starting latents of `shape` (1, C, H, W), the seed's generator advanced past them)."""
    from diffusers.utils.torch_utils import randn_tensor

    generator = torch.Generator("cpu").manual_seed(seed)
    noise = randn_tensor(shape, generator=generator, device=torch.device("cpu"), dtype=dtype)
    subnoise = seed_noise(variation_seed, shape, dtype)
    mixed = slerp(float(strength), noise[0].float(), subnoise[0].float())
    return mixed.unsqueeze(0).to(dtype), generator


def variation_kwargs(
    pipe: Any, params: GenerationParams, mode: str, width: int, height: int, strength: float | None
) -> dict[str, Any]:
    """Extra pipeline arguments for a variation seed ({} when params have none).

    Applies when diffusers starts from pure noise: txt2img, or an inpaint at strength 1 (what
    a 9-channel model's txt2img is)."""
    if params.variation_seed is None or not params.variation_strength:
        return {}
    if mode != "txt2img" and not (mode == "inpaint" and strength == 1.0):
        return {}
    channels = int(pipe.vae.config.latent_channels)
    scale = int(pipe.vae_scale_factor)
    dtype = pipe.unet.dtype
    latents, generator = variation_noise(
        params.seed,
        params.variation_seed,
        params.variation_strength,
        (1, channels, height // scale, width // scale),
        dtype,
    )
    return {"latents": latents, "generator": generator}
