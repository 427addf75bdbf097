"""Forward Studio's notices (studio.core.notices, logged from any thread) as a Qt signal."""

from __future__ import annotations

import contextlib
import logging

from PySide6.QtCore import QObject, Signal

from studio.core.notices import NOTICE_LOGGER


class NoticeRelay(QObject):
    """While installed, every notice is emitted as `notice(str)` (queued to receivers' threads)."""

    notice = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._handler = _Handler(self)

    def install(self) -> None:
        logger = logging.getLogger(NOTICE_LOGGER)
        if self._handler not in logger.handlers:
            logger.addHandler(self._handler)

    def uninstall(self) -> None:
        logging.getLogger(NOTICE_LOGGER).removeHandler(self._handler)


class _Handler(logging.Handler):
    def __init__(self, relay: NoticeRelay) -> None:
        super().__init__(logging.WARNING)
        self._relay = relay

    def emit(self, record: logging.LogRecord) -> None:
        with contextlib.suppress(RuntimeError):  # the relay is gone: the app is closing
            self._relay.notice.emit(record.getMessage())
