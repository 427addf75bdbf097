"""`studio batch SPEC.toml -o DIR`: render every image a batch spec plans, resumably.

The spec is validated completely (keys, types, input files, name templates, models) before
anything renders. Each finished image is written atomically as soon as it exists; Ctrl+C stops
within one denoising step, keeps every finished image and writes no partial one (exit 130).
Running the same command again skips images already in DIR with matching params.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from studio.cli.errors import EXIT_INTERRUPTED, EXIT_OK
from studio.core.batch_spec import BatchSpec, PlannedImage, load_spec
from studio.core.errors import BatchSpecError, Cancelled, UserError
from studio.core.export import INDEX_NAME, SHEET_NAME, ExportFolder
from studio.core.imagefiles import read_image, read_mask
from studio.core.sweep.batch_grids import write_batch_grids
from studio.core.write_errors import check_writable

INDEX_EVERY_S = 2.0  # rewrite index.json at most this often while rendering (and at the end)


def register(subparsers: Any) -> None:
    text = "render every image of a batch spec (TOML) into a folder; rerun to resume"
    parser = subparsers.add_parser("batch", help=text, description=text)
    parser.add_argument("spec", type=Path, metavar="SPEC.toml", help="the batch spec")
    parser.add_argument("-o", "--output", type=Path, required=True, metavar="DIR", help="folder")
    parser.add_argument(
        "--dry-run", action="store_true", help="validate and list what would render, render nothing"
    )
    from studio.cli.batch_ray import add_arguments
    from studio.cli.options import add_backend_option

    add_backend_option(parser)
    add_arguments(parser)
    parser.set_defaults(func=run)


class BatchProgress:
    """One line on stderr: a bar, image i/N, step s/S, it/s over the batch, and ETA."""

    def __init__(self, total: int, done: int = 0, stream: TextIO | None = None) -> None:
        self.total, self.done, self.rendered = total, done, 0
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.steps_done = 0
        self.render_seconds = 0.0  # time spent in finished images
        self._image_started = time.perf_counter()
        self._step = (0, 0)
        self._drawn = 0.0

    def start_image(self) -> None:
        self._image_started = time.perf_counter()
        self._step = (0, 0)

    def rate(self) -> float:
        """Denoising steps per second over everything rendered so far (it/s)."""
        busy = self.render_seconds + (time.perf_counter() - self._image_started)
        steps = self.steps_done + self._step[0]
        return steps / busy if busy > 0 and steps else 0.0

    def eta(self) -> float | None:
        left = self.total - self.done
        current = time.perf_counter() - self._image_started
        step, of = self._step
        if self.rendered:
            per_image = self.render_seconds / self.rendered
        elif step:
            per_image = current * of / step
        else:
            return None
        return max(0.0, per_image * left - (current if step else 0.0))

    def line(self) -> str:
        width = 20
        filled = int(width * self.done / self.total) if self.total else width
        eta = self.eta()
        eta_text = "--:--" if eta is None else time.strftime("%M:%S", time.gmtime(eta))
        if eta is not None and eta >= 3600:
            eta_text = f"{int(eta // 3600)}h{time.strftime('%M:%S', time.gmtime(eta))}"
        step, of = self._step
        current = min(self.done + 1, self.total)
        steps = f"  step {step}/{of}" if of else ""
        return (
            f"[{'#' * filled}{'.' * (width - filled)}] image {current}/{self.total}"
            f"{steps}  {self.rate():.2f} it/s  ETA {eta_text}"
        )

    def step(self, report: Any) -> None:
        self._step = (int(report.step), int(report.total))
        now = time.perf_counter()
        if self.tty and now - self._drawn >= 0.1:
            self._drawn = now
            self.stream.write("\r" + self.line().ljust(72))
            self.stream.flush()

    def image_done(self, name: str) -> None:
        self.steps_done += self._step[0]
        self.render_seconds += time.perf_counter() - self._image_started
        self.rendered += 1
        self.done += 1
        self._step = (0, 0)
        message = f"image {self.done}/{self.total} -> {name}"
        if self.tty:
            more = self.line() if self.done < self.total else ""
            self.stream.write("\r" + message.ljust(72) + "\n" + more)
        else:
            self.stream.write(f"{message}  {self.rate():.2f} it/s  ETA {self._eta_words()}\n")
        self.stream.flush()

    def _eta_words(self) -> str:
        eta = self.eta()
        return "--" if eta is None else f"{eta:.0f}s"

    def close(self) -> None:
        if self.tty and self.done < self.total:
            self.stream.write("\n")
            self.stream.flush()


@contextlib.contextmanager
def sigint_sets(cancel: threading.Event) -> Iterator[None]:
    """While inside, the first Ctrl+C sets `cancel` (a clean stop); a second one interrupts."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        if cancel.is_set():
            raise KeyboardInterrupt
        cancel.set()
        print("\nstopping after this step (Ctrl+C again to quit now)", file=sys.stderr)

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler if previous is None else previous)


