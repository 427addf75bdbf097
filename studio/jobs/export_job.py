"""Export variations off the GUI thread: a short-lived QThread writes the images with
studio.core.export (atomic, never overwriting), then index.json and contact-sheet.png.

Only plain data crosses threads: numpy arrays, frozen params, strings. QtCore only here.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from studio.core.errors import UserError
from studio.core.export import INDEX_NAME, SHEET_NAME, ExportFolder, NameTemplate
from studio.core.export.formats import DEFAULT_QUALITY
from studio.core.params import GenerationParams
from studio.jobs.background_run import BackgroundRun

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExportRequest:
    """What to write: the images with their exact params, where, how named, in which format."""

    directory: str
    template: str
    items: tuple[tuple[np.ndarray, GenerationParams], ...]
    fmt: str = "png"
    quality: int = DEFAULT_QUALITY


@dataclass(frozen=True)
class ExportReport:
    directory: str
    written: tuple[str, ...] = ()  # image file names, in export order
    extras: tuple[str, ...] = ()  # index.json, contact-sheet.png when written
    errors: tuple[str, ...] = field(default=())
    cancelled: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors and not self.cancelled

    def summary(self) -> str:
        """One status-bar line."""
        count = len(self.written)
        text = f"exported {count} image{'s' if count != 1 else ''} to {self.directory}"
        if self.extras:
            text += f" (+ {', '.join(self.extras)})"
        if self.cancelled:
            text += " — cancelled"
        if self.errors:
            more = f" (+{len(self.errors) - 1} more)" if len(self.errors) > 1 else ""
            text += f" — {len(self.errors)} error{'s' if len(self.errors) != 1 else ''}: "
            text += self.errors[0] + more
        return text


def run_export(
    request: ExportRequest,
    on_progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> ExportReport:
    """Write the request's images; never raises for user-caused or file-system problems."""
    written: list[str] = []
    errors: list[str] = []
    try:
        folder = ExportFolder(
            request.directory,
            NameTemplate.parse(request.template),
            fmt=request.fmt,
            quality=request.quality,
        )
    except (UserError, OSError) as exc:
        return ExportReport(request.directory, errors=(str(exc),))
    total = len(request.items)
    cancelled = False
    for index, (image, params) in enumerate(request.items, start=1):
        if cancel is not None and cancel.is_set():
            cancelled = True
            break
        try:
            written.append(folder.add(image, params, index=index).name)
        except (UserError, OSError, ValueError) as exc:
            log.warning("export of image %d failed: %s", index, exc)
            errors.append(f"image {index} (seed {params.seed}): {exc}")
        if on_progress is not None:
            on_progress(index, total)
    extras: tuple[str, ...] = ()
    if written:
        try:
            folder.finish()
            extras = (INDEX_NAME, SHEET_NAME)
        except (UserError, OSError, ValueError) as exc:
            errors.append(f"index / contact sheet: {exc}")
    return ExportReport(request.directory, tuple(written), extras, tuple(errors), cancelled)


class ExportRunner(BackgroundRun):
    """GUI-side owner of one export at a time. Signals arrive on the GUI thread; `finished`
    (an ExportReport) comes after the thread has stopped; `progress` is images done, total."""

    def start(self, request: ExportRequest) -> bool:
        """Start exporting; False (and nothing started) while another export runs."""
        return self._start(
            "studio-export",
            "export",
            lambda cancel, progress, _image: run_export(request, progress, cancel),
            lambda exc: ExportReport(request.directory, errors=(f"export failed: {exc}",)),
        )

    def _stopped(self) -> ExportReport:
        return ExportReport("", errors=("export stopped unexpectedly",))
