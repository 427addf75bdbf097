"""The composition root: QApplication, main window and the job worker. GUI entry point."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication

from studio import __version__
from studio.core.prompts.token_count import bpe_tokenizer
from studio.jobs.controller import JobController
from studio.jobs.worker import EngineFactory
from studio.ui.shell.autosave import offer_restore
from studio.ui.shell.main_window import MainWindow
from studio.ui.shell.settings import APPLICATION, ORGANIZATION, open_settings
from studio.ui.shell.theme import follow_system


def create_window(
    engine_factory: EngineFactory | None = None, use_settings: bool = True
) -> MainWindow:
    """A main window wired to a fresh job controller (the worker thread starts on demand)."""
    # The prompt box counts CLIP tokens from its first keystroke; building that tokenizer takes
    # ~0.2 s with the GIL held, so it happens now, before the window shows, not as a stall.
    bpe_tokenizer()
    controller = JobController(engine_factory)
    window = MainWindow(controller, open_settings() if use_settings else None)
    controller.setParent(window)
    return window


def _parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="studio", description="Studio desktop app")
    parser.add_argument("image", nargs="?", help="image to open")
    parser.add_argument("--theme", choices=("system", "light", "dark"), default="system")
    parser.add_argument("--version", action="version", version=f"studio {__version__}")
    return parser.parse_args(list(argv))


def main(argv: Sequence[str] | None = None) -> int:
    """Open the desktop app (optionally with an image); returns the exit code."""
    args = _parse(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=os.environ.get("STUDIO_LOG_LEVEL", "INFO"))
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "studio"])
    follow_system(app, None if args.theme == "system" else args.theme)
    window = create_window()
    window.show()
    if args.image:  # a picture or an .ora (any autosave left by a crash waits for the next launch)
        window.open_path(args.image)
    else:
        offer_restore(window, window.model)  # after a crash: restore the autosaved document?
    window.start_engine()  # torch/diffusers load in the worker thread, after the window shows
    return int(app.exec())