class _Inputs:
    """Input images and masks, read once each."""

    def __init__(self) -> None:
        self._cache: dict[tuple[Path, str], np.ndarray] = {}

    def get(self, path: Path | None, kind: str) -> np.ndarray | None:
        if path is None:
            return None
        if (path, kind) not in self._cache:
            self._cache[(path, kind)] = read_mask(path) if kind == "mask" else read_image(path)[0]
        return self._cache[(path, kind)]


def check_output_dir(path: Path) -> None:
    """Refuse an output we could not write into, before any work is done."""
    if path.exists() and not path.is_dir():
        raise UserError(f"-o {str(path)!r} is a file; batch writes into a folder")
    check_writable(path)


def preflight(spec: BatchSpec, engine: Any) -> BatchSpec:
    """Resolve every model (unknown ones fail now, naming the job) and fill in native sizes."""
    from studio.engine.models.catalog import resolve_model

    jobs: dict[str, int] = {}
    for item in spec.images:
        jobs.setdefault(item.params.model, item.job)
    for model, job in jobs.items():
        try:
            resolve_model(model, engine.settings.model_dirs)
        except UserError as exc:
            raise BatchSpecError(f"{spec.path.name}: job {job}: key 'model': {exc}") from exc
    native: dict[tuple[str, str, str], int] = {}
    images: list[PlannedImage] = []
    for item in spec.images:
        if not item.size_given:
            p = item.params
            key = (p.model, p.device, p.dtype)
            if key not in native:
                try:
                    native[key] = engine.load(p.model, p.device, p.dtype).native_size
                except UserError as exc:
                    where = f"{spec.path.name}: job {item.job}: key 'model'"
                    raise BatchSpecError(f"{where}: {exc}") from exc
            side = native[key]
            item = replace(item, params=p.replace(width=side, height=side), size_given=True)
        images.append(item)
    return replace(spec, images=images)


Done = tuple[PlannedImage, str, Any]  # (planned image, file name, params in the file)


def plan_work(spec: BatchSpec, folder: ExportFolder) -> tuple[list[PlannedImage], list[Done]]:
    """Split the plan into images to render and images already in the folder."""
    todo: list[PlannedImage] = []
    found: list[Done] = []
    for item in spec.images:
        hit = folder.find_existing(item.params)
        if hit is None:
            todo.append(item)
        else:
            found.append((item, hit[0], hit[1]))
    return todo, found


def render_all(
    todo: list[PlannedImage],
    folder: ExportFolder,
    generate: Callable[..., list[Any]],
    progress: BatchProgress,
    cancel: threading.Event,
    done: list[Done],
) -> None:
    """Render and write each image, appending it to `done` once its file is complete.
    Raises Cancelled (before the next image, or from inside generate) when cancel is set.

    Each file is encoded and written on a writer thread while the next image renders (torch
    and zlib both release the GIL), so the disk costs the batch no time; at most one write is
    in flight, and it always completes before this returns or raises."""
    inputs = _Inputs()
    index_written = time.monotonic()
    pending: tuple[PlannedImage, Any, Future[Path]] | None = None

    def settle() -> None:
        nonlocal pending, index_written
        if pending is None:
            return
        item, params, write = pending
        pending = None
        path = write.result()
        done.append((item, path.name, params))
        progress.image_done(path.name)
        if time.monotonic() - index_written >= INDEX_EVERY_S:
            folder.write_index()
            index_written = time.monotonic()

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="studio-writer") as writer:
        try:
            for item in todo:
                if cancel.is_set():
                    raise Cancelled()
                progress.start_image()
                results = generate(
                    item.params,
                    image=inputs.get(item.image, "image"),
                    mask=inputs.get(item.mask, "mask"),
                    on_step=progress.step,
                    cancel=cancel,
                )
                result = results[0]
                stem = folder.name_for(
                    item.params, index=item.index, job=item.job, template=item.template
                )
                name = folder.claim(stem)
                settle()
                write = writer.submit(folder.write, name, result.image, result.params)
                pending = (item, result.params, write)
        finally:
            settle()


