"""A fake engine with the real Engine's contract: fast, deterministic, no torch."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace
from typing import Any

import numpy as np

from studio.core.errors import Cancelled, ModelError
from studio.core.params import GenerationParams
from studio.engine.types import GenerationResult, StepReport


def fake_pixels(params: GenerationParams, seed: int) -> np.ndarray:
    """A distinct image per seed: a gradient tinted by the seed."""
    h, w = params.height, params.width
    yy, xx = np.mgrid[0:h, 0:w]
    img = np.stack(
        [(xx * 255 // max(w - 1, 1)), (yy * 255 // max(h - 1, 1)), np.full_like(xx, seed % 256)],
        axis=2,
    )
    return img.astype(np.uint8)


class FakeEngine:
    def __init__(self, step_delay: float = 0.01) -> None:
        self.step_delay = step_delay
        self.loaded: list[str] = []
        self.calls: list[GenerationParams] = []
        self.fail_with: Exception | None = None
        self.step_gate: threading.Event | None = None  # when set, steps after the 1st wait on it
        self.thread_names: list[str] = []

    def load(self, model: str = "tiny", device: str = "auto", dtype: str = "auto") -> None:
        if model == "missing":
            raise ModelError("model 'missing' was not found; see `studio models`")
        self.loaded.append(model)

    def warm_up(self) -> None:
        self.warmed = True

    def list_models(self) -> list[Any]:
        return [SimpleNamespace(name=name) for name in ("tiny", "tiny-inpaint")]

    def generate(self, params, image=None, mask=None, on_step=None, on_result=None, cancel=None):
        self.calls.append(params)
        self.thread_names.append(threading.current_thread().name)
        if self.fail_with is not None:
            raise self.fail_with
        results = []
        for index, one in enumerate(params.per_image()):
            seed = one.seed + (one.variation_seed or 0) if one.varies else one.seed
            start = time.perf_counter()
            for step in range(1, params.steps + 1):
                if step > 1 and self.step_gate is not None:
                    self.step_gate.wait(120)  # a hang guard, never the expected path
                time.sleep(self.step_delay)
                if cancel is not None and cancel.is_set():
                    raise Cancelled()
                preview = np.full((params.height // 8, params.width // 8, 3), step * 20, np.uint8)
                if on_step:
                    on_step(
                        StepReport(index, params.count, step, params.steps, preview,
                                   time.perf_counter() - start)
                    )  # fmt: skip
            result = GenerationResult(fake_pixels(params, seed), one)
            if on_result:
                on_result(result)
            results.append(result)
        return results
