"""The GUI-side owner of one render-farm run at a time and its short-lived thread."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from studio.jobs.background_run import BackgroundRun, RunThread
from studio.jobs.farm_job import Backend, FarmReport, FarmRequest, one_line, ray_backend, run_farm


class FarmRunner(BackgroundRun):
    """Starts, cancels and joins farm runs. Signals arrive on the GUI thread; `finished`
    (a FarmReport) comes after the thread has stopped; `progress` is images done (kept), total.
    `backend` is injectable (tests render without Ray)."""

    image_ready = Signal(object, object)  # pixels, params of each image as it lands

    def __init__(self, parent: QObject | None = None, backend: Backend = ray_backend) -> None:
        super().__init__(parent)
        self.backend = backend

    def start(self, request: FarmRequest) -> bool:
        """Start rendering; False (and nothing started) while another run is going."""
        backend = self.backend
        return self._start(
            "studio-farm",
            "render farm",
            lambda cancel, progress, image: run_farm(request, cancel, progress, image, backend),
            lambda exc: FarmReport(request.directory, len(request.images), error=one_line(exc)),
        )

    def _connect(self, thread: RunThread) -> None:
        thread.image_ready.connect(self.image_ready)

    def _stopped(self) -> FarmReport:
        return FarmReport("", 0, error="the render farm stopped unexpectedly")

    def wait(self, timeout_ms: int = 30_000) -> bool:
        """Cancel and join the running farm (closing the window); True if none is left.
        Stopping the workers and a Ray runtime this app started takes a few seconds.
        A negative timeout waits for as long as it takes."""
        return super().wait(timeout_ms)
