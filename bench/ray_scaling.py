"""Images per minute of `studio batch` locally and on a local Ray runtime with 1 and 2 workers.

Usage: python bench/ray_scaling.py [--images 12] [--size 128] [--steps 8] [--model tiny]

Prints the throughput of each way and the Ray overhead per image: (one worker using every CPU
- the local run) / images, both rendering the same spec. Runs in one process, one after another.
"""

from __future__ import annotations

import argparse
import io
import os
import tempfile
import time
from pathlib import Path


def _spec(folder: Path, images: int, size: int, steps: int, model: str) -> Path:
    path = folder / "spec.toml"
    path.write_text(
        f'model = "{model}"\nsteps = {steps}\nsize = "{size}x{size}"\n\n'
        f'[[job]]\nprompt = "castle on a cliff, concept art"\ncount = {images}\n',
        encoding="utf-8",
    )
    return path


def _timed(spec: Path, out: Path, **ray: object) -> float:
    from studio.cli.batch import run

    args = argparse.Namespace(spec=spec, output=out, dry_run=False, **ray)
    started = time.perf_counter()
    assert run(args, stdout=io.StringIO()) == 0
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=12)
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--model", default="tiny")
    opts = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import ray

    cpus = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        spec = _spec(folder, opts.images, opts.size, opts.steps, opts.model)
        _timed(spec, folder / "warm", ray=None)  # imports and the first model load
        local = _timed(spec, folder / "local", ray=None)
        ray.init(num_cpus=cpus, include_dashboard=False, log_to_driver=False)
        try:
            one = _timed(spec, folder / "ray1", ray="local", ray_workers=1, ray_cpus=cpus)
            two = _timed(
                spec, folder / "ray2", ray="local", ray_workers=2, ray_cpus=max(1, cpus // 2)
            )
        finally:
            ray.shutdown()
    n = opts.images
    print(f"{n} images, {opts.model} {opts.size}x{opts.size}, {opts.steps} steps, {cpus} CPUs")
    for name, seconds in (("local batch", local), ("ray, 1 worker", one), ("ray, 2 workers", two)):
        print(f"{name:16s} {seconds:7.1f} s  {60 * n / seconds:6.1f} images/min")
    print(f"ray 1 worker / local: {one / local:.2f}x time; 2 workers / local: {two / local:.2f}x")
    print(f"ray overhead per image (1 worker - local): {(one - local) / n:+.3f} s")


if __name__ == "__main__":
    main()
