"""The session's results as a Qt list model (GUI thread). The variations grid shows it directly;
the strip follows its result_added / result_removed / result_changed signals."""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QPixmap

from studio.core.metadata import format_infotext
from studio.core.params import GenerationParams
from studio.core.session import Result, Session
from studio.ui.canvas.qtimage import to_qimage

# The cached thumbnail fits this box; views draw it smaller (or, for tiny images, larger).
MAX_THUMB = 384
STAR_ROLE = Qt.ItemDataRole.UserRole + 1
RESULT_ROLE = Qt.ItemDataRole.UserRole + 2

_Index = QModelIndex | QPersistentModelIndex


def thumbnail_pixmap(image: np.ndarray, size: int = MAX_THUMB) -> QPixmap:
    """A smooth thumbnail that fits size x size (small images are not blown up)."""
    pixmap = QPixmap.fromImage(to_qimage(image))
    if pixmap.width() <= size and pixmap.height() <= size:
        return pixmap
    return pixmap.scaled(
        size,
        size,
        Qt.AspectRatioMode.KeepAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    )


class ResultsModel(QAbstractListModel):
    """Rows = the session's results in arrival order."""

    result_added = Signal(object)  # Result
    result_removed = Signal(object)  # Result
    result_changed = Signal(object)  # Result (its star)

    def __init__(self, parent: Any = None, session: Session | None = None) -> None:
        super().__init__(parent)
        self.session = session or Session()
        self._thumbs: dict[int, QPixmap] = {}

    # --- Qt model API ----------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self.session)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.session):
            return None
        result = self.session.at(index.row())
        if role == Qt.ItemDataRole.DisplayRole:
            return result.caption
        if role == Qt.ItemDataRole.DecorationRole:
            return self.thumbnail(result)
        if role == Qt.ItemDataRole.ToolTipRole:
            return format_infotext(result.params).replace("\n", "<br>")
        if role == STAR_ROLE:
            return result.starred
        if role == RESULT_ROLE:
            return result
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    # --- results -------------------------------------------------------------------------
    def add(self, image: np.ndarray, params: GenerationParams, job_id: int = 0) -> Result:
        row = len(self.session)
        self.beginInsertRows(QModelIndex(), row, row)
        result = self.session.add(image, params, job_id)
        self.endInsertRows()
        self.result_added.emit(result)
        return result

    def remove(self, result: Result) -> bool:
        row = self.session.index_of(result.id)
        if row < 0:
            return False
        self.beginRemoveRows(QModelIndex(), row, row)
        self.session.remove(result.id)
        self._thumbs.pop(result.id, None)
        self.endRemoveRows()
        self.result_removed.emit(result)
        return True

    def set_starred(self, result: Result, starred: bool) -> None:
        if self.session.set_starred(result.id, starred):
            index = self.index(self.session.index_of(result.id))
            self.dataChanged.emit(index, index, [STAR_ROLE])
            self.result_changed.emit(result)

    def toggle_star(self, result: Result) -> bool:
        self.set_starred(result, not result.starred)
        return result.starred

    def star_all(self, results: list[Result]) -> bool:
        """Star them all, or unstar them all when every one is starred already; the new state."""
        starred = not all(r.starred for r in results)
        for result in results:
            self.set_starred(result, starred)
        return starred

    def result_at(self, row: int) -> Result | None:
        return self.session.at(row) if 0 <= row < len(self.session) else None

    def index_of(self, result: Result) -> QModelIndex:
        row = self.session.index_of(result.id)
        return self.index(row) if row >= 0 else QModelIndex()

    def results(self) -> list[Result]:
        return self.session.results()

    def starred(self) -> list[Result]:
        return self.session.starred()

    def thumbnail(self, result: Result) -> QPixmap:
        pixmap = self._thumbs.get(result.id)
        if pixmap is None:
            pixmap = self._thumbs[result.id] = thumbnail_pixmap(result.image)
        return pixmap
