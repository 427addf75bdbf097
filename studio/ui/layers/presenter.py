"""Binds the Layers panel and the Layers menu to the document model: every request becomes an
undoable edit pushed on the model's undo stack."""

from __future__ import annotations

from PySide6.QtCore import QObject, QSettings, QTimer
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

from studio.core.document import layer_edits as le
from studio.ui.canvas.view import CanvasView
from studio.ui.layers.panel import LayersPanel
from studio.ui.state.document_model import DocumentModel

APPLY_ONTO_KEY = "layers/apply_onto_active"
# (menu, text, shortcut) rows for the README's shortcut table
SHORTCUTS = [
    ("Layers", "New layer", "Ctrl+Shift+N"),
    ("Layers", "Duplicate layer", "Ctrl+J"),
    ("Layers", "Merge down", "Ctrl+E"),
    ("Layers", "Paint brush", "P"),
    ("Layers", "Paint eraser", "Shift+E"),
    ("Layers", "Fill", "F"),
    ("Layers", "Pick colour", "Alt+click"),
    ("Edit", "Paste as new document", "Ctrl+Alt+V"),
]


class LayersPresenter(QObject):
    def __init__(
        self,
        parent: QObject,
        model: DocumentModel,
        canvas: CanvasView,
        settings: QSettings | None = None,
    ) -> None:
        super().__init__(parent)
        self.model, self.canvas, self.settings = model, canvas, settings
        self.panel = LayersPanel()
        self._thumbs = QTimer(self)
        self._thumbs.setSingleShot(True)
        self._thumbs.setInterval(300)
        self._thumbs.timeout.connect(lambda: self.panel.refresh_thumbnails(self.model.document))
        model.layers_changed.connect(self.refresh)
        model.replaced.connect(self.refresh)
        model.image_changed.connect(lambda _r: self._thumbs.start())
        canvas.stroke_finished.connect(lambda _e: self._thumbs.start())
        canvas.color_picked.connect(self.panel.show_color)
        p = self.panel
        p.active_requested.connect(model.set_active)
        p.visibility_requested.connect(lambda i, v: self._props(i, visible=v))
        p.rename_requested.connect(lambda i, name: self._props(i, name=name.strip() or "Layer"))
        p.opacity_requested.connect(lambda v: self._props(self.doc.active, opacity=v))
        p.blend_requested.connect(lambda mode: self._props(self.doc.active, blend=mode))
        p.move_requested.connect(self.move)
        p.action_requested.connect(self.run)
        p.tool_requested.connect(self.set_tool)
        p.color_changed.connect(self._set_color)
        p.paint_opacity_changed.connect(self._set_paint_opacity)
        self.apply_onto_action = QAction("Apply results onto the selected layer", self)
        self.apply_onto_action.setCheckable(True)
        self.apply_onto_action.setStatusTip(
            "Paint applied results onto the selected layer instead of adding a layer"
        )
        if settings is not None:
            self.apply_onto_action.setChecked(settings.value(APPLY_ONTO_KEY, False, type=bool))
        self.apply_onto_action.toggled.connect(self._remember_apply_onto)
        self.refresh()

    @property
    def doc(self):
        return self.model.document

    @property
    def apply_onto_active(self) -> bool:
        return self.apply_onto_action.isChecked()

    def refresh(self) -> None:
        self.panel.show_document(self.model.document)

    # --- requests -------------------------------------------------------------------------
    def _props(self, index: int, **changes: object) -> None:
        if 0 <= index < len(self.doc.layers):
            self.model.push(le.set_props_edit(self.doc, self.doc.layers[index], **changes))

    def move(self, source: int, target: int) -> None:
        if 0 <= source < len(self.doc.layers):
            self.model.push(le.move_layer_edit(self.doc, self.doc.layers[source], target))
        self.refresh()  # the list may have moved an item the edit refused

    def run(self, action: str) -> None:
        doc, layer = self.doc, self.doc.active_layer
        edit = {
            "add": lambda: le.new_layer_edit(doc),
            "duplicate": lambda: le.duplicate_layer_edit(doc, layer),
            "delete": lambda: le.remove_layer_edit(doc, layer),
            "merge_down": lambda: le.merge_down_edit(doc, layer),
            "flatten": lambda: le.flatten_edit(doc),
        }[action]()
        self.model.push(edit)

    def set_tool(self, tool: str) -> None:
        self.canvas.brush.tool = tool
        self.panel.show_tool(tool)
        action = getattr(self, "tool_actions", {}).get(tool)
        if action is not None:
            action.setChecked(True)  # unchecks the mask brush/eraser in the same group

    def mask_tool_chosen(self) -> None:
        self.panel.show_tool(self.canvas.brush.tool)

    def _set_color(self, color: tuple[int, int, int]) -> None:
        self.canvas.brush.color = color

    def _set_paint_opacity(self, value: float) -> None:
        self.canvas.brush.opacity = value

    def _remember_apply_onto(self, on: bool) -> None:
        if self.settings is not None:
            self.settings.setValue(APPLY_ONTO_KEY, bool(on))

    # --- menu ---------------------------------------------------------------------------
    def install_menu(
        self, window: QMainWindow, before: QAction | None = None, tools: QActionGroup | None = None
    ) -> QMenu:
        """The Layers menu; its paint tools join `tools` (the mask brush/eraser group), so one
        tool is checked at a time."""
        menu = QMenu("&Layers", window)
        self.tool_actions: dict[str, QAction] = {}
        for text, slot, shortcut in (
            ("&New layer", lambda: self.run("add"), "Ctrl+Shift+N"),
            ("&Duplicate layer", lambda: self.run("duplicate"), "Ctrl+J"),
            ("De&lete layer", lambda: self.run("delete"), None),
            ("&Merge down", lambda: self.run("merge_down"), "Ctrl+E"),
            ("&Flatten image", lambda: self.run("flatten"), None),
            (None, None, None),
            ("&Paint brush", lambda: self.set_tool("paint"), "P"),
            ("Paint &eraser", lambda: self.set_tool("paint_eraser"), "Shift+E"),
            ("F&ill", lambda: self.set_tool("fill"), "F"),
        ):
            if text is None:
                menu.addSeparator()
                continue
            action = menu.addAction(text)
            action.triggered.connect(lambda _c=False, s=slot: s())
            tool = {"P": "paint", "Shift+E": "paint_eraser", "F": "fill"}.get(shortcut or "")
            if tool is not None:
                action.setCheckable(True)
                self.tool_actions[tool] = action
                if tools is not None:
                    tools.addAction(action)
            if shortcut:
                action.setShortcut(QKeySequence(shortcut))
                window.addAction(action)
        menu.addSeparator()
        menu.addAction(self.apply_onto_action)
        bar = window.menuBar()
        if before is not None:
            bar.insertMenu(before, menu)
        else:
            bar.addMenu(menu)
        return menu
