"""Growing the canvas for outpainting: Image ▸ Expand canvas… and Alt+drag on a canvas edge.

`ExpandCanvasDialog` asks for left/top/right/bottom pixels. `EdgeDragFilter` watches the
canvas viewport: holding Alt over an image edge shows a resize cursor, and dragging it out
shows the new canvas as a dashed ghost; on release it emits `expand_requested(extents)`.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QSpinBox,
    QStyleOptionGraphicsItem,
    QVBoxLayout,
    QWidget,
)

from studio.ui.inpaint.context_box import ScreenOnlyRect

Extents = tuple[int, int, int, int]
EDGE_TOLERANCE_PX = 10  # screen pixels either side of an edge that grab it
SNAP = 8  # extents snap to multiples of 8 while dragging
MODIFIER = Qt.KeyboardModifier.AltModifier
GHOST_COLOR = QColor(255, 200, 80)


class ExpandCanvasDialog(QDialog):
    """Left/top/right/bottom pixels to add, the resulting size, and whether to outpaint."""

    def __init__(
        self, size: tuple[int, int], extents: Extents = (0, 0, 128, 0), parent=None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Expand canvas")
        self._size = size
        self.boxes: dict[str, QSpinBox] = {}
        grid = QGridLayout()
        places = {"top": (0, 1), "left": (1, 0), "right": (1, 2), "bottom": (2, 1)}
        for (name, (row, col)), value in zip(places.items(), _by_name(extents), strict=True):
            box = QSpinBox()
            box.setRange(0, 4096)
            box.setSingleStep(SNAP)
            box.setSuffix(" px")
            box.setValue(value)
            box.setToolTip(f"Pixels to add on the {name}")
            box.setAccelerated(True)
            box.valueChanged.connect(lambda _v: self._update())
            self.boxes[name] = box
            cell = QVBoxLayout()
            cell.addWidget(QLabel(name.capitalize()), 0, Qt.AlignmentFlag.AlignHCenter)
            cell.addWidget(box)
            grid.addLayout(cell, row, col)
        self.picture = QLabel()
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setMinimumWidth(120)
        self.picture.setStyleSheet("border: 1px dashed palette(mid); padding: 8px;")
        grid.addWidget(self.picture, 1, 1)
        self.outpaint = QCheckBox("Outpaint the new area with the current prompt")
        self.outpaint.setChecked(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(self.outpaint)
        layout.addWidget(self.buttons)
        self._update()

    def extents(self) -> Extents:
        b = self.boxes
        return (b["left"].value(), b["top"].value(), b["right"].value(), b["bottom"].value())

    def _update(self) -> None:
        left, top, right, bottom = self.extents()
        width, height = self._size[0] + left + right, self._size[1] + top + bottom
        self.picture.setText(f"{self._size[0]} × {self._size[1]}\n→ {width} × {height}")
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(any(self.extents()))


def _by_name(extents: Extents) -> list[int]:
    """Extents in the dialog's order: top, left, right, bottom."""
    left, top, right, bottom = extents
    return [top, left, right, bottom]


