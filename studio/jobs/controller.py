"""The GUI-side owner of the job queue and the worker thread.

It lives on the GUI thread: `submit` queues a job, and whenever the worker is idle the next
pending job is handed over through a queued signal. Cancel sets the running job's Event; the
engine stops within one step. `shutdown` cancels everything and joins the thread.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal, Slot

from studio.core.params import GenerationParams
from studio.jobs.notice_relay import NoticeRelay
from studio.jobs.queue import Job, JobQueue
from studio.jobs.sweep_job import SWEEP
from studio.jobs.upscale_job import UPSCALE, UpscaleRequest
from studio.jobs.worker import EngineFactory, Worker

log = logging.getLogger(__name__)


class JobController(QObject):
    """Queue + one long-lived worker thread. All signals arrive on the GUI thread."""

    state_changed = Signal(str)
    queue_changed = Signal()
    job_started = Signal(int, object)
    step = Signal(int, object)
    result = Signal(int, object, object)
    job_finished = Signal(int, str)
    error = Signal(int, str)
    models_listed = Signal(object)
    tile = Signal(int, object)  # job id, UpscaleProgress
    upscaled = Signal(int, object)  # job id, upscaled image
    native_size = Signal(str, int)  # model name, native side in pixels
    upscalers_listed = Signal(object)  # list[str]
    precision = Signal(str, str)  # dtype name, why it was chosen
    notice = Signal(str)  # a problem worked around (corrupt settings, unreadable model folder)

    _run = Signal(object)  # -> Worker.run_job (queued, runs in the worker thread)
    _preload = Signal(str)  # -> Worker.preload
    _backend = Signal(str)  # -> Worker.set_backend

    def __init__(self, engine_factory: EngineFactory | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self._queue = JobQueue()
        self._current: Job | None = None
        self._thread = QThread()
        self._thread.setObjectName("studio-worker")
        self._worker = Worker(engine_factory)
        self._worker.moveToThread(self._thread)
        self._run.connect(self._worker.run_job)
        self._preload.connect(self._worker.preload)
        self._backend.connect(self._worker.set_backend)
        self._worker.state_changed.connect(self.state_changed)
        self._worker.job_started.connect(self.job_started)
        self._worker.step.connect(self.step)
        self._worker.result.connect(self.result)
        self._worker.error.connect(self.error)
        self._worker.models_listed.connect(self.models_listed)
        self._worker.tile.connect(self.tile)
        self._worker.upscaled.connect(self.upscaled)
        self._worker.native_size.connect(self.native_size)
        self._worker.upscalers_listed.connect(self.upscalers_listed)
        self._worker.precision.connect(self.precision)
        self._worker.job_finished.connect(self._on_finished)
        self._thread.finished.connect(self._worker.deleteLater)
        self._notices = NoticeRelay(self)
        self._notices.notice.connect(self.notice)
        self._closed = False

    # --- lifecycle ---------------------------------------------------------------------
    def start(self, preload_model: str | None = None) -> None:
        """Start the worker thread; optionally load a model in it right away."""
        if self._closed:  # a deferred start arriving after the window closed: stay stopped
            return
        self._notices.install()
        if not self._thread.isRunning():
            self._thread.start()
        if preload_model:
            self._preload.emit(preload_model)

    def set_backend(self, backend: str) -> None:
        """auto | torch | openvino for the jobs that start from now on."""
        self._backend.emit(backend)

    def shutdown(self, timeout_ms: int = 2000) -> bool:
        """Cancel the running and pending jobs and stop the thread; True if it stopped in time."""
        self._closed = True
        self._notices.uninstall()
        self._queue.clear()
        if self._current is not None:
            self._current.cancel.set()
        if not self._thread.isRunning():
            return True
        self._thread.quit()
        if self._thread.wait(timeout_ms):
            return True
        # The worker is inside something that cannot be interrupted (a model import or load).
        # Destroying a running QThread aborts the process, so wait for it to come back.
        log.warning("worker still busy after %d ms; waiting for it to finish", timeout_ms)
        self._thread.wait()
        return False

    @property
    def thread(self) -> QThread:
        return self._thread

    # --- jobs --------------------------------------------------------------------------
    def submit(
        self,
        params: GenerationParams,
        image: np.ndarray | None = None,
        mask: np.ndarray | None = None,
    ) -> int:
        """Queue a job (the arrays are copied); returns its id."""
        if self._closed:
            raise RuntimeError("the job controller has been shut down")
        job = self._queue.add(
            params,
            None if image is None else np.array(image, copy=True),
            None if mask is None else np.array(mask, copy=True),
        )
        self.queue_changed.emit()
        self._dispatch()
        return job.id

    def submit_upscale(
        self, params: GenerationParams, request: UpscaleRequest, image: np.ndarray
    ) -> int:
        """Queue an upscale of `image` (copied); params feed the optional detail pass."""
        if self._closed:
            raise RuntimeError("the job controller has been shut down")
        job = self._queue.add(
            params, np.array(image, copy=True), None, kind=UPSCALE, request=request
        )
        self.queue_changed.emit()
        self._dispatch()
        return job.id

    def submit_sweep(
        self, params: GenerationParams, request: Any, image: np.ndarray | None = None
    ) -> int:
        """Queue a whole X/Y/Z sweep as one job (studio.jobs.sweep_job)."""
        if self._closed:
            raise RuntimeError("the job controller has been shut down")
        source = None if image is None else np.array(image, copy=True)
        job = self._queue.add(params, source, None, kind=SWEEP, request=request)
        self.queue_changed.emit()
        self._dispatch()
        return job.id

    def remove(self, job_id: int) -> bool:
        """Remove a pending job; False if it is running or unknown."""
        removed = self._queue.remove(job_id)
        if removed:
            self.queue_changed.emit()
        return removed

    def cancel_current(self) -> bool:
        if self._current is None:
            return False
        self._current.cancel.set()
        return True

    def cancel_all(self) -> None:
        self._queue.clear()
        self.cancel_current()
        self.queue_changed.emit()

    @property
    def current(self) -> Job | None:
        return self._current

    def pending(self) -> list[Job]:
        return list(self._queue)

    @property
    def busy(self) -> bool:
        return self._current is not None or len(self._queue) > 0

    def _dispatch(self) -> None:
        if self._current is not None or self._closed:
            return
        job = self._queue.pop()
        if job is None:
            return
        if not self._thread.isRunning():
            self._notices.install()
            self._thread.start()
        self._current = job
        self.queue_changed.emit()
        self._run.emit(job)

    @Slot(int, str)
    def _on_finished(self, job_id: int, outcome: str) -> None:
        if self._current is not None and self._current.id == job_id:
            self._current = None
        self.job_finished.emit(job_id, outcome)
        self.queue_changed.emit()
        self._dispatch()
