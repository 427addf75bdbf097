"""The open document as a Qt model: the document, its undo stack, its file and the preview.

Widgets and presenters bind to this object's signals instead of reaching into the window
(as krita-ai-diffusion binds its widgets to a per-document model). No widgets here, so it
works headless in tests.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from studio.core.brush import Rect
from studio.core.document import Document, Edit


class _EditCommand(QUndoCommand):
    def __init__(self, model: DocumentModel, edit: Edit) -> None:
        super().__init__(edit.label)
        self._model, self._edit = model, edit
        # a finished stroke is on the canvas already: the first redo only tells the views
        self._fresh = bool(getattr(edit, "already_applied", False))

    def redo(self) -> None:
        if self._fresh:
            self._fresh = False
            self._model.layers_changed.emit()
            self._model.edited.emit()
            return
        self._model._changed(self._edit, self._edit.apply(self._model.document))

    def undo(self) -> None:
        self._model._changed(self._edit, self._edit.revert(self._model.document))


class DocumentModel(QObject):
    replaced = Signal()  # a different document (new, open, restore)
    image_changed = Signal(object)  # canvas rect (x0, y0, x1, y1) of the composite, or None
    mask_changed = Signal(object)  # rect or None
    layers_changed = Signal()  # the layer list, a layer's properties or the active layer
    modified_changed = Signal(bool)
    path_changed = Signal()
    edited = Signal()  # after every push, undo or redo
    preview_changed = Signal(object)  # the result shown over the canvas, or None

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document = Document.blank(512, 512)
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._clean_changed)
        self._saved_once = True  # a fresh blank canvas has nothing to lose
        # a finished result shown over the canvas as a temporary layer until applied or
        # dismissed (any object with .image and .params: a variation)
        self.preview: object | None = None

    # --- state ------------------------------------------------------------------------------
    @property
    def modified(self) -> bool:
        return not self.undo_stack.isClean() or not self._saved_once

    @property
    def path(self) -> Path | None:
        return self.document.path

    def title(self) -> str:
        name = self.path.name if self.path else "untitled"
        return f"{name}{'*' if self.modified else ''}"

    # --- changes ----------------------------------------------------------------------------
    def set_document(self, document: Document, modified: bool = False) -> None:
        """Show another document; the undo history starts over."""
        self.document = document
        self.set_preview(None)
        self.undo_stack.clear()
        self.undo_stack.setClean()
        self._saved_once = not modified
        self.replaced.emit()
        self.layers_changed.emit()
        self.modified_changed.emit(self.modified)
        self.path_changed.emit()

    def set_preview(self, result: object | None) -> None:
        """Show `result` over the canvas (not part of the document), or nothing."""
        if result is not self.preview:
            self.preview = result
            self.preview_changed.emit(result)

    def push(self, edit: Edit | None) -> None:
        if edit is not None:
            self.undo_stack.push(_EditCommand(self, edit))

    def mark_saved(self, path: Path | None) -> None:
        changed = path != self.document.path
        self.document.path = path
        self._saved_once = True
        self.undo_stack.setClean()
        self.modified_changed.emit(self.modified)
        if changed:
            self.path_changed.emit()

    def set_active(self, index: int) -> None:
        index = min(max(index, 0), len(self.document.layers) - 1)
        if index != self.document.active:
            self.document.active = index
            self.layers_changed.emit()

    def painted(self, rect: Rect | None) -> None:
        """A live stroke changed the active layer inside rect (not yet on the undo stack)."""
        self.image_changed.emit(rect)

    def _clean_changed(self, _clean: bool) -> None:
        self.modified_changed.emit(self.modified)

    def _changed(self, edit: Edit, rect: Rect | None) -> None:
        if edit.changes_image:
            self.image_changed.emit(rect)
            self.layers_changed.emit()
        else:
            self.mask_changed.emit(rect)
        self.edited.emit()
