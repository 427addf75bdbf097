"""Image ▸ Upscale… in the window: submit upscale jobs, show tile progress and previews, apply.

The job runs in the same queue on the one worker (kind "upscale"). Each finished tile updates
the status bar and shows the image so far on the canvas; Esc cancels and leaves the document
as it was; the result replaces the document as one undoable edit (the size changes).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QTimer, Slot
from PySide6.QtWidgets import QDialog, QWidget

from studio.core.errors import ParamsError
from studio.core.params import GenerationParams
from studio.jobs.controller import JobController
from studio.jobs.upscale_job import LANCZOS, UpscaleProgress, UpscaleRequest
from studio.ui.canvas.view import CanvasView
from studio.ui.generate.prompt_panel import PromptPanel
from studio.ui.shell.status import StatusBar
from studio.ui.state.document_model import DocumentModel
from studio.ui.state.presenter import Presenter
from studio.ui.upscale.dialog import CANVAS, VARIATION, UpscaleChoice, UpscaleDialog
from studio.ui.variations.strip import VariationsStrip


@dataclass(frozen=True)
class _Running:
    request: UpscaleRequest
    params: GenerationParams | None  # what the applied image's metadata will say
    label: str
    started: float


class UpscalePresenter(Presenter):
    """Bound to the document model; drives the status bar's progress while its job runs."""

    def __init__(
        self,
        controller: JobController,
        model: DocumentModel,
        panel: PromptPanel,
        canvas: CanvasView,
        status: StatusBar,
        strip: VariationsStrip,
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.controller, self.model, self.panel, self.canvas = controller, model, panel, canvas
        self.status, self.strip, self.parent_widget = status, strip, parent
        self.upscalers: list[str] = [LANCZOS]
        self.last_choice: UpscaleChoice | None = None
        self.jobs: dict[int, _Running] = {}
        self.progress: list[tuple[int, int, int]] = []  # (job id, done, total) per tile
        self.previews_painted = 0
        self.applied = 0
        self._pending_preview: tuple[int, np.ndarray] | None = None
        self._message = ""
        controller.upscalers_listed.connect(self._set_upscalers)
        controller.job_started.connect(self._on_started)
        controller.tile.connect(self._on_tile)
        controller.upscaled.connect(self._on_upscaled)
        controller.job_finished.connect(self._on_finished)

    @Slot(object)
    def _set_upscalers(self, names: list[str]) -> None:
        self.upscalers = list(dict.fromkeys([LANCZOS, *names]))

    # --- submitting ------------------------------------------------------------------------
    def sources(self) -> dict[str, tuple[str, tuple[int, int]]]:
        doc = self.model.document
        found = {CANVAS: ("Canvas image", (doc.width, doc.height))}
        variation = self.model.preview or self.strip.selected()
        if variation is not None:
            h, w = variation.image.shape[:2]
            found[VARIATION] = (f"Variation, seed {variation.params.seed}", (w, h))
        return found

    def open_dialog(self) -> int | None:
        sources = self.sources()
        last = self.last_choice
        if VARIATION in sources and self.model.preview is not None and last:
            last = UpscaleChoice(last.request, VARIATION, last.strength, last.steps)
        dialog = UpscaleDialog(self.upscalers, sources, last, self.parent_widget)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return self.submit(dialog.choice())

    def submit(self, choice: UpscaleChoice) -> int | None:
        """Queue an upscale of the canvas image or the selected variation; the job id."""
        doc = self.model.document
        if choice.source == VARIATION:
            variation = self.model.preview or self.strip.selected()
            if variation is None:
                self.error.emit("no variation is selected; pick one or upscale the canvas")
                return None
            image, source_params = variation.image, variation.params
            what = f"seed {variation.params.seed}"
        else:
            if not doc.has_image:
                self.error.emit("the canvas is blank: open, paste or generate an image first")
                return None
            image, source_params = doc.image, doc.params
            what = "canvas"
        try:
            params = self.panel.params().replace(
                mode="img2img", strength=choice.strength, steps=choice.steps, count=1
            )
            if choice.request.detail:
                params = params.validated()
        except ParamsError as exc:
            self.error.emit(str(exc))
            return None
        label = f"{choice.request.describe()} · {what}"
        params = params.replace(extra={**params.extra, "job_label": label})
        self.last_choice = choice
        job_id = self.controller.submit_upscale(params, choice.request, image)
        self.jobs[job_id] = _Running(choice.request, source_params, label, time.perf_counter())
        return job_id

    # --- progress --------------------------------------------------------------------------
    @Slot(int, object)
    def _on_started(self, job_id: int, _params: object) -> None:
        running = self.jobs.get(job_id)
        if running is not None:
            self.status.set_state(running.label)
            self.status.progress.setRange(0, 1)
            self.status.progress.setValue(0)
            self.status.detail.setText("upscaling…")

    @Slot(int, object)
    def _on_tile(self, job_id: int, report: UpscaleProgress) -> None:
        running = self.jobs.get(job_id)
        if running is None:
            return
        done, total = int(report.done), max(int(report.total), 1)
        status = self.status
        if report.steps:  # a denoising step inside a detail tile
            status.progress.setRange(0, total * report.steps)
            status.progress.setValue(min(done * report.steps + report.step, total * report.steps))
            tile = min(done + 1, total)
            status.detail.setText(f"tile {tile}/{total} · step {report.step}/{report.steps}")
            return
        self.progress.append((job_id, done, total))
        elapsed = time.perf_counter() - running.started
        eta = elapsed / max(done, 1) * (total - done)
        status.progress.setRange(0, total)
        status.progress.setValue(done)
        status.detail.setText(f"tile {done}/{total} · {elapsed:.0f}s · ETA {eta:.0f}s")
        if report.preview is not None:
            first = self._pending_preview is None
            self._pending_preview = (job_id, report.preview)
            if first:
                QTimer.singleShot(0, self._paint_preview)

    def _paint_preview(self) -> None:
        if self._pending_preview is None:
            return
        job_id, preview = self._pending_preview
        self._pending_preview = None
        current = self.controller.current
        if current is None or current.id != job_id:
            return
        self.model.set_preview(None)  # the live preview takes the canvas
        self.canvas.show_preview(preview)
        self.previews_painted += 1

    @Slot(int, object)
    def _on_upscaled(self, job_id: int, image: np.ndarray) -> None:
        running = self.jobs.get(job_id)
        if running is None:
            return
        doc = self.model.document
        before = (doc.width, doc.height)
        edit = doc.replace_image_edit(image, running.params, f"Upscale ×{running.request.scale:g}")
        self.model.push(edit)
        self.applied += 1
        self._message = (
            f"upscaled: the canvas went from {before[0]} × {before[1]} to "
            f"{doc.width} × {doc.height} (Ctrl+Z undoes)"
        )

    @Slot(int, str)
    def _on_finished(self, job_id: int, _outcome: str) -> None:
        if self.jobs.pop(job_id, None) is not None:
            self._pending_preview = None
            if self._message:  # after the generic "job finished" line
                self.message.emit(self._message, 6000)
            self._message = ""
