"""Refuse what a model decodes into NaN or infinity (saved, it would be a black picture)."""

from __future__ import annotations

import numpy as np


class NonFiniteOutputError(RuntimeError):
    """The VAE produced NaN/infinite pixels; nothing was saved or shown."""

    advice = (
        "nothing was saved; try float32 precision (--dtype float32: half-precision VAEs "
        "often overflow), "
        "another VAE or model, or fewer steps/lower CFG"
    )


def require_finite(pixels: np.ndarray) -> np.ndarray:
    """pixels (the decoder's float output) unchanged, or NonFiniteOutputError."""
    finite = np.isfinite(pixels)
    if not finite.all():
        share = 1.0 - float(finite.mean())
        raise NonFiniteOutputError(
            f"the model produced invalid pixels (NaN or infinite values in {share:.0%} of the "
            "image), "
            "which would be a black picture"
        )
    return pixels
