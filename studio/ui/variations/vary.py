"""Vary (Subtle) / Vary (Strong) on a strip item, a grid item or the canvas.

A result whose seed is known (plain text to image) gets variation seeds mixed into its noise;
anything else (the canvas, an img2img or inpaint result, a child with a variation seed) is
repainted by img2img from its pixels (studio.core.vary). The status bar and the menu say which
mechanism each request uses. The children come back as one job and land in the strip beside
their parent, linked to it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

from studio.core.errors import ParamsError
from studio.core.params import random_seed
from studio.core.session import Result
from studio.core.vary import IMG2IMG_STRENGTH, VARIATION_STRENGTH, VaryPlan, plan_vary
from studio.ui.canvas.view import CanvasView
from studio.ui.generate.presenter import Submit
from studio.ui.generate.prompt_panel import PromptPanel
from studio.ui.state.document_model import DocumentModel
from studio.ui.state.presenter import Presenter
from studio.ui.variations.strip import VariationsStrip

DEFAULT_COUNT = 4  # children per Vary when the panel's count is 1
TIPS = {
    kind: (
        f"{kind.capitalize()} variations of the selected result: variation seeds mixed in at "
        f"{VARIATION_STRENGTH[kind]:g} when its seed is known, else img2img at "
        f"{IMG2IMG_STRENGTH[kind]:g}"
    )
    for kind in ("subtle", "strong")
}


class VaryPresenter(Presenter):
    """Its actions go in the window's Generate menu and toolbar (the shell puts them there)."""

    def __init__(
        self,
        model: DocumentModel,
        strip: VariationsStrip,
        canvas: CanvasView,
        panel: PromptPanel,
        selected: Callable[[], list[Result]],
        submit: Submit,
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.model, self.canvas, self.panel = model, canvas, panel
        self.selected, self.submit = selected, submit
        self.last_plan: VaryPlan | None = None
        self.actions: dict[str, QAction] = {}
        for kind, shortcut in (("subtle", "V"), ("strong", "Shift+V")):
            action = QAction(f"Vary ({kind.capitalize()})", parent)
            action.setObjectName(f"vary_{kind}")
            action.setShortcut(QKeySequence(shortcut))
            action.setStatusTip(TIPS[kind])
            action.setToolTip(f"{TIPS[kind]} ({shortcut})")
            action.triggered.connect(lambda _checked=False, k=kind: self.vary_selected(k))
            self.actions[kind] = action
        strip.vary_requested.connect(self.vary)
        canvas.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        canvas.customContextMenuRequested.connect(self._canvas_menu)

    def count(self) -> int:
        panel_count = self.panel.count.value()
        return panel_count if panel_count > 1 else DEFAULT_COUNT

    # --- what to vary ------------------------------------------------------------------------
    def vary_selected(self, kind: str) -> int | None:
        """The selected result (grid or strip), else the canvas."""
        chosen = self.selected()
        if chosen:
            return self.vary(chosen[0], kind)
        return self.vary_canvas(kind)

    def vary(self, result: Result, kind: str) -> int | None:
        height, width = result.image.shape[:2]
        try:
            plan = plan_vary(
                result.params,
                kind,
                self.count(),
                random_seed(),
                fallback=self.panel.params(),
                size=(width, height),
            )
        except ParamsError as exc:
            self.error.emit(str(exc))
            return None
        return self._submit(plan, result.image)

    def vary_canvas(self, kind: str) -> int | None:
        doc = self.model.document
        if not doc.has_image:
            self.error.emit("nothing to vary: generate, open or paste an image first")
            return None
        showing = self.model.preview
        if showing is not None:
            return self.vary(showing, kind)
        try:
            plan = plan_vary(
                None,
                kind,
                self.count(),
                random_seed(),
                fallback=self.panel.params(),
                size=(doc.width, doc.height),
            )
        except ParamsError as exc:
            self.error.emit(str(exc))
            return None
        return self._submit(plan, doc.image)

    def _submit(self, plan: VaryPlan, image: np.ndarray) -> int:
        self.last_plan = plan
        job_id = self.submit(plan.params, image.copy() if plan.needs_image else None, None)
        self.message.emit(plan.describe(), 8000)
        return job_id

    def _canvas_menu(self, pos: QPoint) -> None:
        menu = QMenu(self.canvas)
        for action in self.actions.values():
            menu.addAction(action)
        menu.popup(self.canvas.mapToGlobal(pos))
