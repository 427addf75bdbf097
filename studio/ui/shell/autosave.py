"""Background autosave of the open document, and the offer to restore after a crash.

Every `interval_ms` (and after every applied result) a modified document is copied on the
GUI thread a few megabytes at a time between events (paused while a stroke is in progress;
layers unchanged since the last autosave are not copied again) and written as `.ora` on a
plain Python thread, so painting never waits for a big memcpy, PNG encoding or the disk.
Closing normally removes the autosave; one left by a process that is gone is offered at
the next launch.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from studio.core.document import Document
from studio.core.document.autosave import IncrementalSnapshot, Slot, orphans
from studio.core.document.ora import Variation
from studio.core.params import GenerationParams
from studio.ui.shell import prompts
from studio.ui.state.document_model import DocumentModel

log = logging.getLogger(__name__)
INTERVAL_MS = 60_000


class Autosaver(QObject):
    saved = Signal(object)  # datetime
    failed = Signal(str)

    def __init__(
        self,
        model: DocumentModel,
        parent: QObject | None = None,
        interval_ms: int = INTERVAL_MS,
        panel_params: Callable[[], GenerationParams | None] = lambda: None,
        variations: Callable[[], list[Variation]] = list,
        busy: Callable[[], bool] = lambda: False,
        slot: Slot | None = None,
    ) -> None:
        super().__init__(parent)
        self.model = model
        self.slot = slot or Slot.mine()
        self.panel_params, self.variations, self.busy = panel_params, variations, busy
        self.last_saved: datetime | None = None
        self._thread: threading.Thread | None = None
        self._pending = False
        self._generation = 0  # undo index + document identity at the last autosave
        self._saved_key: tuple[int, int] | None = None
        self._copies: dict = {}  # layer id -> (key, read-only copy) of the last snapshot
        self._copying: IncrementalSnapshot | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.save_soon)
        self.timer.start()
        self.saved.connect(self._on_saved)
        model.replaced.connect(self.discard)  # another document: the old autosave is moot

    def _key(self) -> tuple[int, int]:
        return (id(self.model.document), self.model.undo_stack.index())

    def save_soon(self) -> None:
        """Autosave now if there is something new (deferred while a stroke is in progress)."""
        if not self.model.modified or self._key() == self._saved_key:
            return
        if self.busy() or self.running or self._copying is not None:
            self._pending = True
            QTimer.singleShot(250, self._retry)
            return
        self._start()

    def _retry(self) -> None:
        if self._pending:
            self._pending = False
            self.save_soon()

    def _start(self) -> None:
        self._copying = IncrementalSnapshot(self.model.document, self._copies)
        self._copy_slice()

    def _copy_slice(self) -> None:
        builder = self._copying
        if builder is None:
            return
        if builder.doc is not self.model.document:  # replaced meanwhile: discard() ran
            self._copying = None
            return
        if self.busy():  # a stroke is going on: continue after it
            QTimer.singleShot(250, self._copy_slice)
            return
        copy = builder.step()
        if copy is None:
            QTimer.singleShot(0, self._copy_slice)
            return
        self._copying = None
        self._write(copy)

    def _write(self, copy: Document) -> None:
        panel, variations = self.panel_params(), list(self.variations())
        key = self._key()

        def work() -> None:
            try:
                saved_at = self.slot.write(copy, panel, variations)
            except Exception as exc:  # the disk may be full; painting must go on
                log.warning("autosave failed: %s", exc)
                self.failed.emit(f"autosave failed: {exc}")
                return
            self._saved_key = key
            self.saved.emit(saved_at)

        self._thread = threading.Thread(target=work, name="studio-autosave", daemon=True)
        self._thread.start()

    def _on_saved(self, saved_at: datetime) -> None:
        self.last_saved = saved_at

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def copying(self) -> bool:
        return self._copying is not None

    def wait(self, timeout: float = 30.0) -> None:
        """Finish an autosave in progress: the rest of its copy now, then its write."""
        builder = self._copying
        if builder is not None and builder.doc is self.model.document:
            builder.slice_bytes = 1 << 62
            self._copy_slice()
        if self._thread is not None:
            self._thread.join(timeout)

    def discard(self) -> None:
        """The document was saved or deliberately dropped: nothing to restore any more."""
        self._copying = None
        self.wait()
        self.slot.remove()
        self._saved_key = None

    def stop(self) -> None:
        self.timer.stop()
        self.wait()


def offer_restore(
    parent: QWidget,
    model: DocumentModel,
    ask: Callable[[QWidget, datetime, str], bool] = prompts.ask_restore,
) -> bool:
    """If a crashed session left an autosave, ask and restore the newest; True if restored."""
    found = orphans()
    if not found:
        return False
    newest = found[0]
    info = newest.info() or {}
    if not ask(parent, newest.saved_at(), str(info.get("name", "untitled"))):
        for slot in found:
            slot.remove()
        return False
    try:
        document = newest.load()
    except Exception as exc:  # a damaged autosave must not stop the app; keep the file
        log.warning("could not restore %s: %s", newest.ora, exc)
        return False
    model.set_document(document, modified=True)
    for slot in found:
        slot.remove()
    return True
