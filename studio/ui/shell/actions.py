"""Menus, toolbar and keyboard shortcuts of the main window."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QSizePolicy, QStyle, QToolBar

if TYPE_CHECKING:
    from studio.ui.shell.main_window import MainWindow

# (menu, text, shortcut) — the README's shortcut table is generated from this list.
SHORTCUTS: list[tuple[str, str, str]] = [
    ("File", "New…", "Ctrl+N"),
    ("File", "Open…", "Ctrl+O"),
    ("File", "Save", "Ctrl+S"),
    ("File", "Save As…", "Ctrl+Shift+S"),
    ("File", "Export variations…", "Ctrl+Shift+E"),
    ("File", "Quit", "Ctrl+Q"),
    ("Edit", "Undo", "Ctrl+Z"),
    ("Edit", "Redo", "Ctrl+Shift+Z"),
    ("Edit", "Copy image", "Ctrl+C"),
    ("Edit", "Paste image", "Ctrl+V"),
    ("View", "Fit to window", "Ctrl+0"),
    ("View", "Actual size (100%)", "Ctrl+1"),
    ("View", "Zoom in", "Ctrl+="),
    ("View", "Zoom out", "Ctrl+-"),
    ("View", "Show mask overlay", "M"),
    ("View", "Variations grid", "G"),
    ("Image", "Mask brush", "B"),
    ("Image", "Mask eraser", "E"),
    ("Image", "Smaller brush", "["),
    ("Image", "Larger brush", "]"),
    ("Image", "Softer brush", "Shift+["),
    ("Image", "Harder brush", "Shift+]"),
    ("Image", "Invert mask", "Ctrl+I"),
    ("Image", "Clear mask", "Del"),
    ("Image", "Mask everything", "Ctrl+A"),
    ("Image", "Expand canvas…", "Ctrl+Alt+C"),
    ("Image", "Upscale…", "Ctrl+Alt+U"),
    ("Generate", "Generate", "Ctrl+Return"),
    ("Generate", "Cancel", "Esc"),
    ("Generate", "Apply selected variation", "Return"),
    ("Generate", "Reuse parameters", "Ctrl+R"),
    ("Generate", "Star / unstar variation", "S"),
    ("Generate", "Compare with canvas", "C"),
]


class Actions:
    """All the window's QActions by name."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.by_name: dict[str, QAction] = {}

    def add(
        self,
        name: str,
        text: str,
        slot: Callable[[], object],
        shortcut: str | QKeySequence.StandardKey | None = None,
        tip: str = "",
        icon: QStyle.StandardPixmap | None = None,
        checkable: bool = False,
    ) -> QAction:
        action = QAction(text, self.window)
        action.setObjectName(name)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(f"{tip} ({action.shortcut().toString()})" if shortcut else tip)
        if icon is not None:
            action.setIcon(self.window.style().standardIcon(icon))
        action.setCheckable(checkable)
        if checkable:
            action.toggled.connect(slot)
        else:
            action.triggered.connect(lambda _checked=False: slot())
        self.by_name[name] = action
        self.window.addAction(action)
        return action

    def __getitem__(self, name: str) -> QAction:
        return self.by_name[name]


