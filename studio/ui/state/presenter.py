"""The base of the feature presenters the shell hosts: what they report to the window."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class Presenter(QObject):
    """The shell (studio.ui.shell.features.report_to) shows `error` in a message box and
    `message` in the status bar."""

    error = Signal(str)  # a message for the user (the window shows it)
    message = Signal(str, int)  # a status line and how long it stays (ms; 0: until replaced)
