"""Joining a Ray cluster and keeping a pool of render workers on it (Ray imported lazily)."""

from __future__ import annotations

import argparse
import os
import socket
from dataclasses import dataclass
from typing import Any

from studio.core.errors import UserError
from studio.core.settings import Settings
from studio.engine.farm.worker import RenderWorker

RAY_MISSING = "--ray needs Ray, an optional part: pip install 'studio[ray]'"


@dataclass(frozen=True)
class Wording:
    """How messages name the farm's settings: the CLI's flags, or the app's settings."""

    local: str = "give --ray alone for a local one"
    workers: str = "--ray-workers"
    cpus: str = "--ray-cpus"
    missing: str = RAY_MISSING


CLI_WORDING = Wording()


class FarmError(UserError):
    """The cluster cannot render this batch (unreachable, too small, every worker gone)."""


def import_ray(wording: Wording = CLI_WORDING) -> Any:
    try:
        import ray
    except ImportError as exc:
        raise FarmError(wording.missing) from exc
    return ray


@dataclass(frozen=True)
class FarmShape:
    workers: int
    cpus: int  # per worker
    gpus: int  # per worker (0 or 1)


REACH_TIMEOUT_S = 5.0


def unreachable(address: str, timeout: float = REACH_TIMEOUT_S) -> str | None:
    """Why no TCP connection opens to a HOST:PORT (or ray://HOST:PORT) address; None if one does.

    Ray itself retries an unreachable head node for minutes; this answers in seconds."""
    host, _, port = address.removeprefix("ray://").rpartition(":")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout):
            return None
    except (OSError, ValueError) as exc:
        return " ".join(str(exc).split()) or type(exc).__name__


def connect(
    ray: Any, address: str, workers: int | None, cpus: int, wording: Wording = CLI_WORDING
) -> bool:
    """Join (or start) a Ray runtime; True when this process started it (and must stop it)."""
    if ray.is_initialized():
        return False
    quiet = {"include_dashboard": False, "log_to_driver": False, "configure_logging": False}
    if address == "local":
        want = (workers or 1) * cpus
        ray.init(num_cpus=max(os.cpu_count() or 1, want), **quiet)
        return True
    advice = f"start one with `ray start --head`, or {wording.local}"
    why = unreachable(address) if ":" in address else None
    if why is not None:
        raise FarmError(f"cannot reach the Ray cluster at {address!r} ({why}); {advice}")
    try:
        ray.init(address=address, **quiet)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise FarmError(f"cannot reach the Ray cluster at {address!r} ({exc}); {advice}") from exc
    return False


def farm_shape(
    resources: dict[str, float], workers: int | None, cpus: int, wording: Wording = CLI_WORDING
) -> FarmShape:
    """One worker per GPU when the cluster has GPUs, else one per `cpus` CPUs."""
    if cpus < 1:
        raise FarmError(f"{wording.cpus} must be at least 1, got {cpus}")
    gpus_total = int(resources.get("GPU", 0))
    cpus_total = int(resources.get("CPU", 0))
    if gpus_total:
        fits = gpus_total
        shape = FarmShape(workers or fits, 1, 1)
    else:
        fits = cpus_total // cpus
        shape = FarmShape(workers or max(1, fits), cpus, 0)
    if shape.workers < 1:
        raise FarmError(f"{wording.workers} must be at least 1, got {shape.workers}")
    if shape.workers > max(fits, 1) or (not gpus_total and shape.workers * cpus > cpus_total):
        raise FarmError(
            f"the cluster has {cpus_total} CPUs and {gpus_total} GPUs: {shape.workers} workers "
            f"of {cpus} CPUs do not fit; lower {wording.workers} or {wording.cpus}"
        )
    return shape


class WorkerPool:
    """The render actors; a dead one is replaced (once per original worker at most)."""

    def __init__(self, ray: Any, settings: Settings, shape: FarmShape) -> None:
        self.ray = ray
        self.settings = settings
        self.shape = shape
        self._remote = ray.remote(num_cpus=shape.cpus, num_gpus=shape.gpus)(RenderWorker)
        self.actors: list[Any] = [self._start() for _ in range(shape.workers)]
        self.replacements_left = shape.workers
        self.retries = 0

    def _start(self) -> Any:
        threads = 0 if self.shape.gpus else self.shape.cpus
        return self._remote.remote(self.settings, threads)

    def replace(self, dead: Any) -> Any | None:
        self.actors = [a for a in self.actors if a is not dead]
        if self.replacements_left <= 0:
            return None
        self.replacements_left -= 1
        fresh = self._start()
        self.actors.append(fresh)
        return fresh

    def pids(self) -> list[int]:
        return self.ray.get([actor.pid.remote() for actor in self.actors])

    def native_size(self, model: str, device: str, dtype: str) -> int:
        return int(self.ray.get(self.actors[0].native_size.remote(model, device, dtype)))

    def shutdown(self) -> None:
        for actor in self.actors:
            self.ray.kill(actor)
        self.actors = []


class FarmEngine:
    """What the batch's preflight needs of an engine, answered by the cluster's workers."""

    def __init__(self, pool: WorkerPool) -> None:
        self.pool = pool
        self.settings = pool.settings

    def load(self, model: str, device: str = "auto", dtype: str = "auto") -> Any:
        return argparse.Namespace(native_size=self.pool.native_size(model, device, dtype))


def start_farm(
    address: str,
    workers: int | None,
    cpus: int,
    settings: Settings,
    wording: Wording = CLI_WORDING,
) -> tuple[Any, WorkerPool, bool]:
    """(ray, a worker pool, whether this process started Ray and must shut it down)."""
    ray = import_ray(wording)
    started = connect(ray, address, workers, cpus, wording)
    try:
        shape = farm_shape(ray.cluster_resources(), workers, cpus, wording)
        return ray, WorkerPool(ray, settings, shape), started
    except BaseException:
        if started:
            ray.shutdown()
        raise