def build(window: MainWindow) -> Actions:
    w = window
    a = Actions(w)
    sp = QStyle.StandardPixmap
    a.add("new", "&New…", w.new_document, "Ctrl+N", "New blank canvas", sp.SP_FileIcon)
    a.add("open", "&Open…", w.open_dialog, "Ctrl+O", "Open an image", sp.SP_DialogOpenButton)
    a.add(
        "save",
        "&Save",
        w.save,
        "Ctrl+S",
        "Save the image as PNG with its parameters",
        sp.SP_DialogSaveButton,
    )
    a.add("save_as", "Save &As…", w.save_as, "Ctrl+Shift+S", "Save under a new name")
    a.add("quit", "&Quit", w.close, "Ctrl+Q", "Quit Studio")

    undo = w.undo_stack.createUndoAction(w, "&Undo")
    undo.setShortcut(QKeySequence("Ctrl+Z"))
    undo.setIcon(w.style().standardIcon(sp.SP_ArrowBack))
    redo = w.undo_stack.createRedoAction(w, "&Redo")
    redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
    redo.setIcon(w.style().standardIcon(sp.SP_ArrowForward))
    for name, action in (("undo", undo), ("redo", redo)):
        action.setObjectName(name)
        action.setIconText(name.capitalize())  # the toolbar keeps a short label
        a.by_name[name] = action
        w.addAction(action)
    a.add("copy", "&Copy image", w.importer.copy, "Ctrl+C", "Copy the image to the clipboard")
    a.add("paste", "&Paste image", w.importer.paste, "Ctrl+V", "Paste an image from the clipboard")

    a.add("fit", "&Fit to window", w.canvas.fit, "Ctrl+0", "Fit the image in the window")
    a.add("actual", "&Actual size (100%)", w.canvas.actual_size, "Ctrl+1", "Show at 100%")
    a.add("zoom_in", "Zoom &in", w.canvas.zoom_in, "Ctrl+=", "Zoom in")
    a.add("zoom_out", "Zoom &out", w.canvas.zoom_out, "Ctrl+-", "Zoom out")
    a.add(
        "show_mask",
        "Show &mask overlay",
        w.canvas.set_mask_visible,
        "M",
        "Show the mask",
        checkable=True,
    ).setChecked(True)

    tools = QActionGroup(w)
    brush = a.add(
        "brush",
        "Mask &brush",
        lambda: w.brush.set_tool("brush"),
        "B",
        "Paint the area to repaint",
        checkable=False,
    )
    eraser = a.add(
        "eraser",
        "Mask &eraser",
        lambda: w.brush.set_tool("eraser"),
        "E",
        "Erase the mask",
        checkable=False,
    )
    for action in (brush, eraser):
        action.setCheckable(True)
        tools.addAction(action)
    brush.setChecked(True)
    w.brush.tool_actions.update(brush=brush, eraser=eraser)
    a.add("smaller", "Smaller brush", lambda: w.brush.resize(1 / 1.25), "[", "Smaller brush")
    a.add("larger", "Larger brush", lambda: w.brush.resize(1.25), "]", "Larger brush")
    a.add("softer", "Softer brush", lambda: w.brush.change_hardness(-0.1), "Shift+[", "Softer edge")
    a.add("harder", "Harder brush", lambda: w.brush.change_hardness(0.1), "Shift+]", "Harder edge")
    a.add(
        "pressure",
        "Tablet &pressure sets size",
        w.brush.set_pressure,
        None,
        "Pen pressure scales the brush",
        checkable=True,
    ).setChecked(True)
    a.add("invert", "&Invert mask", w.invert_mask, "Ctrl+I", "Invert the mask")
    a.add(
        "clear_mask", "&Clear mask", w.clear_mask, QKeySequence.StandardKey.Delete, "Clear the mask"
    )
    a.add("select_all", "Mask &everything", w.select_all_mask, "Ctrl+A", "Mask the whole image")
    a.add(
        "expand_canvas",
        "E&xpand canvas…",
        lambda: w.inpaint_tools.open_expand_dialog(),
        "Ctrl+Alt+C",
        "Grow the canvas and outpaint the new area (or Alt+drag an image edge)",
    )
    a.add(
        "upscale",
        "&Upscale…",
        lambda: w.upscale_ui.open_dialog(),
        "Ctrl+Alt+U",
        "Upscale the canvas image or the selected variation (undoable)",
    )

    gen = a.add(
        "generate",
        "&Generate",
        w.generate,
        "Ctrl+Return",
        "Generate (queues if busy)",
        sp.SP_MediaPlay,
    )
    gen.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
    a.add("cancel", "&Cancel", w.cancel, "Esc", "Cancel the running job", sp.SP_MediaStop)
    a.add("cancel_all", "Cancel &all and clear queue", w.cancel_all, None, "Cancel everything")
    apply_ = a.add(
        "apply",
        "&Apply selected variation",
        w.results.apply_selected,
        None,
        "Put the selected variation on the canvas (undoable)",
    )
    apply_.setShortcut(QKeySequence("Return"))
    apply_.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    w.removeAction(apply_)
    w.canvas.addAction(apply_)
    a.add(
        "reuse",
        "&Reuse parameters",
        w.reuse_parameters,
        "Ctrl+R",
        "Fill the panel from the selected variation or the image's metadata",
    )
    a.add(
        "save_variation",
        "Save &variation…",
        w.results.save_selected,
        None,
        "Save the selected variation",
    )
    a.add(
        "delete_variation",
        "&Delete variation",
        w.delete_selected_variation,
        None,
        "Delete the selected variation",
    )
    # Issue 5: stars, the grid, compare and export (studio.ui.variations.presenter).
    a.add(
        "star",
        "&Star / unstar variation",
        w.variations.toggle_star,
        "S",
        "Star the selected variation(s) for export; again to unstar",
    )
    a.add(
        "compare",
        "C&ompare with canvas",
        w.variations.compare,
        "C",
        "Show the selected variation beside the canvas",
    )
    a.add(
        "export_variations",
        "&Export variations…",
        w.variations.open_export_dialog,
        "Ctrl+Shift+E",
        "Export starred or all variations with their parameters",
    )
    grid = w.variations.dock.toggleViewAction()
    grid.setObjectName("variations_grid")
    grid.setText("Variations &grid")
    grid.setShortcut(QKeySequence("G"))
    grid.setStatusTip("All variations of the session at a chosen size")
    a.by_name["variations_grid"] = grid
    w.addAction(grid)
    return a


