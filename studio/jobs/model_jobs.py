"""Model scans and downloads off the GUI thread, reported as plain-data Qt signals.

Each runs on a Python worker thread and emits signals; Qt queues them to the receiver's (GUI)
thread, so widgets are only touched there.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)


class ModelScan(QObject):
    """Scans the model folders, installs and the HF cache in the background."""

    scanned = Signal(object)  # list[ModelEntry]
    failed = Signal(str)

    def start(
        self, roots: Iterable[Path], upscaler_roots: Iterable[Path] = (), hashes: bool = False
    ) -> None:
        """Scan; with hashes, also compute the missing A1111 short hashes (reads each file)."""
        args = (list(roots), list(upscaler_roots), hashes)
        threading.Thread(target=self._run, args=args, daemon=True).start()

    def _run(self, roots: list[Path], upscalers: list[Path], hashes: bool) -> None:
        import dataclasses

        from studio.core.models.hashes import short_hash
        from studio.core.models.scan import scan_models

        try:
            entries = scan_models(roots, upscaler_roots=upscalers)
            if hashes:
                entries = [
                    e
                    if e.short_hash or e.is_folder
                    else dataclasses.replace(e, short_hash=short_hash(e.path, e.kind))
                    for e in entries
                ]
        except Exception as exc:  # a scan must never take the app down
            log.exception("model scan failed")
            self.failed.emit(f"could not scan the model folders: {exc}")
            return
        self.scanned.emit(entries)


@dataclass(frozen=True)
class DownloadRequest:
    key: str
    repo_id: str
    filename: str | None


class DownloadQueue(QObject):
    """Downloads one at a time, in order; each can be cancelled (queued or running)."""

    queued = Signal(str)  # key
    progress = Signal(str, object)  # key, DownloadProgress
    finished = Signal(str, str)  # key, path
    failed = Signal(str, str)  # key, one-line message
    cancelled = Signal(str)  # key
    # key, repo id, reason ("missing" | "refused" | "forbidden"), one-line message: the hub
    # answered 401/403; the download stops and may be enqueued again once there is a token
    token_needed = Signal(str, str, str, str)
    PROGRESS_INTERVAL = 0.1  # seconds between progress signals per download

    def __init__(
        self, parent: QObject | None = None, token: Callable[[], str | None] | None = None
    ) -> None:
        """token: called on the download thread before each download (it may ask a keyring)."""
        super().__init__(parent)
        self._token = token
        self._pending: deque[DownloadRequest] = deque()
        self._lock = threading.Lock()
        self._cancel: dict[str, threading.Event] = {}
        self._worker: threading.Thread | None = None

    def enqueue(self, key: str, repo_id: str, filename: str | None) -> None:
        with self._lock:
            if key in self._cancel:
                return  # already queued or running
            self._cancel[key] = threading.Event()
            self._pending.append(DownloadRequest(key, repo_id, filename))
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._run, daemon=True)
                self._worker.start()
        self.queued.emit(key)

    def cancel(self, key: str) -> None:
        with self._lock:
            event = self._cancel.get(key)
        if event is not None:
            event.set()

    def is_active(self, key: str) -> bool:
        with self._lock:
            return key in self._cancel

    def wait(self, timeout: float = 10.0) -> bool:
        worker = self._worker
        if worker is not None:
            worker.join(timeout)
        return worker is None or not worker.is_alive()

    def _next(self) -> DownloadRequest | None:
        with self._lock:
            return self._pending.popleft() if self._pending else None

    def _run(self) -> None:
        from studio.core.errors import Cancelled, UserError
        from studio.engine.downloads import TokenRequired, download

        while (request := self._next()) is not None:
            cancel = self._cancel[request.key]
            last = [0.0]

            def report(progress, key=request.key, last=last):
                now = time.monotonic()
                if now - last[0] >= self.PROGRESS_INTERVAL or progress.done == progress.total:
                    last[0] = now
                    self.progress.emit(key, progress)

            try:
                if cancel.is_set():
                    raise Cancelled("cancelled before it started")
                token = self._token() if self._token is not None else None
                path = download(
                    request.repo_id,
                    request.filename,
                    on_progress=report,
                    cancel=cancel,
                    token=token,
                )
            except Cancelled:
                self.cancelled.emit(request.key)
            except TokenRequired as exc:
                with self._lock:  # free the key first: the answer may enqueue it again at once
                    self._cancel.pop(request.key, None)
                self.token_needed.emit(request.key, exc.repo_id, exc.reason, str(exc))
            except UserError as exc:
                self.failed.emit(request.key, str(exc))
            except Exception as exc:  # the queue must survive any failure
                log.exception("download failed")
                self.failed.emit(request.key, f"{type(exc).__name__}: {exc}")
            else:
                self.finished.emit(request.key, str(path))
            finally:
                with self._lock:  # unless it was enqueued again meanwhile (after a token)
                    if self._cancel.get(request.key) is cancel:
                        del self._cancel[request.key]
