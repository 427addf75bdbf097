"""A render worker for a Ray cluster: one per GPU (or per N CPUs), the model loaded once.

The class is plain Python; the driver (studio/cli/batch_ray.py) wraps it with `ray.remote`, so
this module never imports Ray. Only plain data crosses the wire: params as dicts, pixels as
uint8 arrays. Weights never travel: each worker loads the model itself from a path every node
can read, or from the Hugging Face cache on its node.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from studio.core.params import GenerationParams
from studio.core.settings import Settings


class RenderWorker:
    """Renders one image per call on its own Engine; keeps the model loaded between calls."""

    def __init__(self, settings: Settings, threads: int | None = None) -> None:
        import torch

        from studio.engine.api import Engine

        if threads:
            # CPU results depend (by a rounding step) on the thread count: pinning it makes a
            # worker's pixels equal a local run's with the same count.
            torch.set_num_threads(int(threads))
        self.engine = Engine(settings, preview_method="off")

    def pid(self) -> int:
        return os.getpid()

    def native_size(self, model: str, device: str, dtype: str) -> int:
        return int(self.engine.load(model, device, dtype).native_size)

    def render(
        self, params: dict[str, Any], image: np.ndarray | None, mask: np.ndarray | None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        """One image: (uint8 pixels, the exact params used, as a dict)."""
        results = self.engine.generate(GenerationParams.from_dict(params), image, mask)
        return results[0].image, results[0].params.to_dict()
