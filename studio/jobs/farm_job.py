"""Render a batch on a Ray cluster from the app, on a thread of its own (QtCore only).

The app's local worker stays free for the canvas while the farm renders: this thread is the
Ray driver. It writes each image into the chosen folder as it arrives (the same names,
metadata, index.json and contact sheet as `studio batch --ray`), reports images done / total,
and stops on cancel keeping every finished file. Only plain data crosses threads.
"""

from __future__ import annotations

import logging
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from studio.core.batch_spec import PlannedImage
from studio.core.errors import Cancelled, UserError
from studio.core.export import DEFAULT_TEMPLATE, INDEX_NAME, SHEET_NAME, ExportFolder, NameTemplate
from studio.core.farm_config import RAY_MISSING_APP, FarmConfig, ray_available
from studio.core.imagefiles import read_image, save_png
from studio.core.params import GenerationParams
from studio.core.write_errors import check_writable

log = logging.getLogger(__name__)
MAX_MESSAGE = 500  # an error's one line in the status bar


@dataclass(frozen=True)
class FarmRequest:
    """One image per entry of `images` (count 1 each), rendered into `directory`."""

    config: FarmConfig
    directory: str
    images: tuple[GenerationParams, ...]
    image: np.ndarray | None = None  # the img2img / inpaint source, shared by every image
    mask: np.ndarray | None = None
    template: str = DEFAULT_TEMPLATE


@dataclass(frozen=True)
class FarmReport:
    directory: str
    total: int
    rendered: tuple[str, ...] = ()  # file names written this run, in arrival order
    skipped: int = 0  # already in the folder from an earlier run
    cancelled: bool = False
    error: str | None = None
    extras: tuple[str, ...] = field(default=())  # index.json, contact-sheet.png

    @property
    def done(self) -> int:
        return len(self.rendered) + self.skipped

    def summary(self) -> str:
        """One status-bar line."""
        if self.error is not None:
            return f"render farm: {self.error} ({self.done} of {self.total} images kept)"
        if self.cancelled:
            return (
                f"render farm cancelled: {self.done} of {self.total} images kept; "
                "send again for the rest"
            )
        text = f"render farm: {self.total} images in {self.directory}"
        if self.skipped:
            text += f" ({self.skipped} were there already)"
        return text


Written = Callable[[PlannedImage, str, Any], None]
# (request, images to render, folder, cancel, written) -> None; raises Cancelled on cancel
Backend = Callable[[FarmRequest, list[PlannedImage], ExportFolder, threading.Event, Written], None]


def ray_backend(
    request: FarmRequest,
    todo: list[PlannedImage],
    folder: ExportFolder,
    cancel: threading.Event,
    written: Written,
) -> None:
    """The real farm: join (or start) Ray, start the workers, render, stop what it started."""
    from studio.core.settings import Settings
    from studio.engine.farm import Wording, render_on_farm, start_farm
    from studio.engine.models.catalog import resolve_model

    settings = Settings.load()
    for model in dict.fromkeys(item.params.model for item in todo):
        resolve_model(model, settings.model_dirs)  # an unknown model fails before Ray starts
    wording = Wording(
        local="leave the address empty for a Ray runtime on this machine",
        workers="Workers (Settings ▸ Render farm)",
        cpus="CPUs per worker",
        missing=RAY_MISSING_APP,
    )
    config = request.config
    ray, pool, started = start_farm(
        config.ray_address, config.workers or None, config.cpus, settings, wording
    )
    try:
        render_on_farm(todo, folder, pool, cancel, written)
    finally:
        pool.shutdown()
        if started:
            ray.shutdown()


def one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"


def _plan(request: FarmRequest, inputs: Path) -> list[PlannedImage]:
    image = mask = None
    if request.image is not None:
        image = save_png(inputs / "image.png", request.image)
    if request.mask is not None:
        mask = save_png(inputs / "mask.png", request.mask)
    template = NameTemplate.parse(request.template)
    return [
        PlannedImage(index, 1, params.replace(count=1), image, mask, template)
        for index, params in enumerate(request.images, start=1)
    ]


def run_farm(
    request: FarmRequest,
    cancel: threading.Event,
    on_progress: Callable[[int, int], None] | None = None,
    on_image: Callable[[np.ndarray, GenerationParams], None] | None = None,
    backend: Backend = ray_backend,
) -> FarmReport:
    """Render the request; never raises for what a user or a cluster can cause."""
    total = len(request.images)
    rendered: list[str] = []
    sheet: list[tuple[int, str, GenerationParams]] = []  # in plan order, as the CLI's sheet
    skipped = 0
    folder: ExportFolder | None = None
    directory = request.directory
    try:
        if backend is ray_backend and not ray_available():
            raise UserError(RAY_MISSING_APP)
        check_writable(Path(directory))
        folder = ExportFolder(directory)
        with tempfile.TemporaryDirectory(prefix="studio-farm-") as inputs:
            planned = _plan(request, Path(inputs))
            todo: list[PlannedImage] = []
            for item in planned:  # a folder sent to before: render only what is missing
                hit = folder.find_existing(item.params)
                if hit is None:
                    todo.append(item)
                else:
                    skipped += 1
                    folder.record(*hit)
                    sheet.append((item.index, *hit))
            if on_progress is not None:
                on_progress(skipped, total)

            def written(item: PlannedImage, name: str, params: Any) -> None:
                rendered.append(name)
                sheet.append((item.index, name, params))
                if on_image is not None:
                    on_image(read_image(folder.directory / name)[0], params)
                if on_progress is not None:
                    on_progress(skipped + len(rendered), total)

            if todo:
                backend(request, todo, folder, cancel, written)
        folder.write_index()
        folder.write_contact_sheet([(name, params) for _, name, params in sorted(sheet)])
        extras = (INDEX_NAME, SHEET_NAME)
        return FarmReport(directory, total, tuple(rendered), skipped, extras=extras)
    except Cancelled:
        report = FarmReport(directory, total, tuple(rendered), skipped, cancelled=True)
    except UserError as exc:
        report = FarmReport(directory, total, tuple(rendered), skipped, error=one_line(exc))
    except Exception as exc:  # a worker that died, a cluster gone: one line, the rest in the log
        log.exception("render farm failed")
        report = FarmReport(directory, total, tuple(rendered), skipped, error=one_line(exc))
    if folder is not None and (rendered or skipped):
        try:
            folder.write_index()  # every finished image stays listed
        except OSError as exc:
            log.warning("could not write the farm's index.json: %s", exc)
    return report
