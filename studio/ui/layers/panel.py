"""The Layers dock: the stack top-first with thumbnails, visibility and names; opacity and
blend mode of the active layer; buttons for add, duplicate, delete, merge down, flatten;
and the sketching tools (paint brush, paint eraser, fill, colour, opacity).

A view only: it shows a Document and emits what the artist asked for; the presenter turns
requests into undoable edits (studio.ui.layers.presenter).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QColorDialog,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from studio.core.document import BLEND_MODES, Document, Layer

THUMB = 40
BLEND_LABELS = {mode: mode.capitalize() for mode in BLEND_MODES}


def layer_thumbnail(layer: Layer, side: int = THUMB) -> QPixmap:
    pixels = layer.pixels
    step = max(1, max(pixels.shape[:2]) // (side * 2))
    small = np.ascontiguousarray(pixels[::step, ::step])
    height, width = small.shape[:2]
    image = QImage(small.data, width, height, width * 4, QImage.Format.Format_RGBA8888).copy()
    scaled = image.scaled(
        side, side, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
    )
    canvas = QPixmap(side, side)
    canvas.fill(QColor(200, 200, 200))
    from PySide6.QtGui import QPainter

    painter = QPainter(canvas)
    for y in range(0, side, 8):
        for x in range(0, side, 8):
            if (x // 8 + y // 8) % 2:
                painter.fillRect(x, y, 8, 8, QColor(160, 160, 160))
    painter.drawImage((side - scaled.width()) // 2, (side - scaled.height()) // 2, scaled)
    painter.end()
    return canvas


class LayersList(QListWidget):
    """Top layer first; drag to reorder (emits the layer's new stack index, 0 = bottom)."""

    moved = Signal(int, int)  # stack index from, stack index to

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("layersList")
        self.setIconSize(QSize(THUMB, THUMB))
        self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.setUniformItemSizes(True)
        self.setMinimumHeight(2 * (THUMB + 6))

    def dropEvent(self, event) -> None:
        source_row = self.currentRow()
        super().dropEvent(event)
        target_row = self.currentRow()
        count = self.count()
        if source_row >= 0 and target_row >= 0 and source_row != target_row:
            self.moved.emit(count - 1 - source_row, count - 1 - target_row)


class LayersPanel(QWidget):
    active_requested = Signal(int)  # stack index
    visibility_requested = Signal(int, bool)
    rename_requested = Signal(int, str)
    opacity_requested = Signal(float)  # of the active layer
    blend_requested = Signal(str)
    move_requested = Signal(int, int)
    action_requested = Signal(str)  # add | duplicate | delete | merge_down | flatten
    tool_requested = Signal(str)  # paint | paint_eraser | fill
    color_changed = Signal(tuple)
    paint_opacity_changed = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("layersPanel")
        self._updating = False
        self.color = (32, 32, 32)

        self.list = LayersList()
        self.list.currentRowChanged.connect(self._row_changed)
        self.list.itemChanged.connect(self._item_changed)
        self.list.moved.connect(self.move_requested)

        self.opacity = QSlider(Qt.Orientation.Horizontal)
        self.opacity.setRange(0, 100)
        self.opacity.setToolTip("Opacity of the selected layer")
        self.opacity.sliderReleased.connect(
            lambda: self.opacity_requested.emit(self.opacity.value() / 100)
        )
        self.opacity_label = QLabel("100 %")
        self.opacity.valueChanged.connect(lambda v: self.opacity_label.setText(f"{v} %"))
        self.blend = QComboBox()
        self.blend.setToolTip("How the selected layer mixes with the layers below")
        for mode in BLEND_MODES:
            self.blend.addItem(BLEND_LABELS[mode], mode)
        self.blend.activated.connect(lambda _i: self.blend_requested.emit(self.blend.currentData()))

        props = QHBoxLayout()
        props.addWidget(self.blend)
        props.addWidget(self.opacity, 1)
        props.addWidget(self.opacity_label)

        buttons = QHBoxLayout()
        self.buttons = _named_buttons(
            buttons,
            (
                ("add", "New", "New empty layer above the selected one"),
                ("duplicate", "Copy", "Duplicate the selected layer"),
                ("delete", "Delete", "Delete the selected layer"),
                ("merge_down", "Merge", "Merge the selected layer into the one below"),
                ("flatten", "Flatten", "Flatten all layers into one"),
            ),
            self.action_requested.emit,
        )
        buttons.addStretch(1)

        sketch = QHBoxLayout()
        self.tools = _named_buttons(
            sketch,
            (
                ("paint", "Paint", "Paint on the selected layer (P); Alt+click picks a colour"),
                ("paint_eraser", "Erase", "Erase the selected layer (Shift+E)"),
                ("fill", "Fill", "Fill an area of the selected layer with the colour (F)"),
            ),
            self.tool_requested.emit,
            checkable=True,
        )
        self.color_button = QToolButton()
        self.color_button.setToolTip("Paint colour (Alt+click on the canvas picks one)")
        self.color_button.clicked.connect(self._choose_color)
        sketch.addWidget(self.color_button)
        self.paint_opacity = QSlider(Qt.Orientation.Horizontal)
        self.paint_opacity.setRange(1, 100)
        self.paint_opacity.setValue(100)
        self.paint_opacity.setToolTip("Paint opacity")
        self.paint_opacity.valueChanged.connect(lambda v: self.paint_opacity_changed.emit(v / 100))
        sketch.addWidget(self.paint_opacity, 1)
        self.show_color(self.color)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(sketch)
        layout.addLayout(props)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)

    # --- showing ------------------------------------------------------------------------------
    def show_document(self, doc: Document) -> None:
        self._updating = True
        try:
            self.list.clear()
            for index in reversed(range(len(doc.layers))):
                layer = doc.layers[index]
                item = QListWidgetItem(QIcon(layer_thumbnail(layer)), layer.name)
                item.setFlags(
                    Qt.ItemFlag.ItemIsSelectable
                    | Qt.ItemFlag.ItemIsEnabled
                    | Qt.ItemFlag.ItemIsEditable
                    | Qt.ItemFlag.ItemIsUserCheckable
                    | Qt.ItemFlag.ItemIsDragEnabled
                )
                item.setCheckState(
                    Qt.CheckState.Checked if layer.visible else Qt.CheckState.Unchecked
                )
                extra = [] if layer.blend == "normal" else [BLEND_LABELS[layer.blend]]
                if layer.opacity < 1:
                    extra.append(f"{round(layer.opacity * 100)} %")
                item.setToolTip(" · ".join([layer.name, *extra]))
                self.list.addItem(item)
            row = len(doc.layers) - 1 - doc.active
            self.list.setCurrentRow(row)
            active = doc.active_layer
            self.opacity.setValue(round(active.opacity * 100))
            self.blend.setCurrentIndex(BLEND_MODES.index(active.blend))
            self.buttons["merge_down"].setEnabled(doc.active > 0)
            self.buttons["delete"].setEnabled(len(doc.layers) > 1)
        finally:
            self._updating = False

    def refresh_thumbnails(self, doc: Document) -> None:
        for index, layer in enumerate(doc.layers):
            item = self.list.item(len(doc.layers) - 1 - index)
            if item is not None:
                item.setIcon(QIcon(layer_thumbnail(layer)))

    def show_tool(self, tool: str) -> None:
        for name, button in self.tools.items():
            button.setChecked(name == tool)

    def show_color(self, color: tuple[int, int, int]) -> None:
        self.color = tuple(int(c) for c in color[:3])  # type: ignore[assignment]
        swatch = QPixmap(18, 18)
        swatch.fill(QColor(*self.color))
        self.color_button.setIcon(QIcon(swatch))

    # --- requests -----------------------------------------------------------------------------
    def _row_changed(self, row: int) -> None:
        if not self._updating and row >= 0:
            self.active_requested.emit(self.list.count() - 1 - row)

    def _item_changed(self, item: QListWidgetItem) -> None:
        if self._updating:
            return
        # read everything first: handling the first request rebuilds the list (and the item)
        index = self.list.count() - 1 - self.list.row(item)
        visible, name = item.checkState() == Qt.CheckState.Checked, item.text()
        self.visibility_requested.emit(index, visible)
        self.rename_requested.emit(index, name)

    def _choose_color(self) -> None:
        chosen = QColorDialog.getColor(QColor(*self.color), self, "Paint colour")
        if chosen.isValid():
            self.show_color((chosen.red(), chosen.green(), chosen.blue()))
            self.color_changed.emit(self.color)


def _named_buttons(
    row: QHBoxLayout,
    entries: tuple[tuple[str, str, str], ...],
    emit: Callable[[str], object],
    checkable: bool = False,
) -> dict[str, QToolButton]:
    """A tool button per (name, text, tip), added to row; a click emits its name."""
    made: dict[str, QToolButton] = {}
    for name, text, tip in entries:
        button = QToolButton()
        button.setText(text)
        button.setToolTip(tip)
        button.setCheckable(checkable)
        button.clicked.connect(lambda _c=False, n=name: emit(n))
        row.addWidget(button)
        made[name] = button
    return made
