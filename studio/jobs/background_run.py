"""One background run at a time on a short-lived QThread, owned from the GUI thread: the export
of variations and the render farm share it (start, cancel, join, a report at the end).

Only plain data crosses threads. QtCore only here.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]  # done, total
ImageReady = Callable[[Any, Any], None]  # pixels, params
Work = Callable[[threading.Event, Progress, ImageReady], Any]  # returns the report


class RunThread(QThread):
    progressed = Signal(int, int)
    image_ready = Signal(object, object)  # pixels, params
    reported = Signal(object)  # the run's report

    def __init__(
        self,
        name: str,
        what: str,
        work: Work,
        crashed: Callable[[Exception], Any],
        cancel: threading.Event,
    ) -> None:
        super().__init__()
        self.setObjectName(name)
        self.what, self.work, self.crashed, self.cancel = what, work, crashed, cancel

    def run(self) -> None:
        try:
            report = self.work(self.cancel, self.progressed.emit, self.image_ready.emit)
        except Exception as exc:  # a bug must not kill the thread silently
            log.exception("%s failed", self.what)
            report = self.crashed(exc)
        self.reported.emit(report)


class BackgroundRun(QObject):
    """Starts, cancels and joins one run at a time. Signals arrive on the GUI thread;
    `finished` comes after the thread has stopped."""

    progress = Signal(int, int)  # done, total
    finished = Signal(object)  # the report

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: RunThread | None = None
        self._report: Any = None
        self._cancel = threading.Event()

    @property
    def busy(self) -> bool:
        return self._thread is not None

    def _start(self, name: str, what: str, work: Work, crashed: Callable[[Exception], Any]) -> bool:
        """Start work on a thread called name (`what failed` is logged if work raises; crashed
        makes the report then); False (and nothing started) while another run is going."""
        if self._thread is not None:
            return False
        self._cancel = threading.Event()
        self._report = None
        thread = RunThread(name, what, work, crashed, self._cancel)
        thread.progressed.connect(self.progress)
        self._connect(thread)
        thread.reported.connect(self._on_reported)
        thread.finished.connect(self._on_finished)
        self._thread = thread
        thread.start()
        return True

    def _connect(self, thread: RunThread) -> None:
        """Forward more of the thread's signals (the farm's images)."""

    def _stopped(self) -> Any:
        """The report when the thread ended without one."""
        raise NotImplementedError

    def cancel(self) -> None:
        self._cancel.set()

    def wait(self, timeout_ms: int = 10_000) -> bool:
        """Cancel and join the running thread (closing the window); True if none is left.
        A negative timeout waits for as long as it takes."""
        thread = self._thread
        if thread is None:
            return True
        self._cancel.set()
        return thread.wait() if timeout_ms < 0 else thread.wait(timeout_ms)

    @Slot(object)
    def _on_reported(self, report: Any) -> None:
        self._report = report

    @Slot()
    def _on_finished(self) -> None:
        thread, self._thread = self._thread, None
        report = self._report or self._stopped()
        if thread is not None:
            thread.deleteLater()
        self.finished.emit(report)
