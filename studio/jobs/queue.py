"""Jobs waiting for the worker: plain data, first in first out, removable while pending."""

from __future__ import annotations

import itertools
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from studio.core.params import GenerationParams


@dataclass(eq=False)
class Job:
    """One generation request: params plus the input image and mask (copies, owned by the job)."""

    id: int
    params: GenerationParams
    image: np.ndarray | None = None
    mask: np.ndarray | None = None
    cancel: threading.Event = field(default_factory=threading.Event)
    kind: str = "generate"  # "generate" | "upscale" (studio.jobs.upscale_job)
    request: Any = None  # plain-data extras of the kind, e.g. an UpscaleRequest


class JobQueue:
    """FIFO of pending jobs with stable ids."""

    def __init__(self) -> None:
        self._pending: deque[Job] = deque()
        self._ids = itertools.count(1)

    def add(
        self,
        params: GenerationParams,
        image: np.ndarray | None = None,
        mask: np.ndarray | None = None,
        *,
        kind: str = "generate",
        request: Any = None,
    ) -> Job:
        job = Job(next(self._ids), params, image, mask, kind=kind, request=request)
        self._pending.append(job)
        return job

    def pop(self) -> Job | None:
        return self._pending.popleft() if self._pending else None

    def remove(self, job_id: int) -> bool:
        for job in self._pending:
            if job.id == job_id:
                self._pending.remove(job)
                return True
        return False

    def clear(self) -> list[Job]:
        jobs = list(self._pending)
        self._pending.clear()
        return jobs

    def __len__(self) -> int:
        return len(self._pending)

    def __iter__(self) -> Iterator[Job]:
        return iter(list(self._pending))
