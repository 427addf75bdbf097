"""Print Studio's notices (problems it worked around) as `warning: ...` lines, each once."""

from __future__ import annotations

import logging
import sys

from studio.core.notices import NOTICE_LOGGER


class _OncePerMessage(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.seen: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message not in self.seen:
            self.seen.add(message)
            print(f"warning: {message}", file=sys.stderr)


def print_notices() -> None:
    """Route notices to stderr for this process (idempotent)."""
    logger = logging.getLogger(NOTICE_LOGGER)
    if not any(isinstance(h, _OncePerMessage) for h in logger.handlers):
        logger.addHandler(_OncePerMessage())
    logger.propagate = False
