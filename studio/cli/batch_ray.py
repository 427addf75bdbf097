"""`studio batch SPEC -o DIR --ray [ADDRESS]`: the same batch, rendered across a Ray cluster.

Each Ray worker (an actor per GPU, or per N CPUs) loads the model once and renders one image per
task; the driver streams finished images back and writes them exactly as a local run does (same
names, metadata, index.json, contact sheet). A worker that dies mid-job has its job retried on
another worker; Ctrl+C stops the workers and keeps every finished file.
"""

from __future__ import annotations

import argparse
import os
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from studio.core.batch_spec import PlannedImage
from studio.core.errors import Cancelled, UserError
from studio.core.export import ExportFolder
from studio.core.imagefiles import read_image, read_mask
from studio.core.settings import Settings
from studio.engine.farm import RenderWorker

RAY_MISSING = "--ray needs Ray, an optional part: pip install 'studio[ray]'"
WAIT_S = 0.25  # how often the driver looks at Ctrl+C while images render


class FarmError(UserError):
    """The cluster cannot render this batch (unreachable, too small, every worker gone)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--ray",
        nargs="?",
        const="local",
        default=None,
        metavar="ADDRESS",
        help="render on Ray: alone, a local Ray runtime; `auto` or ray://HOST:PORT, a cluster",
    )
    parser.add_argument(
        "--ray-workers", type=int, default=None, metavar="N", help="workers (default: fill it)"
    )
    parser.add_argument(
        "--ray-cpus", type=int, default=2, metavar="N", help="CPUs per CPU worker (default 2)"
    )


def import_ray() -> Any:
    try:
        import ray
    except ImportError as exc:
        raise FarmError(RAY_MISSING) from exc
    return ray


@dataclass(frozen=True)
class FarmShape:
    workers: int
    cpus: int  # per worker
    gpus: int  # per worker (0 or 1)


def connect(ray: Any, address: str, workers: int | None, cpus: int) -> bool:
    """Join (or start) a Ray runtime; True when this process started it (and must stop it)."""
    if ray.is_initialized():
        return False
    quiet = {"include_dashboard": False, "log_to_driver": False, "configure_logging": False}
    if address == "local":
        want = (workers or 1) * cpus
        ray.init(num_cpus=max(os.cpu_count() or 1, want), **quiet)
        return True
    try:
        ray.init(address=address, **quiet)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise FarmError(
            f"cannot reach the Ray cluster at {address!r} ({exc}); start one with "
            "`ray start --head`, or give --ray alone for a local one"
        ) from exc
    return False


def farm_shape(resources: dict[str, float], workers: int | None, cpus: int) -> FarmShape:
    """One worker per GPU when the cluster has GPUs, else one per `cpus` CPUs."""
    if cpus < 1:
        raise FarmError(f"--ray-cpus must be at least 1, got {cpus}")
    gpus_total = int(resources.get("GPU", 0))
    cpus_total = int(resources.get("CPU", 0))
    if gpus_total:
        fits = gpus_total
        shape = FarmShape(workers or fits, 1, 1)
    else:
        fits = cpus_total // cpus
        shape = FarmShape(workers or max(1, fits), cpus, 0)
    if shape.workers < 1:
        raise FarmError(f"--ray-workers must be at least 1, got {shape.workers}")
    if shape.workers > max(fits, 1) or (not gpus_total and shape.workers * cpus > cpus_total):
        raise FarmError(
            f"the cluster has {cpus_total} CPUs and {gpus_total} GPUs: {shape.workers} workers "
            f"of {cpus} CPUs do not fit; lower --ray-workers or --ray-cpus"
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


def _actor_died(ray: Any) -> tuple[type[BaseException], ...]:
    errors = ray.exceptions
    kinds = [errors.RayActorError]
    for name in ("ActorDiedError", "ActorUnavailableError", "WorkerCrashedError"):
        kind = getattr(errors, name, None)
        if kind is not None:
            kinds.append(kind)
    return tuple(kinds)


def _raise_cause(exc: BaseException) -> None:
    """A worker's own error (a bad model, an unreadable input) surfaces as itself."""
    cause = getattr(exc, "cause", None)
    if isinstance(cause, BaseException):
        raise cause from None
    raise exc


Written = Callable[[PlannedImage, str, Any], None]


def render_on_farm(
    todo: list[PlannedImage],
    folder: ExportFolder,
    pool: WorkerPool,
    cancel: threading.Event,
    written: Written,
) -> None:
    """Render `todo` on the pool's workers, writing each image as it arrives.

    Names are claimed in plan order first, so they equal a local run's whatever order the
    images finish in. Raises Cancelled when `cancel` is set (the workers are stopped)."""
    from studio.core.params import GenerationParams

    ray = pool.ray
    died = _actor_died(ray)
    names = {
        id(item): folder.claim(
            folder.name_for(item.params, index=item.index, job=item.job, template=item.template)
        )
        for item in todo
    }
    inputs: dict[tuple[Any, str], Any] = {}

    def put(path: Any, kind: str) -> Any:
        if path is None:
            return None
        if (path, kind) not in inputs:
            pixels: np.ndarray = read_mask(path) if kind == "mask" else read_image(path)[0]
            inputs[(path, kind)] = ray.put(pixels)
        return inputs[(path, kind)]

    queue = deque(todo)
    idle = list(pool.actors)
    busy: dict[Any, tuple[Any, PlannedImage]] = {}
    while queue or busy:
        if cancel.is_set():
            pool.shutdown()
            raise Cancelled()
        while queue and idle:
            actor, item = idle.pop(0), queue.popleft()
            ref = actor.render.remote(
                item.params.to_dict(), put(item.image, "image"), put(item.mask, "mask")
            )
            busy[ref] = (actor, item)
        if not busy:
            raise FarmError("every Ray worker died; see the Ray logs (`ray logs`) for why")
        ready, _ = ray.wait(list(busy), num_returns=1, timeout=WAIT_S)
        for ref in ready:
            actor, item = busy.pop(ref)
            try:
                pixels, params = ray.get(ref)
            except died:
                pool.retries += 1
                queue.appendleft(item)  # retried on the next free worker
                fresh = pool.replace(actor)
                idle = [a for a in idle if a is not actor]
                if fresh is not None:
                    idle.append(fresh)
                continue
            except ray.exceptions.RayTaskError as exc:
                _raise_cause(exc)
            idle.append(actor)
            used = GenerationParams.from_dict(params)
            path = folder.write(names[id(item)], pixels, used)
            written(item, path.name, used)


def start_farm(args: argparse.Namespace, settings: Settings) -> tuple[Any, WorkerPool, bool]:
    """(ray, the worker pool, whether this process started Ray and must shut it down)."""
    ray = import_ray()
    started = connect(ray, args.ray, args.ray_workers, args.ray_cpus)
    try:
        shape = farm_shape(ray.cluster_resources(), args.ray_workers, args.ray_cpus)
        return ray, WorkerPool(ray, settings, shape), started
    except BaseException:
        if started:
            ray.shutdown()
        raise


__all__ = ["RAY_MISSING", "FarmEngine", "FarmError", "WorkerPool", "add_arguments"]
