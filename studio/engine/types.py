"""Plain data the engine hands back: step reports and results. No torch types leak out."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from studio.core.params import GenerationParams


@dataclass(frozen=True)
class StepReport:
    """One denoising step finished; `preview` is uint8 (h, w, 3) RGB of the predicted result."""

    image_index: int  # 0-based index of the image within the job (count)
    image_count: int
    step: int  # 1-based
    total: int
    preview: np.ndarray | None
    elapsed: float  # seconds since this image started
    # Where the preview belongs in the output image, (left, top, right, bottom); None = everywhere.
    box: tuple[int, int, int, int] | None = None


@dataclass(frozen=True)
class GenerationResult:
    """A finished image (uint8 (H, W, 3) or (H, W, 4)) and the exact params that made it."""

    image: np.ndarray
    params: GenerationParams


@dataclass(frozen=True)
class TileReport:
    """Upscaling progress: tile `done` of `total` finished; `preview` is the image so far."""

    done: int
    total: int
    preview: np.ndarray | None


StepCallback = Callable[[StepReport], None]
ResultCallback = Callable[[GenerationResult], None]
TileCallback = Callable[[TileReport], None]


def check_cancel(cancel: threading.Event | None) -> None:
    """Raise Cancelled if the user asked to stop."""
    if cancel is not None and cancel.is_set():
        from studio.core.errors import Cancelled

        raise Cancelled()
