"""The `--ray` options of `studio batch` (the farm itself is studio.engine.farm)."""

from __future__ import annotations

import argparse
import threading
from typing import Any, TextIO

from studio.cli.batch import BatchProgress, Done, run_spec
from studio.core.batch_spec import BatchSpec, PlannedImage
from studio.core.export import ExportFolder
from studio.core.settings import Settings


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


def run_on_farm(args: argparse.Namespace, spec: BatchSpec, engine: Any, out: TextIO) -> int:
    """The batch, rendered by Ray workers; the driver writes what a local run writes."""
    from studio.engine.farm import FarmEngine, render_on_farm, start_farm

    settings = engine.settings if engine is not None else Settings.load()
    ray, pool, started = start_farm(args.ray, args.ray_workers, args.ray_cpus, settings)
    try:

        def on_farm(
            todo: list[PlannedImage],
            folder: ExportFolder,
            progress: BatchProgress,
            cancel: threading.Event,
            done: list[Done],
        ) -> None:
            def written(item: PlannedImage, name: str, params: Any) -> None:
                done.append((item, name, params))
                progress.image_done(name)
                progress.start_image()  # images finish in parallel: time between arrivals

            render_on_farm(todo, folder, pool, cancel, written)

        return run_spec(args, spec, FarmEngine(pool), on_farm, out)
    finally:
        pool.shutdown()
        if started:
            ray.shutdown()
