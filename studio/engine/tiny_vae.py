"""TAESD / TAESDXL (diffusers' AutoencoderTiny) from the local Hugging Face cache, loaded once.

The same object serves the "Fast" final decode and TAESD previews, so it is never loaded twice.
"""

from __future__ import annotations

from typing import Any

import torch

TAESD_REPOS = {
    "sdxl": "madebyollin/taesdxl",
    "sd1": "madebyollin/taesd",
    "sd2": "madebyollin/taesd",
}

_cache: dict[tuple[str, str, torch.dtype], Any] = {}


def taesd_repo(family: str) -> str:
    return TAESD_REPOS.get(family, TAESD_REPOS["sd1"])


def load_tiny_vae(family: str, device: torch.device, dtype: torch.dtype) -> Any | None:
    """The family's AutoencoderTiny if its weights are in the local HF cache, else None."""
    key = (family, str(device), dtype)
    if key not in _cache:
        try:
            from diffusers import AutoencoderTiny

            vae = AutoencoderTiny.from_pretrained(taesd_repo(family), local_files_only=True)
        except Exception:  # not cached (or unreadable): callers fall back or explain
            return None
        _cache[key] = vae.to(device, dtype).eval().requires_grad_(False)
    return _cache[key]


def clear_cache() -> None:
    _cache.clear()


def require_tiny_vae(model: Any) -> Any:
    """The loaded model's TAESD for the "Fast" decode, or a ModelError saying how to get it."""
    tiny = load_tiny_vae(model.family, model.device, model.dtype)
    if tiny is None:
        from studio.core.errors import ModelError

        repo = taesd_repo(model.family)
        raise ModelError(
            f"the Fast decode needs TAESD ({repo}) in the local Hugging Face cache; "
            f"run `huggingface-cli download {repo}` or use --decode full"
        )
    return tiny