def _dry_run(spec: BatchSpec, folder: ExportFolder, found: list[Done], out: TextIO) -> int:
    existing = {id(item): name for item, name, _ in found}
    for item in spec.images:
        name = existing.get(id(item))
        if name is None:
            stem = folder.name_for(
                item.params, index=item.index, job=item.job, template=item.template
            )
            state = f"render  {stem}{folder.extension}"
        else:
            state = f"exists  {name}"
        print(f"{item.index:4d}  job {item.job}  seed {item.params.seed}  {state}", file=out)
    print(f"would render {len(spec.images) - len(found)}, skip {len(found)}", file=out)
    return EXIT_OK


def run(args: argparse.Namespace, engine: Any = None, stdout: TextIO | None = None) -> int:
    spec = load_spec(args.spec)
    check_output_dir(args.output)
    out = stdout or sys.stdout
    if getattr(args, "ray", None) is None:
        if engine is None:
            from studio.cli.options import print_status
            from studio.engine.api import Engine

            backend = getattr(args, "backend", None)
            engine = Engine(preview_method="off", backend=backend, on_status=print_status)
        generate = engine.generate

        def local(
            todo: list[PlannedImage],
            folder: ExportFolder,
            progress: BatchProgress,
            cancel: threading.Event,
            done: list[Done],
        ) -> None:
            render_all(todo, folder, generate, progress, cancel, done)

        return run_spec(args, spec, engine, local, out)
    from studio.cli.batch_ray import run_on_farm

    return run_on_farm(args, spec, engine, out)


Render = Callable[
    [list[PlannedImage], ExportFolder, BatchProgress, threading.Event, list[Done]], None
]


def run_spec(
    args: argparse.Namespace, spec: BatchSpec, engine: Any, render: Render, out: TextIO
) -> int:
    """Preflight, skip what exists, render the rest with `render`, then index and sheet."""
    spec = preflight(spec, engine)
    folder = ExportFolder(args.output, fmt=spec.format, quality=spec.quality)
    todo, found = plan_work(spec, folder)
    if getattr(args, "dry_run", False):
        return _dry_run(spec, folder, found, out)
    for _item, name, params in found:
        folder.record(name, params)
    progress = BatchProgress(total=len(spec.images), done=len(found))
    cancel = threading.Event()
    rendered: list[Done] = []
    try:
        with sigint_sets(cancel):
            render(todo, folder, progress, cancel, rendered)
    except (Cancelled, KeyboardInterrupt):
        progress.close()
        folder.write_index()
        print(
            f"interrupted: {len(found) + len(rendered)} of {len(spec.images)} images are in "
            f"{args.output} (rendered {len(rendered)} this run); "
            "run the same command again to finish",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    except Exception:
        progress.close()
        with contextlib.suppress(OSError):  # a full disk must not hide the first error
            folder.write_index()  # every finished image stays listed; the error goes up
        raise
    progress.close()
    folder.write_index()
    entries = sorted(found + rendered, key=lambda entry: entry[0].index)
    folder.write_contact_sheet([(name, params) for _, name, params in entries])
    grids = write_batch_grids(folder, spec.sweeps, {item.index: name for item, name, _ in entries})
    if grids:
        folder.write_index()
    also = "".join(f", {path.name}" for path in grids)
    print(
        f"rendered {len(rendered)}, skipped {len(found)} already done: "
        f"{len(spec.images)} images, {INDEX_NAME} and {SHEET_NAME}{also} in {args.output}",
        file=out,
    )
    return EXIT_OK
