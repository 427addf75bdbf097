"""Notices: problems Studio worked around (a corrupt settings file, an unreadable model folder).

They are logged on the `studio.notice` logger; the CLI prints each once as `warning: ...` and
the app shows them in the status bar. Never raised: the user can carry on with defaults.
"""

from __future__ import annotations

import logging

NOTICE_LOGGER = "studio.notice"
_log = logging.getLogger(NOTICE_LOGGER)


def notice(message: str) -> None:
    _log.warning(message)
