"""Sweep jobs: a whole X/Y/Z sweep is one job in the queue (kind "sweep").

`Job.params` is the sweep's base, `Job.request` a SweepRequest (the validated plan and the
folder), `Job.image` the img2img source if any. The worker reports each cell's steps as
StepReports numbered by cell (image i of N) and each finished cell as a result, so the strip
fills as the sweep runs; cancel stops within a step and keeps the finished cells on disk.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio.core.params import GenerationParams
from studio.core.sweep import SweepOutput, SweepPlan, run_sweep
from studio.jobs.queue import Job

SWEEP = "sweep"


@dataclass(frozen=True)
class SweepRequest:
    plan: SweepPlan
    directory: Path

    def describe(self) -> str:
        return f"sweep · {self.plan.describe()}"


def run_sweep_job(
    engine: Any,
    job: Job,
    on_step: Callable[[Any], None],
    on_result: Callable[[Any, GenerationParams], None],
) -> list[Path]:
    """Render the sweep's cells into its folder; returns the grid files."""
    request: SweepRequest = job.request
    output = SweepOutput(request.directory, request.plan)
    position = {"done": 0, "total": request.plan.count}

    def on_cell(done: int, total: int, _cell: Any) -> None:
        position.update(done=done, total=total)

    def cell_step(report: Any) -> None:
        on_step(
            dataclasses.replace(report, image_index=position["done"], image_count=position["total"])
        )

    def render(params: GenerationParams) -> Any:
        result = engine.generate(params, image=job.image, on_step=cell_step, cancel=job.cancel)[0]
        on_result(result.image, result.params)
        return result.image

    return run_sweep(request.plan, render, output, on_cell=on_cell, cancel=job.cancel)