def build_menus(window: MainWindow, a: Actions) -> None:
    bar = window.menuBar()
    layout = {
        "&File": ["new", "open", None, "save", "save_as", "export_variations", None, "quit"],
        "&Edit": ["undo", "redo", None, "copy", "paste"],
        "&View": ["fit", "actual", "zoom_in", "zoom_out", None, "show_mask", "variations_grid"],
        "&Image": [
            "brush",
            "eraser",
            None,
            "smaller",
            "larger",
            "softer",
            "harder",
            "pressure",
            None,
            "invert",
            "clear_mask",
            "select_all",
            None,
            "expand_canvas",
            "upscale",
        ],
        "&Generate": [
            "generate",
            "cancel",
            "cancel_all",
            None,
            "apply",
            "reuse",
            "save_variation",
            "delete_variation",
            None,
            "star",
            "compare",
        ],
    }
    for title, names in layout.items():
        menu = bar.addMenu(title)
        for name in names:
            if name is None:
                menu.addSeparator()
            else:
                menu.addAction(a[name])
        if title == "&View":
            menu.addSeparator()
            for dock in window.docks():
                menu.addAction(dock.toggleViewAction())


def build_toolbar(window: MainWindow, a: Actions) -> QToolBar:
    bar = QToolBar("Main toolbar")
    bar.setObjectName("mainToolbar")
    bar.setMovable(False)
    bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    a["fit"].setIconText("Fit")  # short labels, so Generate and Cancel fit at 1400 px
    a["actual"].setIconText("100%")
    for name in ("new", "open", "save", None, "undo", "redo", None, "brush", "eraser"):
        if name is None:
            bar.addSeparator()
        else:
            bar.addAction(a[name])
    window.brush_controls.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
    bar.addWidget(window.brush_controls)
    bar.addSeparator()
    for name in ("invert", "clear_mask", None, "fit", "actual", None, "generate", "cancel"):
        if name is None:
            bar.addSeparator()
        else:
            bar.addAction(a[name])
    window.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
    return bar
