"""Latents to pixels: the model's VAE, or TAESD for the "Fast" decode.

Half precision can overflow inside a VAE (the classic black image): a decode that comes out
with NaN/inf is redone in float32 rather than returned. A decode too big for free memory is done
in tiles (studio.engine.vae_memory).
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import torch

from studio.engine.vae_memory import can_tile, is_out_of_memory, needs_tiling, tiled

log = logging.getLogger(__name__)

DECODES = ("full", "fast")


def _unscale(vae: Any, latents: torch.Tensor) -> torch.Tensor:
    """Undo the latent scaling the way diffusers' pipelines do (SDXL may carry mean/std)."""
    config = vae.config
    mean = getattr(config, "latents_mean", None)
    std = getattr(config, "latents_std", None)
    if mean is not None and std is not None:
        shape = (1, len(mean), 1, 1)
        mean_t = torch.tensor(mean).view(shape).to(latents.device, latents.dtype)
        std_t = torch.tensor(std).view(shape).to(latents.device, latents.dtype)
        return latents * std_t / config.scaling_factor + mean_t
    return latents / config.scaling_factor


def _tiled_decode(vae: Any, latents: torch.Tensor) -> torch.Tensor:
    with tiled(vae):
        return vae.decode(latents, return_dict=False)[0]


def _decode(vae: Any, latents: torch.Tensor) -> torch.Tensor:
    latents = latents.to(vae.dtype)
    if needs_tiling(vae, latents):
        log.info(
            "decoding %s latents in tiles: a whole decode would not fit in free memory",
            tuple(latents.shape),
        )
        return _tiled_decode(vae, latents)
    try:
        return vae.decode(latents, return_dict=False)[0]
    except Exception as error:
        if not (is_out_of_memory(error) and can_tile(vae)) or getattr(vae, "use_tiling", False):
            raise
    log.warning("the VAE decode ran out of memory; decoding again in tiles")
    return _tiled_decode(vae, latents)


def _decode_float32(vae: Any, latents: torch.Tensor) -> torch.Tensor:
    """Decode with the VAE's weights upcast to float32 for this call, then put them back."""
    original = vae.dtype
    vae.to(torch.float32)
    try:
        return _decode(vae, latents.float())
    finally:
        vae.to(original)


def safe_decode(vae: Any, latents: torch.Tensor) -> torch.Tensor:
    """VAE decode of scaled latents to [-1, 1] images, retried in float32 if not finite."""
    latents = _unscale(vae, latents)
    if vae.dtype == torch.float16 and getattr(vae.config, "force_upcast", False):
        # The model says its VAE overflows in float16 (SDXL's does): skip the doomed try.
        return _decode_float32(vae, latents)
    image = _decode(vae, latents)
    if vae.dtype != torch.float32 and not torch.isfinite(image).all():
        log.warning("the %s VAE decode overflowed (NaN/inf); decoding again in float32", vae.dtype)
        image = _decode_float32(vae, latents)
    return image


def latents_to_images(pipe: Any, latents: torch.Tensor, tiny_vae: Any | None = None) -> np.ndarray:
    """float [0, 1] (N, H, W, 3) images, exactly as the pipeline's own output_type='np' gives."""
    image = safe_decode(tiny_vae if tiny_vae is not None else pipe.vae, latents)
    count = image.shape[0]
    return pipe.image_processor.postprocess(image, output_type="np", do_denormalize=[True] * count)
