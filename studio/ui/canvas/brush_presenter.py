"""The mask brush's tool, size and hardness: toolbar controls and shortcuts bound to the canvas."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QStatusBar

from studio.ui.canvas.brush_controls import MAX_SIZE, MIN_SIZE, BrushControls
from studio.ui.canvas.view import CanvasView


class BrushPresenter(QObject):
    def __init__(self, canvas: CanvasView, controls: BrushControls, status: QStatusBar) -> None:
        super().__init__(canvas)
        self.canvas, self.controls, self.status = canvas, controls, status
        self.tool_actions: dict[str, QAction] = {}  # "brush"/"eraser", set by the actions
        controls.size_changed.connect(self.set_size)
        controls.hardness_changed.connect(self.set_hardness)
        self._show()

    @property
    def brush(self):
        return self.canvas.brush

    def _show(self) -> None:
        self.controls.show_values(self.brush.size, self.brush.hardness)

    def set_tool(self, tool: str) -> None:
        self.brush.tool = tool
        if tool in self.tool_actions:
            self.tool_actions[tool].setChecked(True)
        self.status.showMessage("Mask eraser" if tool == "eraser" else "Mask brush", 1500)

    def resize(self, factor: float) -> None:
        self.set_size(self.brush.size * factor)

    def set_size(self, size: float) -> None:
        self.brush.size = float(min(max(size, MIN_SIZE), MAX_SIZE))
        self._show()
        self.canvas.refresh_outline()

    def change_hardness(self, delta: float) -> None:
        self.set_hardness(self.brush.hardness + delta)

    def set_hardness(self, hardness: float) -> None:
        self.brush.hardness = float(min(max(hardness, 0.0), 1.0))
        self._show()

    def set_pressure(self, on: bool) -> None:
        self.brush.use_pressure = bool(on)
