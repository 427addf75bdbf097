"""The variations strip: thumbnails of results. Click previews, Enter/double-click applies."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QListView, QListWidget, QListWidgetItem, QMenu, QWidget

from studio.core.family import id_of, parent_of
from studio.core.metadata import format_infotext
from studio.core.params import GenerationParams
from studio.core.session import Result
from studio.ui.variations.session_model import STAR_ROLE, ResultsModel, thumbnail_pixmap
from studio.ui.variations.thumbs import ThumbDelegate

THUMB = 112
KEY_ROLE = Qt.ItemDataRole.UserRole


# One result of the session (studio.core.session): image, exact params, job id, star.
Variation = Result


class VariationsStrip(QListWidget):
    """A view of the session's results (ResultsModel): it follows the model's signals."""

    preview_requested = Signal(object)  # Variation
    apply_requested = Signal(object)  # Variation
    save_requested = Signal(object)  # Variation
    reuse_requested = Signal(object)  # Variation
    deleted = Signal(object)  # Variation
    compare_requested = Signal(object)  # Variation
    vary_requested = Signal(
        object, str
    )  # Variation, "subtle" | "strong" (studio.ui.variations.vary)

    def __init__(self, parent: QWidget | None = None, session: ResultsModel | None = None) -> None:
        super().__init__(parent)
        self.session = session if session is not None else ResultsModel(self)
        self._variations: dict[int, Variation] = {}
        self.delegate = ThumbDelegate(self)
        self.setItemDelegate(self.delegate)
        self.setMouseTracking(True)  # the star toggle lights up under the mouse
        self.delegate.star_clicked.connect(self._star_clicked)
        self.session.result_added.connect(self._insert)
        self.session.result_removed.connect(self._drop)
        self.session.result_changed.connect(self._restyle)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(False)
        self.setMovement(QListView.Movement.Static)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setIconSize(QSize(THUMB, THUMB))
        self.setGridSize(QSize(THUMB + 16, THUMB + 26))
        self.setUniformItemSizes(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumHeight(THUMB + 44)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._menu)
        self.itemClicked.connect(lambda item: self._emit(self.preview_requested, item))
        self.itemDoubleClicked.connect(lambda item: self._emit(self.apply_requested, item))
        self.currentItemChanged.connect(lambda item, _old: self._emit(self.preview_requested, item))

    def add(self, image: np.ndarray, params: GenerationParams, job_id: int) -> Variation:
        """Add a result to the session (the strip shows it through result_added)."""
        return self.session.add(image, params, job_id)

    def _insert(self, variation: Variation) -> None:
        self._variations[variation.key] = variation
        child = parent_of(variation.params) is not None
        item = QListWidgetItem(f"{'↳ ' if child else ''}seed {variation.params.seed}")
        item.setData(Qt.ItemDataRole.DecorationRole, thumbnail_pixmap(variation.image, THUMB))
        item.setData(KEY_ROLE, variation.key)
        item.setData(STAR_ROLE, variation.starred)
        item.setToolTip(format_infotext(variation.params).replace("\n", "<br>"))
        item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.insertItem(self._family_row(variation), item)
        self.scrollToItem(item)

    def _family_row(self, variation: Variation) -> int:
        """Where a result goes: after its parent and the parent's other children (so a
        family sits together), else at the end."""
        parent = parent_of(variation.params)
        rows = [self.variation(self.item(i)) for i in range(self.count())]
        family = {parent} if parent else set()
        last = -1
        for row, other in enumerate(rows):
            if other is None or not family:
                continue
            if id_of(other.params) in family or parent_of(other.params) in family:
                family.add(id_of(other.params))
                last = row
        return last + 1 if last >= 0 else self.count()

    def item_of(self, variation: Variation) -> QListWidgetItem | None:
        for i in range(self.count()):
            if self.item(i).data(KEY_ROLE) == variation.key:
                return self.item(i)
        return None

    def _restyle(self, variation: Variation) -> None:
        item = self.item_of(variation)
        if item is not None:
            item.setData(STAR_ROLE, variation.starred)

    def _star_clicked(self, index: QModelIndex) -> None:
        variation = self.variation(self.item(index.row()))
        if variation is not None:
            self.session.toggle_star(variation)

    def variations(self) -> list[Variation]:
        return [self._variations[self.item(i).data(KEY_ROLE)] for i in range(self.count())]

    def variation(self, item: QListWidgetItem | None) -> Variation | None:
        if item is None:
            return None
        return self._variations.get(item.data(KEY_ROLE))

    def selected(self) -> Variation | None:
        return self.variation(self.currentItem())

    def remove(self, variation: Variation) -> None:
        """Delete from the session: the strip, the grid and exports all lose it."""
        self.session.remove(variation)

    def _drop(self, variation: Variation) -> None:
        item = self.item_of(variation)
        if item is not None:
            self.takeItem(self.row(item))
        self._variations.pop(variation.key, None)
        self.deleted.emit(variation)

    def _emit(self, signal: Signal, item: QListWidgetItem | None) -> None:
        variation = self.variation(item)
        if variation is not None:
            signal.emit(variation)

    def event(self, event: QEvent) -> bool:
        # Del/Backspace delete the selected variation here, not Image ▸ Clear mask (Del).
        keys = (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.key() in keys
            and not event.modifiers()
            and self.selected() is not None
        ):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        variation = self.selected()
        if variation is not None and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.apply_requested.emit(variation)
            event.accept()
        elif variation is not None and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.remove(variation)
            event.accept()
        else:
            super().keyPressEvent(event)

    def _menu(self, pos) -> None:
        variation = self.variation(self.itemAt(pos))
        if variation is None:
            return
        menu = QMenu(self)
        menu.addAction("Apply to canvas", lambda: self.apply_requested.emit(variation))
        star = "Unstar" if variation.starred else "Star"
        menu.addAction(star, lambda: self.session.toggle_star(variation))
        menu.addAction("Compare with canvas", lambda: self.compare_requested.emit(variation))
        menu.addAction("Vary (Subtle)", lambda: self.vary_requested.emit(variation, "subtle"))
        menu.addAction("Vary (Strong)", lambda: self.vary_requested.emit(variation, "strong"))
        menu.addAction("Reuse parameters", lambda: self.reuse_requested.emit(variation))
        menu.addAction("Save as…", lambda: self.save_requested.emit(variation))
        menu.addSeparator()
        menu.addAction("Delete", lambda: self.remove(variation))
        menu.popup(self.viewport().mapToGlobal(pos))
