"""Connects the job controller to the widgets: submit, previews, progress, results, errors."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal, Slot

from studio.core.errors import ParamsError
from studio.core.params import GenerationParams
from studio.core.speed import SpeedMeter
from studio.jobs.controller import JobController
from studio.jobs.queue import Job
from studio.jobs.sweep_job import SWEEP
from studio.ui.canvas.view import CanvasView
from studio.ui.generate.prompt_panel import PromptPanel
from studio.ui.generate.queue_view import QueueView
from studio.ui.shell.status import StatusBar
from studio.ui.state.document_model import DocumentModel
from studio.ui.variations.result_preview import ResultPreview
from studio.ui.variations.strip import VariationsStrip

# GenerationPresenter.submit, as handed to the features that queue image jobs through it
Submit = Callable[[GenerationParams, np.ndarray | None, np.ndarray | None], int]


class GenerationPresenter(QObject):
    """GUI-thread glue between JobController signals and the widgets it is given."""

    error = Signal(str)  # a message for the user (the window shows it)
    submitted = Signal(object)  # GenerationParams of a queued job (remembered for next launch)

    def __init__(
        self,
        controller: JobController,
        model: DocumentModel,
        panel: PromptPanel,
        canvas: CanvasView,
        status: StatusBar,
        strip: VariationsStrip,
        queue_view: QueueView,
        results: ResultPreview,
        processing_size: Callable[[GenerationParams, int, int], tuple[int, int]],
    ) -> None:
        super().__init__(panel)
        self.controller, self.model, self.panel, self.canvas = controller, model, panel, canvas
        self.status, self.strip, self.queue_view, self.results = status, strip, queue_view, results
        self.processing_size = processing_size
        self._preview_masks: dict[int, np.ndarray | None] = {}
        self._job_params: dict[int, GenerationParams] = {}
        self._last_result: dict[int, object] = {}  # job id -> its newest result (a Variation)
        self._pending_preview: tuple[int, np.ndarray, tuple | None] | None = None
        self.previews_painted = 0
        self.speed = SpeedMeter()  # recent images' step times, for the sweep's estimate
        self._sweep_order: tuple[int, list[GenerationParams]] | None = None
        self.engine_state = "starting…"
        controller.state_changed.connect(self._on_state)
        controller.job_started.connect(self._on_started)
        controller.step.connect(self._on_step)
        controller.result.connect(self._on_result)
        controller.job_finished.connect(self._on_finished)
        controller.error.connect(self._on_error)
        controller.queue_changed.connect(self._on_queue_changed)
        controller.models_listed.connect(panel.set_models)
        controller.precision.connect(status.set_precision)
        controller.notice.connect(self._on_notice)
        self.notices: list[str] = []

    # --- submitting ----------------------------------------------------------------------
    def build_job(self) -> tuple[GenerationParams, np.ndarray | None, np.ndarray | None]:
        """Params plus input arrays for the panel's settings and the canvas; raises ParamsError."""
        doc = self.model.document
        params = self.panel.params()
        mode = params.mode
        if mode != "txt2img" and not doc.has_image:
            raise ParamsError(f"{mode} needs an image: open, paste or apply one first")
        if mode == "inpaint" and not doc.has_mask():
            raise ParamsError("inpaint needs a mask: paint the area to repaint with the brush (B)")
        image = None if mode == "txt2img" else doc.image.copy()
        mask = doc.mask.copy() if mode == "inpaint" else None
        if image is not None:
            # inpaint "only masked" renders at the model's native size, other modes at the
            # picture's own (studio.ui.inpaint.tools.processing_size)
            width, height = self.processing_size(params, doc.width, doc.height)
            params = params.replace(width=width, height=height)
        return params.validated(), image, mask

    def generate(self) -> int | None:
        try:
            params, image, mask = self.build_job()
            if not self.panel.extras_bar.confirm(params):
                return None
        except ParamsError as exc:
            self.error.emit(str(exc))
            return None
        return self.submit(params, image, mask)

    def submit(
        self, params: GenerationParams, image: np.ndarray | None, mask: np.ndarray | None
    ) -> int:
        """Queue a generation job with validated params; its previews and results show here."""
        job_id = self.controller.submit(params, image, mask)
        self._job_params[job_id] = params
        self._preview_masks[job_id] = mask
        self.panel.last_seed = params.seed
        self.submitted.emit(params)
        return job_id

    def cancel(self) -> bool:
        return self.controller.cancel_current()

    # --- controller signals ----------------------------------------------------------------
    @Slot(str)
    def _on_state(self, text: str) -> None:
        self.engine_state = text
        self.status.set_state(text)

    @Slot(int, object)
    def _on_started(self, job_id: int, params: GenerationParams) -> None:
        self.status.set_state(self._running_text(0, params.count))
        self.status.set_step(0, params.steps, 0.0)

    def _running_text(self, index: int, count: int) -> str:
        waiting = len(self.controller.pending())
        text = f"generating {index + 1} of {count}"
        return text + (f" · {waiting} queued" if waiting else "")

    @Slot(int, object)
    def _on_step(self, job_id: int, report: object) -> None:
        step, total = int(report.step), int(report.total)
        self.status.set_state(self._running_text(report.image_index, report.image_count))
        self.status.set_step(step, total, float(report.elapsed))
        self._measure(job_id, report)
        if report.preview is not None:
            # Paint the newest preview once the event queue is drained, so the GUI never lags
            # behind the worker however fast steps arrive.
            first = self._pending_preview is None
            self._pending_preview = (job_id, report.preview, getattr(report, "box", None))
            if first:
                QTimer.singleShot(0, self._paint_preview)

    def _measure(self, job_id: int, report: object) -> None:
        job = self.controller.current
        if job is None or job.id != job_id:
            return
        params = self._image_params(job, int(report.image_index))
        if params is not None:
            self.speed.record(
                (job_id, report.image_index),
                params.model,
                int(report.step),
                float(report.elapsed),
                params.width,
                params.height,
            )

    def _image_params(self, job: Job, index: int) -> GenerationParams | None:
        """The params of the image a step report is about (None: an upscale's tiles)."""
        if job.kind == SWEEP:
            if self._sweep_order is None or self._sweep_order[0] != job.id:
                order = [cell.params for cell in job.request.plan.render_order()]
                self._sweep_order = (job.id, order)
            order = self._sweep_order[1]
            return order[index] if 0 <= index < len(order) else None
        return job.params if job.kind == "generate" else None

    def _paint_preview(self) -> None:
        if self._pending_preview is None:
            return
        job_id, preview, box = self._pending_preview
        self._pending_preview = None
        if self.controller.current is None or self.controller.current.id != job_id:
            return
        mask = self._preview_masks.get(job_id)
        if mask is not None and mask.shape != self.model.document.mask.shape:
            mask = None
        self.model.set_preview(None)  # the live preview takes the canvas
        self.canvas.show_preview(preview, mask, box)
        self.previews_painted += 1

    @Slot(int, object, object)
    def _on_result(self, job_id: int, image: np.ndarray, params: GenerationParams) -> None:
        self._last_result[job_id] = self.strip.add(image, params, job_id)
        self.panel.last_seed = params.seed

    @Slot(int, str)
    def _on_finished(self, job_id: int, outcome: str) -> None:
        self._pending_preview = None
        self._preview_masks.pop(job_id, None)
        self._job_params.pop(job_id, None)
        self.status.reset_progress()
        messages = {"done": "finished", "cancelled": "cancelled", "failed": "failed"}
        self.status.showMessage(f"job #{job_id} {messages.get(outcome, outcome)}", 4000)
        result = self._last_result.pop(job_id, None)
        shown = result is not None and self.strip.item_of(result) is not None
        if shown and outcome != "failed":
            self.results.show_finished(result)  # stays on the canvas until Enter/Esc
        elif self.model.preview is None:
            self.canvas.clear_preview()  # the live preview of a job without a result
        if not self.controller.busy:
            self.status.set_state(self.engine_state)

    @Slot(str)
    def _on_notice(self, message: str) -> None:
        """Something Studio worked around (it already fell back to defaults): say so quietly."""
        if message not in self.notices:
            self.notices.append(message)
            self.status.showMessage(f"⚠ {message}")  # stays until the next message
            self.status.setToolTip("\n".join(self.notices))  # in full, however long

    @Slot(int, str)
    def _on_error(self, job_id: int, message: str) -> None:
        self.error.emit(message)

    @Slot()
    def _on_queue_changed(self) -> None:
        current = self.controller.current
        running = (current.id, current.params) if current is not None else None
        pending = [(job.id, job.params) for job in self.controller.pending()]
        self.queue_view.show_jobs(running, pending)
        self.panel.set_running(current is not None)
