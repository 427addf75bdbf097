"""Upscale jobs: the plain-data request and progress, and how the worker runs them.

An upscale job goes through the same queue and the same worker as generation jobs (kind
"upscale"). `Job.params` carries the current prompt/model/steps/strength (used by the optional
diffusion "detail" pass), `Job.request` an `UpscaleRequest`. The engine is reached lazily, in the
worker thread; everything emitted is plain data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from studio.jobs.queue import Job

GENERATE = "generate"
UPSCALE = "upscale"
LANCZOS = "lanczos"


@dataclass(frozen=True)
class UpscaleRequest:
    """What to upscale with. `tile` is the window in source pixels (and the detail tile)."""

    upscaler: str = LANCZOS
    scale: float = 2.0
    tile: int = 512
    detail: bool = False  # then a tiled img2img pass with the job's params (strength, steps)

    def describe(self) -> str:
        text = f"upscale ×{self.scale:g} · {self.upscaler}"
        return text + " + detail" if self.detail else text


@dataclass(frozen=True)
class UpscaleProgress:
    """Tile `done` of `total` finished; `preview` (uint8 RGB) is the image so far, if any.

    During the detail pass, `step`/`steps` count the denoising steps of the current tile.
    """

    done: int
    total: int
    preview: np.ndarray | None = None
    step: int = 0
    steps: int = 0


def needs_model(job: Job) -> bool:
    """Whether the job needs the diffusion model loaded (generation, or a detail upscale)."""
    if job.kind != UPSCALE:
        return True
    return bool(getattr(job.request, "detail", False))


def run_upscale(engine: Any, job: Job, emit: Callable[[UpscaleProgress], None]) -> np.ndarray:
    """Run an upscale job on the engine; returns the upscaled uint8 image.

    Raises studio.core.errors.Cancelled (from the engine) when job.cancel is set.
    """
    request = job.request
    if not isinstance(request, UpscaleRequest):
        raise TypeError(f"upscale job {job.id} has no UpscaleRequest")
    if job.image is None:
        raise ValueError(f"upscale job {job.id} has no image")
    last = [0, 1]

    def on_tile(report: Any) -> None:
        last[:] = [int(report.done), int(report.total)]
        emit(UpscaleProgress(last[0], last[1], report.preview))

    def on_step(report: Any) -> None:
        emit(UpscaleProgress(last[0], last[1], None, int(report.step), int(report.total)))

    if request.detail:
        result = engine.detail_upscale(
            job.image,
            job.params,
            request.upscaler,
            request.scale,
            request.tile,
            on_tile=on_tile,
            on_step=on_step,
            cancel=job.cancel,
        )
    else:
        result = engine.upscale(
            job.image,
            request.upscaler,
            request.scale,
            request.tile,
            device=job.params.device,
            on_tile=on_tile,
            cancel=job.cancel,
        )
    return np.ascontiguousarray(result)


def upscaler_names(engine: Any) -> list[str]:
    """Lanczos plus the upscaler files in the engine's configured folders and the Hugging Face
    cache (names for a menu)."""
    settings = getattr(engine, "settings", None)
    folders = getattr(settings, "upscaler_dirs", None) or []
    from studio.engine.upscale import list_upscalers  # worker thread only

    return [entry.name for entry in list_upscalers(folders)]
