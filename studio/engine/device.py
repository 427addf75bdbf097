"""Choosing the torch device and dtype."""

from __future__ import annotations

import torch

from studio.core.errors import ParamsError

DTYPES = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}


def pick_device(preference: str = "auto") -> torch.device:
    if preference == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    if preference == "cuda" and not torch.cuda.is_available():
        raise ParamsError(
            "device 'cuda' is not available on this machine; use --device auto or cpu"
        )
    if preference == "mps" and not (
        getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()
    ):
        raise ParamsError("device 'mps' is not available on this machine; use --device auto or cpu")
    return torch.device(preference)


def pick_dtype(preference: str, device: torch.device) -> torch.dtype:
    """auto: float16 on CUDA and MPS, float32 on CPU."""
    if preference == "auto":
        return torch.float16 if device.type in ("cuda", "mps") else torch.float32
    return DTYPES[preference]
