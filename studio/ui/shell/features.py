"""Builds the feature presenters that the main window hosts and connects what they report.

The presenters take the document model and the widgets they work on, never the window; this
module (part of the shell) hands them those and routes their `error` and `message` signals to
the window's error box and status bar, and puts their docks and actions in the window.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QToolBar

from studio.core.params import GenerationParams
from studio.ui.farm.presenter import FarmPresenter
from studio.ui.inpaint.tools import InpaintTools
from studio.ui.models.presenter import ModelsPresenter
from studio.ui.shell.backend_menu import BackendMenu
from studio.ui.shell.menus import add_to_menu, find_menu
from studio.ui.state.presenter import Presenter
from studio.ui.upscale.presenter import UpscalePresenter
from studio.ui.variations.history_panel import HistoryPresenter
from studio.ui.variations.presenter import VariationsPresenter
from studio.ui.variations.sweep_dialog import SweepPresenter
from studio.ui.variations.vary import VaryPresenter

if TYPE_CHECKING:
    from studio.ui.shell.main_window import MainWindow


P = TypeVar("P", bound=Presenter)


def report_to(window: MainWindow, presenter: P) -> P:
    """Show a presenter's errors in the window and its status lines in the status bar."""
    presenter.error.connect(window.show_error)
    presenter.message.connect(window.status.showMessage)
    return presenter


def upscale(window: MainWindow) -> UpscalePresenter:
    """Image ▸ Upscale…"""
    presenter = UpscalePresenter(
        window.controller,
        window.model,
        window.panel,
        window.canvas,
        window.status,
        window.strip,
        window,
    )
    return report_to(window, presenter)


def inpaint_tools(window: MainWindow) -> InpaintTools:
    """The context box, Image ▸ Expand canvas… and Alt+edge drag."""
    presenter = InpaintTools(
        window.controller,
        window.model,
        window.canvas,
        window.panel,
        window.generation.submit,
        window,
    )
    return report_to(window, presenter)


def variations(window: MainWindow) -> VariationsPresenter:
    """Stars, the variations grid, compare with the canvas and export (issue 5)."""
    presenter = VariationsPresenter(
        window.model, window.strip, window.panel, window.results, window.settings, window
    )
    window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, presenter.dock)
    presenter.float_grid()
    return report_to(window, presenter)


def vary(window: MainWindow) -> VaryPresenter:
    """Vary (Subtle/Strong) in the Generate menu, the toolbar and the canvas menu (issue 14)."""
    presenter = VaryPresenter(
        window.model,
        window.strip,
        window.canvas,
        window.panel,
        window.variations.selected,
        window.generation.submit,
        window,
    )
    actions = list(presenter.actions.values())
    window.addActions(actions)
    add_to_menu(window, "Generate", actions, separator=True)
    toolbars = window.findChildren(QToolBar)
    if toolbars:
        toolbars[0].addSeparator()
        toolbars[0].addActions(actions)
    return report_to(window, presenter)


def sweeps(window: MainWindow) -> SweepPresenter:
    """Generate ▸ Sweep… (issue 14)."""
    presenter = SweepPresenter(
        window.controller,
        window.generation.build_job,
        lambda: window.generation.speed,
        window.variations.show_grid,
        window,
    )
    window.addAction(presenter.action)
    add_to_menu(window, "Generate", [presenter.action])
    return report_to(window, presenter)


def history(window: MainWindow) -> HistoryPresenter:
    """The lasting History dock, a tab beside the queue (issue 14)."""
    presenter = HistoryPresenter(
        window.controller,
        window.model,
        window.canvas,
        window.panel,
        window.results,
        window.open_path,
        window.settings,
        window,
    )
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, presenter.dock)
    queue = window.findChild(QDockWidget, "queueDock")
    if queue is not None:  # a tab beside the queue, which stays in front
        window.tabifyDockWidget(queue, presenter.dock)
        queue.raise_()
    add_to_menu(window, "View", [presenter.dock.toggleViewAction()])
    return report_to(window, presenter)


def models(window: MainWindow) -> ModelsPresenter:
    """Settings ▸ Models…, the first-run page and downloads."""
    presenter = ModelsPresenter(window.controller, window.panel, window)
    window.menuBar().addMenu("&Settings").addAction(presenter.action)
    return report_to(window, presenter)


def farm(window: MainWindow) -> FarmPresenter:
    """Wire the farm into the window's menus: Settings ▸ Render farm…, Generate ▸ Render on
    farm… and Cancel farm render."""

    def sweep_cells() -> tuple[list[GenerationParams], np.ndarray | None]:
        plan, image = window.sweeps.plan()
        return [cell.params for cell in plan.cells], image

    def add_result(image: np.ndarray, params: GenerationParams) -> None:
        window.strip.add(image, params, 0)
        window.history_ui.keep(image, params)  # kept like a local result (issue 17)

    presenter = FarmPresenter(
        window,
        window.settings,
        window.generation.build_job,
        window.status,
        add_result,
        window.show_error,
        sweep_cells,
    )
    settings_action = QAction("Render &farm…", window)
    settings_action.setObjectName("farmSettings")
    settings_action.setStatusTip("The Ray cluster that renders batches sent from Studio")
    settings_action.triggered.connect(lambda _c=False: presenter.open_settings())
    send = QAction("Render on &farm…", window)
    send.setObjectName("renderOnFarm")
    send.setStatusTip("Render N seeds of the panel's settings, or the sweep, on the render farm")
    send.triggered.connect(lambda _c=False: presenter.open_send())
    cancel = QAction("Cancel farm render", window)
    cancel.setObjectName("cancelFarm")
    cancel.triggered.connect(lambda _c=False: presenter.cancel())
    for action in (settings_action, send, cancel):
        window.addAction(action)
    add_to_menu(window, "Settings", [settings_action])
    add_to_menu(window, "Generate", [send, cancel], separator=True)
    presenter.actions = {"settings": settings_action, "send": send, "cancel": cancel}
    return presenter


def backend(window: MainWindow) -> BackendMenu:
    """Settings ▸ Backend (PyTorch or OpenVINO), beside Models and Render farm."""
    menu = BackendMenu(
        window.controller.set_backend, window.status.showMessage, window.show_error, window
    )
    found = find_menu(window, "Settings")
    if found is not None:
        found.addMenu(menu)
    return menu
