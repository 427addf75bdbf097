"""Big decodes in tiles: a VAE decode that would not fit in free memory, or that runs out of it,
is done tile by tile (diffusers' tiled decode) instead of failing.

The estimate is ComfyUI's for SD-family VAEs: about 2178 × 64 bytes per latent pixel per byte of
dtype (512² in float32 ≈ 2.3 GB, 1024² ≈ 9 GB). Tiling changes pixels slightly along tile seams,
so it is used only when the whole decode would not fit.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import Any

import torch

log = logging.getLogger(__name__)

BYTES_PER_LATENT_PIXEL = 2178 * 64
HEADROOM = 0.8  # leave a fifth of the free memory to everything else
TILE_PX = 512  # largest tile side in pixels when decoding in tiles


def estimated_decode_bytes(latents: torch.Tensor, dtype: torch.dtype) -> int:
    batch, _, height, width = latents.shape
    return BYTES_PER_LATENT_PIXEL * height * width * batch * torch.finfo(dtype).bits // 8


def free_bytes(device: torch.device) -> int:
    """Memory the decode may use on `device` now."""
    if device.type == "cuda":
        return int(torch.cuda.mem_get_info(device)[0])
    import psutil

    return int(psutil.virtual_memory().available)


def can_tile(vae: Any) -> bool:
    return callable(getattr(vae, "enable_tiling", None))


def needs_tiling(vae: Any, latents: torch.Tensor) -> bool:
    if not can_tile(vae):
        return False
    need = estimated_decode_bytes(latents, vae.dtype)
    return need > HEADROOM * free_bytes(latents.device)


def is_out_of_memory(error: BaseException) -> bool:
    if isinstance(error, (MemoryError, torch.OutOfMemoryError)):
        return True
    # The CPU allocator reports as a plain RuntimeError.
    return isinstance(error, RuntimeError) and "can't allocate memory" in str(error)


@contextlib.contextmanager
def tiled(vae: Any) -> Iterator[None]:
    """Tiled decoding for the duration of the block; the VAE's own settings are restored after.

    A VAE tiles only images larger than its tile, which is its training size (SDXL's: 1024 px),
    so tiling alone would leave a 1024² SDXL decode whole: tiles are capped at TILE_PX.
    """
    before = bool(getattr(vae, "use_tiling", False))
    sizes = _tile_sizes(vae)
    if sizes is not None and sizes[0] > TILE_PX:
        vae.tile_sample_min_size = TILE_PX
        vae.tile_latent_min_size = TILE_PX * sizes[1] // sizes[0]
    vae.enable_tiling()
    try:
        yield
    finally:
        if sizes is not None:
            vae.tile_sample_min_size, vae.tile_latent_min_size = sizes
        if not before:
            vae.disable_tiling()


def _tile_sizes(vae: Any) -> tuple[int, int] | None:
    sample = getattr(vae, "tile_sample_min_size", None)
    latent = getattr(vae, "tile_latent_min_size", None)
    if not isinstance(sample, int) or not isinstance(latent, int) or latent < 1:
        return None
    return sample, latent
