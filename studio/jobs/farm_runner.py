"""The GUI-side owner of one render-farm run at a time and its short-lived thread."""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QObject, QThread, Signal, Slot

from studio.jobs.farm_job import Backend, FarmReport, FarmRequest, one_line, ray_backend, run_farm

log = logging.getLogger(__name__)


class _FarmThread(QThread):
    progressed = Signal(int, int)
    image_ready = Signal(object, object)  # uint8 pixels, GenerationParams
    reported = Signal(object)  # FarmReport

    def __init__(self, request: FarmRequest, cancel: threading.Event, backend: Backend) -> None:
        super().__init__()
        self.setObjectName("studio-farm")
        self.request = request
        self.cancel = cancel
        self.backend = backend

    def run(self) -> None:
        try:
            report = run_farm(
                self.request,
                self.cancel,
                self.progressed.emit,
                self.image_ready.emit,
                self.backend,
            )
        except Exception as exc:  # a bug must not kill the thread silently
            log.exception("render farm failed")
            report = FarmReport(
                self.request.directory, len(self.request.images), error=one_line(exc)
            )
        self.reported.emit(report)


class FarmRunner(QObject):
    """Starts, cancels and joins farm runs. Signals arrive on the GUI thread; `finished`
    comes after the thread has stopped. `backend` is injectable (tests render without Ray)."""

    progress = Signal(int, int)  # images done (kept), total
    image_ready = Signal(object, object)  # pixels, params of each image as it lands
    finished = Signal(object)  # FarmReport

    def __init__(self, parent: QObject | None = None, backend: Backend = ray_backend) -> None:
        super().__init__(parent)
        self.backend = backend
        self._thread: _FarmThread | None = None
        self._report: FarmReport | None = None
        self._cancel = threading.Event()

    @property
    def busy(self) -> bool:
        return self._thread is not None

    def start(self, request: FarmRequest) -> bool:
        """Start rendering; False (and nothing started) while another run is going."""
        if self._thread is not None:
            return False
        self._cancel = threading.Event()
        self._report = None
        thread = _FarmThread(request, self._cancel, self.backend)
        thread.progressed.connect(self.progress)
        thread.image_ready.connect(self.image_ready)
        thread.reported.connect(self._on_reported)
        thread.finished.connect(self._on_finished)
        self._thread = thread
        thread.start()
        return True

    def cancel(self) -> None:
        self._cancel.set()

    def wait(self, timeout_ms: int = 30_000) -> bool:
        """Cancel and join the running farm (closing the window); True if none is left.
        Stopping the workers and a Ray runtime this app started takes a few seconds.
        A negative timeout waits for as long as it takes."""
        thread = self._thread
        if thread is None:
            return True
        self._cancel.set()
        return thread.wait() if timeout_ms < 0 else thread.wait(timeout_ms)

    @Slot(object)
    def _on_reported(self, report: FarmReport) -> None:
        self._report = report

    @Slot()
    def _on_finished(self) -> None:
        thread, self._thread = self._thread, None
        report = self._report or FarmReport("", 0, error="the render farm stopped unexpectedly")
        if thread is not None:
            thread.deleteLater()
        self.finished.emit(report)
