"""Inpaint and outpaint in the window: model sizes, the context box, and Expand canvas.

`InpaintTools` is bound to the document model (the shell builds it). It tracks each model's
native size (the worker reports it after loading, as plain data), decides the processing size
of image jobs, keeps the context box on the canvas, and grows the canvas (dialog or Alt+edge
drag) as an undoable edit followed by an outpaint job on the original image, whose results
arrive as variations.
"""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QWidget

from studio.core.canvas_size import check_extents, expand_canvas_edit
from studio.core.errors import ParamsError
from studio.core.params import GenerationParams, snap_to_8
from studio.jobs.controller import JobController
from studio.ui.canvas.view import CanvasView
from studio.ui.generate.presenter import Submit
from studio.ui.generate.prompt_panel import PromptPanel
from studio.ui.inpaint.context_box import ContextBoxOverlay
from studio.ui.inpaint.expand_canvas import EdgeDragFilter, Extents, ask_extents
from studio.ui.models.picker import native_side
from studio.ui.state.document_model import DocumentModel
from studio.ui.state.presenter import Presenter

INPAINT_MODES = ("inpaint", "outpaint")
OUTPAINT_STRENGTH = 1.0  # the new border is painted from scratch


def guess_native(model: str) -> int:
    """A model's native side before the worker reports it (built-in tiny: 64, SDXL: 1024)."""
    return native_side(model)


def processing_size(
    params: GenerationParams, width: int, height: int, native: int
) -> tuple[int, int]:
    """The width x height an image job runs at, for a document of width x height.

    Inpaint/outpaint "only masked" render the context box at the model's native size; other
    image jobs work at the picture's own size (outpaint: the grown canvas).
    """
    if params.mode in INPAINT_MODES and params.inpaint_area == "masked":
        return native, native
    if params.mode == "outpaint":
        left, top, right, bottom = params.extend
        width, height = width + left + right, height + top + bottom
    return snap_to_8(width), snap_to_8(height)


class InpaintTools(Presenter):
    def __init__(
        self,
        controller: JobController,
        model: DocumentModel,
        canvas: CanvasView,
        panel: PromptPanel,
        submit: Submit,
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.model, self.panel, self.submit, self.parent_widget = model, panel, submit, parent
        self.native_sizes: dict[str, int] = {}
        self.last_extents: Extents = (0, 0, 128, 0)
        self.outpaint_jobs: list[int] = []
        controller.native_size.connect(self._on_native_size)
        self.context = ContextBoxOverlay(model, canvas, panel, self.processing_size)
        self.edge_drag = EdgeDragFilter(canvas, self)
        self.edge_drag.expand_requested.connect(lambda extents: self.expand(extents))

    # --- sizes -----------------------------------------------------------------------------
    def native_size(self, model: str) -> int:
        return self.native_sizes.get(model.strip(), guess_native(model))

    def processing_size(self, params: GenerationParams, width: int, height: int) -> tuple[int, int]:
        return processing_size(params, width, height, self.native_size(params.model))

    @Slot(str, int)
    def _on_native_size(self, model: str, size: int) -> None:
        self.native_sizes[model.strip()] = int(size)
        self.context.schedule()

    def refresh(self) -> None:
        """The document, its mask or the mode changed: redraw the context box soon."""
        self.context.schedule()

    # --- expand canvas ---------------------------------------------------------------------
    def open_expand_dialog(self) -> int | None:
        doc = self.model.document
        answer = ask_extents(self.parent_widget, (doc.width, doc.height), self.last_extents)
        if answer is None:
            return None
        extents, outpaint = answer
        return self.expand(extents, outpaint)

    def outpaint_params(self, extents: Extents) -> GenerationParams:
        """The panel's params as an outpaint of the current document by extents."""
        doc = self.model.document
        params = self.panel.params().replace(
            mode="outpaint", extend=tuple(extents), strength=OUTPAINT_STRENGTH
        )
        width, height = self.processing_size(params, doc.width, doc.height)
        return params.replace(width=width, height=height).validated()

    def expand(self, extents: Extents, outpaint: bool = True) -> int | None:
        """Grow the canvas (undoable); then outpaint the original image into it.

        Returns the outpaint job's id, or None when only the canvas grew (or nothing happened).
        """
        doc = self.model.document
        try:
            extents = check_extents(extents, (doc.width, doc.height))
            if not any(extents):
                return None
            run = outpaint and doc.has_image
            params = self.outpaint_params(extents) if run else None
        except (ValueError, ParamsError) as exc:
            self.error.emit(str(exc))
            return None
        self.last_extents = extents
        original = doc.image.copy()
        self.model.push(expand_canvas_edit(doc, extents))
        if params is None:
            self.message.emit(f"canvas is now {doc.width} × {doc.height}", 4000)
            return None
        job_id = self.submit(params, original, None)
        self.outpaint_jobs.append(job_id)
        doc = self.model.document
        self.message.emit(
            f"canvas is now {doc.width} × {doc.height} — outpainting; pick a variation to apply it",
            6000,
        )
        return job_id
