"""The History dock: every result of every session, kept on disk (studio.core.history), by day,
searchable by prompt, with star, Reuse parameters, Open as layer (a new layer above the active
one, undoable: nothing on the canvas is replaced) and Open as document; the same actions in the
list's context menu.

Each result the worker sends is written to the history folder as it arrives (the user data
folder, or a folder chosen here, as A1111 keeps outputs/); over the size cap the oldest
unstarred images are deleted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QPoint, QSettings, QSize, Qt, Slot
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QMenu,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio.core.document.results import open_as_layer_edit
from studio.core.errors import UserError
from studio.core.history import DEFAULT_CAP_BYTES, History, HistoryEntry, default_history_dir
from studio.core.params import GenerationParams
from studio.jobs.controller import JobController
from studio.ui.canvas.view import CanvasView
from studio.ui.generate.prompt_panel import PromptPanel
from studio.ui.state.document_model import DocumentModel
from studio.ui.state.presenter import Presenter
from studio.ui.variations.result_preview import ResultPreview

log = logging.getLogger(__name__)
ENTRY_ROLE = Qt.ItemDataRole.UserRole
ICON = 48
MAX_LISTED = 500  # newest entries listed (search reaches every entry)


class HistoryPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search prompts…")
        self.search.setClearButtonEnabled(True)
        self.starred_only = QCheckBox("Starred")
        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        self.tree.setIconSize(QSize(ICON, ICON))
        self.tree.setSelectionMode(QTreeWidget.SelectionMode.SingleSelection)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.star = QPushButton("Star")
        self.reuse = QPushButton("Reuse parameters")
        self.to_layer = QPushButton("Open as layer")
        self.to_layer.setToolTip("Add the image as a new layer above the active one (undoable)")
        self.open_doc = QPushButton("Open as document")
        self.folder = QPushButton("Folder…")
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.starred_only)
        buttons = QHBoxLayout()
        for button in (self.star, self.reuse, self.to_layer, self.open_doc, self.folder):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.tree, 1)
        layout.addLayout(buttons)

    def listed(self) -> list[str]:
        """The listed entries' files, top to bottom (days newest first)."""
        files = []
        for day in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(day)
            for row in range(group.childCount()):
                files.append(group.child(row).data(0, ENTRY_ROLE))
        return files


