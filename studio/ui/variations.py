"""The variations strip: thumbnails of results. Click previews, Enter/double-click applies."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QKeyEvent, QPixmap
from PySide6.QtWidgets import QListView, QListWidget, QListWidgetItem, QMenu, QWidget

from studio.core.metadata import format_infotext
from studio.core.params import GenerationParams
from studio.ui.qtimage import to_qimage

THUMB = 112
KEY_ROLE = Qt.ItemDataRole.UserRole


@dataclass(frozen=True, eq=False)
class Variation:
    key: int
    image: np.ndarray
    params: GenerationParams
    job_id: int


class VariationsStrip(QListWidget):
    preview_requested = Signal(object)  # Variation
    apply_requested = Signal(object)  # Variation
    save_requested = Signal(object)  # Variation
    reuse_requested = Signal(object)  # Variation
    deleted = Signal(object)  # Variation

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._keys = itertools.count(1)
        self._variations: dict[int, Variation] = {}
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
        variation = Variation(next(self._keys), image, params, job_id)
        self._variations[variation.key] = variation
        thumb = QPixmap.fromImage(to_qimage(image)).scaled(
            THUMB,
            THUMB,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
        item = QListWidgetItem(QIcon(thumb), f"seed {params.seed}")
        item.setData(KEY_ROLE, variation.key)
        item.setToolTip(format_infotext(params).replace("\n", "<br>"))
        item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.addItem(item)
        self.scrollToItem(item)
        return variation

    def variations(self) -> list[Variation]:
        return [self._variations[self.item(i).data(KEY_ROLE)] for i in range(self.count())]

    def variation(self, item: QListWidgetItem | None) -> Variation | None:
        if item is None:
            return None
        return self._variations.get(item.data(KEY_ROLE))

    def selected(self) -> Variation | None:
        return self.variation(self.currentItem())

    def remove(self, variation: Variation) -> None:
        for i in range(self.count()):
            if self.item(i).data(KEY_ROLE) == variation.key:
                self.takeItem(i)
                break
        self._variations.pop(variation.key, None)
        self.deleted.emit(variation)

    def _emit(self, signal: Signal, item: QListWidgetItem | None) -> None:
        variation = self.variation(item)
        if variation is not None:
            signal.emit(variation)

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
        menu.addAction("Reuse parameters", lambda: self.reuse_requested.emit(variation))
        menu.addAction("Save as…", lambda: self.save_requested.emit(variation))
        menu.addSeparator()
        menu.addAction("Delete", lambda: self.remove(variation))
        menu.popup(self.viewport().mapToGlobal(pos))
