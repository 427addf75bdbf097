"""View ▸ Variations grid: every result of the session at a chosen thumbnail size, with star,
compare with canvas, reuse parameters, apply and delete. A view of the ResultsModel."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QPoint, QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListView,
    QMenu,
    QPushButton,
    QSlider,
    QStackedLayout,
    QVBoxLayout,
    QWidget,
)

from studio.core.session import Result
from studio.ui.variations.session_model import RESULT_ROLE, ResultsModel
from studio.ui.variations.thumbs import ThumbDelegate

MIN_THUMB, MAX_THUMB, DEFAULT_THUMB = 64, 384, 176
EMPTY_TEXT = (
    "No results yet.\nSet Count in the prompt panel to render several seeds at once;\n"
    "every result of this session appears here."
)


GRID_KEYS = {
    Qt.Key.Key_S: "star",
    Qt.Key.Key_Delete: "delete",
    Qt.Key.Key_Backspace: "delete",
    Qt.Key.Key_Return: "apply",
    Qt.Key.Key_Enter: "apply",
    Qt.Key.Key_C: "compare",
}


class GridView(QListView):
    """The thumbnail list; keys: S star, Del delete, Enter apply, C compare. These keys win
    over the main window's shortcuts (Del = Clear mask) while the grid has the focus."""

    key_action = Signal(str)

    def _grid_key(self, event: QKeyEvent) -> str | None:
        plain = not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if not plain or not self.currentIndex().isValid():
            return None
        return GRID_KEYS.get(Qt.Key(event.key()))

    def event(self, event: QEvent) -> bool:
        override = event.type() == QEvent.Type.ShortcutOverride
        if override and isinstance(event, QKeyEvent) and self._grid_key(event) is not None:
            event.accept()  # deliver it as a key press here, not as a window shortcut
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        name = self._grid_key(event)
        if name is not None:
            self.key_action.emit(name)
            event.accept()
        else:
            super().keyPressEvent(event)