def ask_extents(
    parent: QWidget, size: tuple[int, int], last: Extents
) -> tuple[Extents, bool] | None:
    """Show the dialog; (extents, outpaint) or None when cancelled."""
    dialog = ExpandCanvasDialog(size, last, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.extents(), dialog.outpaint.isChecked()


class GhostItem(ScreenOnlyRect):
    """The canvas-to-be while an edge is dragged: dashed bounds, the new strips tinted."""

    def __init__(self) -> None:
        super().__init__()
        pen = QPen(GHOST_COLOR, 1.5, Qt.PenStyle.DashLine)
        pen.setCosmetic(True)
        self.setPen(pen)
        self.setZValue(4)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.inner = QRectF()
        self.hide()

    def set_bounds(self, outer: QRectF, inner: QRectF) -> None:
        self.inner = QRectF(inner)
        self.setRect(outer)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        if widget is None:
            return
        added = QPainterPath()
        added.addRect(self.rect())
        image = QPainterPath()
        image.addRect(self.inner)
        painter.fillPath(added.subtracted(image), QColor(255, 200, 80, 70))
        super().paint(painter, option, widget)


class EdgeDragFilter(QObject):
    """Alt+drag on an image edge (or corner) grows the canvas. Install on the canvas viewport."""

    expand_requested = Signal(tuple)  # (left, top, right, bottom)

    def __init__(self, canvas, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.canvas = canvas
        self.ghost = GhostItem()
        canvas.scene().addItem(self.ghost)
        self._edges: tuple[bool, bool, bool, bool] | None = None  # left, top, right, bottom
        self._start = QPointF()
        self._cursor_set = False
        self.extents: Extents = (0, 0, 0, 0)
        canvas.viewport().installEventFilter(self)

    # --- geometry --------------------------------------------------------------------------
    def edges_at(self, view_pos: QPointF) -> tuple[bool, bool, bool, bool]:
        """Which image edges lie under a viewport position (left, top, right, bottom)."""
        point = self.canvas.map_to_image(view_pos)
        tol = EDGE_TOLERANCE_PX / max(self.canvas.zoom, 1e-6)
        width, height = self.canvas.document.width, self.canvas.document.height
        inside_x = -tol <= point.x() <= width + tol
        inside_y = -tol <= point.y() <= height + tol
        return (
            inside_y and abs(point.x()) <= tol,
            inside_x and abs(point.y()) <= tol,
            inside_y and abs(point.x() - width) <= tol,
            inside_x and abs(point.y() - height) <= tol,
        )

    def _extents_for(self, view_pos: QPointF) -> Extents:
        assert self._edges is not None
        point = self.canvas.map_to_image(view_pos)
        dx, dy = point.x() - self._start.x(), point.y() - self._start.y()
        left, top, right, bottom = self._edges

        def snap(value: float) -> int:
            return int(max(0.0, value) // SNAP * SNAP)

        return (
            snap(-dx) if left else 0,
            snap(-dy) if top else 0,
            snap(dx) if right else 0,
            snap(dy) if bottom else 0,
        )

    def _show_ghost(self, extents: Extents) -> None:
        left, top, right, bottom = extents
        doc = self.canvas.document
        outer = QRectF(-left, -top, doc.width + left + right, doc.height + top + bottom)
        self.ghost.set_bounds(outer, QRectF(0, 0, doc.width, doc.height))
        self.ghost.setVisible(any(extents))

    # --- events ----------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if not isinstance(event, QMouseEvent) or kind not in (
            QEvent.Type.MouseButtonPress,
            QEvent.Type.MouseMove,
            QEvent.Type.MouseButtonRelease,
        ):
            return False
        if kind == QEvent.Type.MouseButtonPress:
            return self._press(event)
        if kind == QEvent.Type.MouseMove:
            return self._move(event)
        return self._release(event)

    def _press(self, event: QMouseEvent) -> bool:
        if event.button() != Qt.MouseButton.LeftButton or not (event.modifiers() & MODIFIER):
            return False
        edges = self.edges_at(event.position())
        if not any(edges):
            return False
        self._edges = edges
        self._start = self.canvas.map_to_image(event.position())
        self.extents = (0, 0, 0, 0)
        event.accept()
        return True

    def _move(self, event: QMouseEvent) -> bool:
        if self._edges is not None:
            self.extents = self._extents_for(event.position())
            self._show_ghost(self.extents)
            event.accept()
            return True
        self._hover_cursor(event)
        return False

    def _release(self, event: QMouseEvent) -> bool:
        if self._edges is None or event.button() != Qt.MouseButton.LeftButton:
            return False
        self.extents = self._extents_for(event.position())
        self._edges = None
        self.ghost.hide()
        if any(self.extents):
            self.expand_requested.emit(self.extents)
        event.accept()
        return True

    def _hover_cursor(self, event: QMouseEvent) -> None:
        edges = self.edges_at(event.position()) if event.modifiers() & MODIFIER else None
        viewport = self.canvas.viewport()
        if edges and any(edges):
            left, top, right, bottom = edges
            if (left and top) or (right and bottom):
                shape = Qt.CursorShape.SizeFDiagCursor
            elif (left and bottom) or (right and top):
                shape = Qt.CursorShape.SizeBDiagCursor
            elif left or right:
                shape = Qt.CursorShape.SizeHorCursor
            else:
                shape = Qt.CursorShape.SizeVerCursor
            viewport.setCursor(shape)
            self._cursor_set = True
        elif self._cursor_set:
            viewport.setCursor(Qt.CursorShape.CrossCursor)
            self._cursor_set = False
