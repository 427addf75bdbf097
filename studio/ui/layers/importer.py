"""Pictures coming in from outside: dropped files and the clipboard become new layers at the
view's centre (nothing is replaced); "Paste as new document" asks before replacing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QGuiApplication

from studio.core.document import Document, Layer
from studio.core.document.layer_edits import insert_layer_edit
from studio.core.document.ora import OraFile
from studio.core.errors import UserError
from studio.ui.canvas.qtimage import from_qimage, to_qimage
from studio.ui.canvas.view import CanvasView
from studio.ui.state.document_model import DocumentModel

NO_IMAGE = "the clipboard holds no image; copy one first"


class LayerImporter(QObject):
    message = Signal(str)
    error = Signal(str)

    def __init__(
        self,
        model: DocumentModel,
        canvas: CanvasView,
        load: Callable[[Path], OraFile],
        confirm_discard: Callable[[], bool],
    ) -> None:
        super().__init__(canvas)
        self.model, self.canvas = model, canvas
        self.load, self.confirm_discard = load, confirm_discard
        canvas.files_dropped.connect(self.add_files)

    def add_files(self, paths: list[str]) -> None:
        """Dropped files become layers of the open document (nothing is replaced)."""
        for path in paths:
            try:
                loaded = self.load(Path(path))
            except UserError as exc:
                self.error.emit(str(exc))
                continue
            pixels = np.array(loaded.document.composite_rgba())
            self.add_pixels(pixels, Path(path).stem, "Add layer from file")

    def add_pixels(self, pixels: np.ndarray, name: str, label: str) -> None:
        """A new layer above the active one, centred on the view."""
        doc = self.model.document
        height, width = pixels.shape[:2]
        centre = self.canvas.view_centre()
        x = round(centre[0] - width / 2) if width != doc.width else 0
        y = round(centre[1] - height / 2) if height != doc.height else 0
        layer = Layer(pixels, name=doc.unused_name(name), x=x, y=y)
        self.model.push(insert_layer_edit(doc, layer, label=label))

    def copy(self) -> None:
        QGuiApplication.clipboard().setImage(to_qimage(self.model.document.image))
        self.message.emit("image copied")

    def paste(self) -> None:
        """Ctrl+V: the clipboard image as a new layer at the view's centre."""
        image = QGuiApplication.clipboard().image()
        if image.isNull():
            self.error.emit(NO_IMAGE)
            return
        self.add_pixels(from_qimage(image, alpha=True), "Pasted", "Paste as layer")

    def paste_as_new_document(self) -> None:
        image = QGuiApplication.clipboard().image()
        if image.isNull():
            self.error.emit(NO_IMAGE)
            return
        if self.confirm_discard():
            pixels = from_qimage(image, alpha=image.hasAlphaChannel())
            self.model.set_document(Document.from_image(pixels))
            self.model.mark_saved(None)
