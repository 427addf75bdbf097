"""The measured denoising speed of recent images, per model, for time estimates before a long
job (the sweep dialog's): seconds per step scaled to 512x512, as SweepPlan.estimate_seconds
takes it."""

from __future__ import annotations

import statistics
from collections import deque
from collections.abc import Hashable

REFERENCE_PIXELS = 512 * 512
KEEP = 8  # images remembered


class SpeedMeter:
    def __init__(self, keep: int = KEEP) -> None:
        self._recent: deque[tuple[Hashable, str, float]] = deque(maxlen=keep)

    def record(
        self, image: Hashable, model: str, step: int, elapsed: float, width: int, height: int
    ) -> None:
        """`step` steps of one image (`image` tells images apart) took `elapsed` seconds."""
        if step < 1 or elapsed <= 0 or width < 1 or height < 1:
            return
        rate = (model, elapsed / step * REFERENCE_PIXELS / (width * height))
        if self._recent and self._recent[-1][0] == image:
            self._recent[-1] = (image, *rate)  # the same image, further along: more exact
        else:
            self._recent.append((image, *rate))

    def seconds_per_step_512(self, model: str) -> float | None:
        """The median over the recent images of this model, or None before the first."""
        rates = [rate for _image, name, rate in self._recent if name == model]
        return statistics.median(rates) if rates else None

    def steps_per_second_512(self, model: str) -> float | None:
        seconds = self.seconds_per_step_512(model)
        return None if seconds is None else 1.0 / seconds
