"""Rendering planned images on a worker pool, writing each one as it arrives."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from typing import Any

import numpy as np

from studio.core.batch_spec import PlannedImage
from studio.core.errors import Cancelled
from studio.core.export import ExportFolder
from studio.core.imagefiles import read_image, read_mask
from studio.engine.farm.cluster import FarmError, WorkerPool

WAIT_S = 0.25  # how often the driver looks at cancel while images render


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