class VariationsGrid(QWidget):
    apply_requested = Signal(object)  # Result
    reuse_requested = Signal(object)  # Result
    compare_requested = Signal(object)  # Result
    save_requested = Signal(object)  # Result
    export_requested = Signal()

    def __init__(self, model: ResultsModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("variationsGrid")
        self.model = model
        self.view = GridView()
        self.view.setObjectName("variationsGridView")
        self.view.setModel(model)
        self.delegate = ThumbDelegate(self.view)
        self.view.setItemDelegate(self.delegate)
        self.view.setViewMode(QListView.ViewMode.IconMode)
        self.view.setFlow(QListView.Flow.LeftToRight)
        self.view.setWrapping(True)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.view.setMovement(QListView.Movement.Static)
        self.view.setUniformItemSizes(True)
        self.view.setSpacing(2)
        self.view.setMouseTracking(True)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)

        self.size_slider = QSlider(Qt.Orientation.Horizontal)
        self.size_slider.setObjectName("thumbSize")
        self.size_slider.setRange(MIN_THUMB, MAX_THUMB)
        self.size_slider.setSingleStep(16)
        self.size_slider.setPageStep(64)
        self.size_slider.setFixedWidth(160)
        self.size_slider.setToolTip("Thumbnail size")
        self.size_label = QLabel()
        self.size_label.setMinimumWidth(48)
        self.summary = QLabel()
        self.summary.setObjectName("gridSummary")
        self.star_button = self._button("★ Star", "Star or unstar the selected results (S)")
        self.compare_button = self._button("Compare", "Show the result beside the canvas (C)")
        self.reuse_button = self._button("Reuse", "Put the result's parameters in the panel")
        self.apply_button = self._button("Apply", "Put the result on the canvas (Enter)")
        self.delete_button = self._button("Delete", "Remove the selected results (Del)")
        self.export_button = self._button("Export…", "Export starred or all results")
        self.empty = QLabel(EMPTY_TEXT)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setEnabled(False)
        self._layout()

        self.size_slider.valueChanged.connect(self.set_thumb_size)
        self.view.key_action.connect(self._key_action)
        self.view.doubleClicked.connect(lambda i: self._emit(self.compare_requested, i))
        self.view.customContextMenuRequested.connect(self._menu)
        self.delegate.star_clicked.connect(self._star_clicked)
        self.star_button.clicked.connect(self.star_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.compare_button.clicked.connect(lambda: self._emit_current(self.compare_requested))
        self.reuse_button.clicked.connect(lambda: self._emit_current(self.reuse_requested))
        self.apply_button.clicked.connect(lambda: self._emit_current(self.apply_requested))
        self.export_button.clicked.connect(self.export_requested)
        for signal in (model.rowsInserted, model.rowsRemoved, model.dataChanged, model.modelReset):
            signal.connect(self._update_state)
        for signal in (model.rowsInserted, model.rowsRemoved, model.modelReset):
            signal.connect(self._fit_cells)
        self.view.selectionModel().selectionChanged.connect(self._update_state)
        self.size_slider.setValue(DEFAULT_THUMB)
        self.set_thumb_size(DEFAULT_THUMB)
        self._update_state()

    def _button(self, text: str, tip: str) -> QPushButton:
        button = QPushButton(text)
        button.setToolTip(tip)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay with the thumbnails
        return button

    def _layout(self) -> None:
        top = QHBoxLayout()
        top.setContentsMargins(6, 4, 6, 2)
        top.addWidget(QLabel("Size"))
        top.addWidget(self.size_slider)
        top.addWidget(self.size_label)
        top.addSpacing(12)
        top.addWidget(self.summary, 1)
        for button in (
            self.star_button,
            self.compare_button,
            self.reuse_button,
            self.apply_button,
            self.delete_button,
            self.export_button,
        ):
            top.addWidget(button)
        self.stack = QStackedLayout()
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.empty)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(top)
        layout.addLayout(self.stack, 1)

    # --- size ----------------------------------------------------------------------------
    def set_thumb_size(self, size: int) -> None:
        size = max(MIN_THUMB, min(MAX_THUMB, int(size)))
        if self.size_slider.value() != size:
            self.size_slider.setValue(size)  # comes back here once
            return
        box = self.thumb_box(size)
        self.view.setIconSize(box)
        caption = self.view.fontMetrics().height()
        self.view.setGridSize(QSize(box.width() + 14, box.height() + caption + 18))
        self.size_label.setText(f"{size} px")

    def thumb_box(self, size: int) -> QSize:
        """The thumbnail box for a longest side of `size`: as wide and as tall as the results
        need (landscape results get landscape cells, so captions sit under the pictures)."""
        shapes = [r.image.shape[:2] for r in self.model.results()] or [(1, 1)]
        tallest = max(h / max(w, 1) for h, w in shapes)
        widest = max(w / max(h, 1) for h, w in shapes)
        return QSize(round(size * min(1.0, widest)), round(size * min(1.0, tallest)))

    def thumb_size(self) -> int:
        """The longest side of a thumbnail, in pixels (the slider's value)."""
        box = self.view.iconSize()
        return max(box.width(), box.height())

    def _fit_cells(self, *_args: object) -> None:
        box = self.thumb_box(self.size_slider.value())
        if box != self.view.iconSize():
            self.set_thumb_size(self.size_slider.value())

    # --- selection -----------------------------------------------------------------------
    def result(self, index: QModelIndex) -> Result | None:
        return index.data(RESULT_ROLE) if index.isValid() else None

    def current(self) -> Result | None:
        current = self.result(self.view.currentIndex())
        if current is not None:
            return current
        chosen = self.selected()
        return chosen[0] if chosen else None

    def selected(self) -> list[Result]:
        rows = sorted(i.row() for i in self.view.selectionModel().selectedIndexes())
        found = [self.model.result_at(row) for row in rows]
        return [r for r in found if r is not None]

    def select(self, result: Result, extend: bool = False) -> None:
        index = self.model.index_of(result)
        flags = (
            QItemSelectionModel.SelectionFlag.Select
            if extend
            else (QItemSelectionModel.SelectionFlag.ClearAndSelect)
        )
        self.view.selectionModel().setCurrentIndex(index, flags)

    # --- actions -------------------------------------------------------------------------
    def star_selected(self) -> None:
        chosen = self.selected() or ([self.current()] if self.current() else [])
        if chosen:
            self.model.star_all([r for r in chosen if r is not None])

    def delete_selected(self) -> None:
        for result in self.selected() or ([self.current()] if self.current() else []):
            if result is not None:
                self.model.remove(result)

    def _star_clicked(self, index: QModelIndex) -> None:
        result = self.result(index)
        if result is not None:
            self.model.toggle_star(result)

    def _key_action(self, name: str) -> None:
        if name == "star":
            self.star_selected()
        elif name == "delete":
            self.delete_selected()
        else:
            signal = self.apply_requested if name == "apply" else self.compare_requested
            self._emit_current(signal)

    def _emit(self, signal: Signal, index: QModelIndex) -> None:
        result = self.result(index)
        if result is not None:
            signal.emit(result)

    def _emit_current(self, signal: Signal) -> None:
        result = self.current()
        if result is not None:
            signal.emit(result)

    def _menu(self, pos: QPoint) -> None:
        result = self.result(self.view.indexAt(pos))
        if result is None:
            return
        if result not in self.selected():
            self.select(result)
        menu = QMenu(self)
        menu.addAction("Unstar" if result.starred else "Star", self.star_selected)
        menu.addAction("Compare with canvas", lambda: self.compare_requested.emit(result))
        menu.addAction("Apply to canvas", lambda: self.apply_requested.emit(result))
        menu.addAction("Reuse parameters", lambda: self.reuse_requested.emit(result))
        menu.addAction("Save as…", lambda: self.save_requested.emit(result))
        menu.addSeparator()
        menu.addAction("Delete", self.delete_selected)
        menu.popup(self.view.viewport().mapToGlobal(pos))

    def _update_state(self, *_args: object) -> None:
        total, starred = self.model.rowCount(), len(self.model.starred())
        chosen = len(self.selected())
        text = f"{total} result{'s' if total != 1 else ''} · {starred} starred"
        self.summary.setText(text + (f" · {chosen} selected" if chosen > 1 else ""))
        self.stack.setCurrentWidget(self.view if total else self.empty)
        has_current = self.current() is not None
        for button in (
            self.star_button,
            self.compare_button,
            self.reuse_button,
            self.apply_button,
            self.delete_button,
        ):
            button.setEnabled(has_current)
        self.export_button.setEnabled(total > 0)
