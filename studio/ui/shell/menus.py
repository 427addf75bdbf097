"""Finding a top-level menu by title and adding to it (the feature wiring uses these too), and
the menu entries of issue 13 added beside the ones studio.ui.shell.actions builds: Open Recent,
Paste as new document and the Layers menu (kept here so actions.py stays as it was)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

if TYPE_CHECKING:
    from studio.ui.shell.main_window import MainWindow


def find_menu(window: MainWindow, title: str) -> QMenu | None:
    """The window's top-level menu called title (ignoring the & of its shortcut)."""
    for action in window.menuBar().actions():
        if action.text().replace("&", "") == title and action.menu() is not None:
            return action.menu()
    return None


def add_to_menu(
    window: MainWindow, title: str, actions: list[QAction], separator: bool = False
) -> None:
    """Append actions (after a separator if asked) to the top-level menu title, if there is one."""
    found = find_menu(window, title)
    if found is None:
        return
    if separator:
        found.addSeparator()
    found.addActions(actions)


def install(window: MainWindow) -> None:
    actions = window.actions_
    file_menu = find_menu(window, "File")
    if file_menu is not None:
        after_open = _next(file_menu, actions["open"])
        file_menu.insertMenu(after_open, window.files.recent_menu)
    paste_new = QAction("Paste as new &document", window)
    paste_new.setObjectName("paste_new_document")
    paste_new.setShortcut(QKeySequence("Ctrl+Alt+V"))
    paste_new.setStatusTip("Open the clipboard image as a new document")
    paste_new.triggered.connect(lambda _c=False: window.importer.paste_as_new_document())
    window.addAction(paste_new)
    actions.by_name["paste_new_document"] = paste_new
    add_to_menu(window, "Edit", [paste_new])
    actions["paste"].setText("&Paste as layer")
    actions["paste"].setStatusTip("Paste the clipboard image as a new layer at the view's centre")
    generate = find_menu(window, "Generate")
    tools = actions["brush"].actionGroup()
    window.layers.install_menu(window, generate.menuAction() if generate else None, tools)
    if tools is not None:
        tools.triggered.connect(lambda _a: window.layers.mask_tool_chosen())


def _next(menu: QMenu, action: QAction) -> QAction | None:
    items = menu.actions()
    if action in items and items.index(action) + 1 < len(items):
        return items[items.index(action) + 1]
    return None
