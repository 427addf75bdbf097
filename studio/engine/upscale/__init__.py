"""Upscaling: Lanczos and any spandrel model (ESRGAN, Real-ESRGAN, SwinIR, HAT, DAT, ...), tiled
with feathered overlaps in bounded memory, plus the diffusion "detail upscale"."""

from studio.engine.upscale.discovery import (
    LANCZOS,
    UpscalerEntry,
    find_upscalers,
    list_upscalers,
    resolve_upscaler,
)
from studio.engine.upscale.loading import load_upscaler, resolve_device
from studio.engine.upscale.upscaler import plan_for, plan_upscale, upscale_image

__all__ = [
    "LANCZOS",
    "UpscalerEntry",
    "find_upscalers",
    "list_upscalers",
    "load_upscaler",
    "plan_for",
    "plan_upscale",
    "resolve_device",
    "resolve_upscaler",
    "upscale_image",
]
