"""Rendering batches across a Ray cluster: workers that load the model once, a driver loop
that streams images back, retries a dead worker's job and stops on cancel."""

from studio.engine.farm.cluster import (
    RAY_MISSING,
    FarmEngine,
    FarmError,
    FarmShape,
    Wording,
    WorkerPool,
    farm_shape,
    start_farm,
)
from studio.engine.farm.render import render_on_farm

__all__ = [
    "RAY_MISSING",
    "FarmEngine",
    "FarmError",
    "FarmShape",
    "Wording",
    "WorkerPool",
    "farm_shape",
    "render_on_farm",
    "start_farm",
]
