"""A result shown over the canvas as a temporary layer until applied (Enter) or dismissed (Esc).

Bound to the document model's preview state: a finished job's last result, or the variation
clicked in the strip, stays on the canvas; applying it is one undoable step (a new layer, or
paint onto the active one, plus clearing the inpaint mask it answered).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QStatusBar

from studio.core.document.layer_edits import LayerPixels
from studio.core.document.results import apply_result_edits
from studio.core.imagefiles import save_png
from studio.jobs.controller import JobController
from studio.ui.canvas.view import CanvasView
from studio.ui.state.document_model import DocumentModel
from studio.ui.variations.strip import Variation, VariationsStrip

SAVE_FILTER = "PNG image (*.png)"


class ResultPreview(QObject):
    applied = Signal(object)  # the Variation, after its edits are on the undo stack
    error = Signal(str)

    def __init__(
        self,
        model: DocumentModel,
        canvas: CanvasView,
        strip: VariationsStrip,
        status: QStatusBar,
        controller: JobController,
        onto_active: Callable[[], bool] = lambda: False,
        last_dir: Callable[[], str] = str,
    ) -> None:
        super().__init__(canvas)
        self.model, self.canvas, self.strip, self.status = model, canvas, strip, status
        self.controller = controller
        self.onto_active, self.last_dir = onto_active, last_dir
        model.preview_changed.connect(self._show)
        strip.preview_requested.connect(self.preview)
        strip.apply_requested.connect(self.apply)
        strip.save_requested.connect(self.save)
        strip.deleted.connect(self._deleted)
        canvas.stroke_started.connect(self._painting)

    @property
    def shown(self) -> Variation | None:
        return self.model.preview  # type: ignore[return-value]

    def _show(self, variation: Variation | None) -> None:
        if variation is None:
            self.canvas.clear_preview()
            if self.status.currentMessage().startswith("previewing seed"):
                self.status.clearMessage()  # the hint goes with the preview it described
        else:
            self.canvas.show_preview(variation.image)

    def preview(self, variation: Variation) -> None:
        if self.controller.current is not None:
            return  # the live preview has the canvas while a job runs
        self.model.set_preview(variation)
        self.status.showMessage(
            f"previewing seed {variation.params.seed} — Enter applies, Esc goes back"
        )

    def show_finished(self, variation: Variation) -> None:
        """A job's result stays on the canvas (and is selected in the strip) until applied."""
        item = self.strip.item_of(variation)
        if item is not None:
            self.strip.setCurrentItem(item)  # previews it through preview_requested
        self.preview(variation)

    def dismiss(self) -> bool:
        """Esc: take the previewed result off the canvas; False when none was shown."""
        if self.shown is None:
            return False
        self.model.set_preview(None)
        self.status.showMessage("preview dismissed", 2000)
        return True

    def apply(self, variation: Variation) -> None:
        """The result becomes a new layer (or paints onto the active one: Layers ▸ setting)."""
        label, doc = f"Apply seed {variation.params.seed}", self.model.document
        resized = variation.image.shape[:2] != (doc.height, doc.width)  # replaces the picture
        onto = self.onto_active()
        edits = apply_result_edits(doc, variation.image, variation.params, label, onto)
        stack = self.model.undo_stack
        stack.beginMacro(label)
        for edit in edits:
            self.model.push(edit)
        stack.endMacro()
        self.model.set_preview(None)
        where = "as the picture" if resized else "as a layer"
        if any(isinstance(edit, LayerPixels) for edit in edits):
            where = "onto the selected layer"
        self.status.showMessage(f"applied seed {variation.params.seed} {where}", 3000)
        self.applied.emit(variation)

    def apply_selected(self) -> None:
        variation = self.shown or self.strip.selected()
        if variation is not None:
            self.apply(variation)

    def save(self, variation: Variation) -> None:
        start = str(Path(self.last_dir() or ".") / f"seed-{variation.params.seed}.png")
        path, _ = QFileDialog.getSaveFileName(
            self.canvas.window(), "Save variation", start, SAVE_FILTER
        )
        if path:
            try:
                save_png(path, variation.image, variation.params)
            except OSError as exc:
                self.error.emit(f"could not save {Path(path).name}: {exc.strerror or exc}")

    def save_selected(self) -> None:
        if (variation := self.strip.selected()) is not None:
            self.save(variation)

    def _painting(self) -> None:
        """Painting works on the picture, so the picture is what the canvas shows meanwhile."""
        if self.shown is not None:
            self.model.set_preview(None)
            self.status.showMessage("preview closed to paint; the result is still in the strip")

    def _deleted(self, variation: Variation) -> None:
        if self.shown is variation:
            self.model.set_preview(None)