class HistoryPresenter(Presenter):
    """The History dock's list and actions (the shell docks it beside the queue)."""

    def __init__(
        self,
        controller: JobController,
        model: DocumentModel,
        canvas: CanvasView,
        prompt_panel: PromptPanel,
        results: ResultPreview,
        open_path: Callable[[Path], object],
        settings: QSettings | None,
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.model, self.canvas, self.prompt_panel = model, canvas, prompt_panel
        self.results, self.open_path, self.settings = results, open_path, settings
        self.parent_widget = parent
        self.history = History(self._directory(), self._cap())
        self.panel = HistoryPanel()
        self.dock = QDockWidget("History", parent)
        self.dock.setObjectName("historyDock")
        self.dock.setWidget(self.panel)
        controller.result.connect(self.record)
        self.panel.search.textChanged.connect(lambda _t: self.refresh())
        self.panel.starred_only.toggled.connect(lambda _c: self.refresh())
        self.panel.star.clicked.connect(self.toggle_star)
        self.panel.reuse.clicked.connect(self.reuse)
        self.panel.to_layer.clicked.connect(self.open_as_layer)
        self.panel.open_doc.clicked.connect(self.open_document)
        self.panel.folder.clicked.connect(self.choose_folder)
        self.panel.tree.itemDoubleClicked.connect(lambda *_: self.open_as_layer())
        self.panel.tree.customContextMenuRequested.connect(self._context_menu)
        self.refresh()

    def _setting(self, key: str, default: Any) -> Any:
        settings = self.settings
        return default if settings is None else settings.value(f"history/{key}", default)

    def _directory(self) -> Path:
        return Path(str(self._setting("dir", "") or default_history_dir()))

    def _cap(self) -> int:
        try:
            return int(float(self._setting("cap_mb", DEFAULT_CAP_BYTES // 2**20)) * 2**20)
        except (TypeError, ValueError):
            return DEFAULT_CAP_BYTES

    # --- recording ------------------------------------------------------------------------
    @Slot(int, object, object)
    def record(self, _job_id: int, image: np.ndarray, params: GenerationParams) -> None:
        self.keep(image, params)

    def keep(self, image: np.ndarray, params: GenerationParams) -> None:
        """Add one finished image (a local job's or the render farm's) and list it."""
        try:
            self.history.add(image, params)
        except OSError as exc:  # a full or read-only disk must not stop generating
            log.warning("could not keep a result in the history: %s", exc)
            self.message.emit(f"history: could not save ({exc})", 6000)
            return
        self.refresh()

    # --- listing --------------------------------------------------------------------------
    def refresh(self) -> None:
        tree = self.panel.tree
        selected = self.current()
        tree.clear()
        entries = self.history.search(
            self.panel.search.text(), self.panel.starred_only.isChecked()
        )[:MAX_LISTED]
        for day, items in self.history.by_day(entries).items():
            group = QTreeWidgetItem([f"{day} · {len(items)}"])
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            tree.addTopLevelItem(group)
            for entry in items:
                star = "★ " if entry.starred else ""
                child = "↳ " if entry.params.extra.get("parent") else ""
                item = QTreeWidgetItem(
                    [f"{star}{child}seed {entry.params.seed} · {entry.params.prompt}"]
                )
                item.setData(0, ENTRY_ROLE, entry.file)
                item.setToolTip(0, entry.params.prompt)
                pixmap = QPixmap(str(self.history.path(entry)))
                if not pixmap.isNull():
                    item.setIcon(
                        0, QIcon(pixmap.scaled(ICON, ICON, Qt.AspectRatioMode.KeepAspectRatio))
                    )
                group.addChild(item)
                if selected is not None and entry.file == selected.file:
                    tree.setCurrentItem(item)
            group.setExpanded(True)

    def current(self) -> HistoryEntry | None:
        item = self.panel.tree.currentItem()
        file = item.data(0, ENTRY_ROLE) if item is not None else None
        return self.history.get(file) if file else None

    def select(self, file: str) -> None:
        for day in range(self.panel.tree.topLevelItemCount()):
            group = self.panel.tree.topLevelItem(day)
            for row in range(group.childCount()):
                if group.child(row).data(0, ENTRY_ROLE) == file:
                    self.panel.tree.setCurrentItem(group.child(row))

    # --- actions --------------------------------------------------------------------------
    def _need(self) -> HistoryEntry | None:
        entry = self.current()
        if entry is None:
            self.message.emit("select an image in the history first", 3000)
        return entry

    def toggle_star(self) -> None:
        entry = self._need()
        if entry is not None:
            self.history.set_starred(entry, not entry.starred)
            self.refresh()

    def reuse(self) -> None:
        entry = self._need()
        if entry is not None:
            self.prompt_panel.set_params(entry.params)
            self.message.emit(f"parameters of seed {entry.params.seed} filled in", 3000)

    def open_as_layer(self) -> None:
        """A new layer above the active one, named after its prompt and seed (one undo step)."""
        entry = self._need()
        if entry is None:
            return
        try:
            image = self.history.read(entry)
        except UserError as exc:  # deleted or damaged since it was listed
            self.error.emit(f"history: {exc}")
            return
        label = f"Open seed {entry.params.seed} as layer"
        edit = open_as_layer_edit(
            self.model.document, image, entry.params, label, self.canvas.view_centre()
        )
        self.results.dismiss()  # the new layer, not a preview, is what shows
        self.model.push(edit)
        self.message.emit(f"seed {entry.params.seed} opened as a layer", 3000)

    def context_menu(self) -> QMenu:
        """The list's context menu (for the selected image)."""
        menu = QMenu(self.panel.tree)
        entry = self.current()
        for text, slot in (
            ("Open as layer", self.open_as_layer),
            ("Open as document", self.open_document),
            ("Reuse parameters", self.reuse),
            ("Unstar" if entry is not None and entry.starred else "Star", self.toggle_star),
        ):
            action = menu.addAction(text)
            action.setEnabled(entry is not None)
            action.triggered.connect(lambda _c=False, s=slot: s())
        return menu

    def _context_menu(self, pos: QPoint) -> None:
        item = self.panel.tree.itemAt(pos)
        if item is not None and item.data(0, ENTRY_ROLE):
            self.panel.tree.setCurrentItem(item)
        self.context_menu().exec(self.panel.tree.viewport().mapToGlobal(pos))

    def open_document(self) -> None:
        entry = self._need()
        if entry is not None:
            self.open_path(self.history.path(entry))

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self.parent_widget, "History folder", str(self.history.directory)
        )
        if folder:
            self.set_folder(Path(folder))

    def set_folder(self, folder: Path) -> None:
        if self.settings is not None:
            self.settings.setValue("history/dir", str(folder))
        self.history = History(folder, self._cap())
        self.refresh()
