"""Settings ▸ Models: every model by kind, the folders searched, and recommended downloads."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio.core.models.classify import KIND_LABELS
from studio.core.models.hub_id import HubRef
from studio.core.models.recommended import RECOMMENDED
from studio.core.models.scan import ModelEntry, by_kind
from studio.core.sizes import human_size
from studio.ui.models.by_id import ByIdForm
from studio.ui.models.download_row import DownloadRow, download_key

__all__ = ["ModelsDialog", "download_key"]

FIRST_RUN_TEXT = (
    "<h3>No Stable Diffusion model found yet</h3>"
    "<p>Studio paints with a Stable Diffusion checkpoint. Download one below (it goes into the "
    "shared Hugging Face cache, so other apps can use it too), type any model's Hugging Face "
    "id, or point Studio at a folder or an "
    "existing AUTOMATIC1111 / Forge / ComfyUI install on the <b>Installed</b> tab.</p>"
    "<p>On a CPU start with <b>SD-Turbo</b> (pictures in 1–4 steps). Until a model is there, "
    "the built-in <i>tiny</i> model paints noise so you can try the tools.</p>"
)


class ModelsDialog(QDialog):
    """The model manager. The presenter fills it and acts on its requests."""

    rescan_requested = Signal()
    hashes_requested = Signal()
    folder_added = Signal(str)
    folder_removed = Signal(str)
    download_requested = Signal(object)  # Recommended | HubRef
    cancel_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Models")
        self.setObjectName("ModelsDialog")
        self.resize(900, 620)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._installed_tab(), "Installed")
        self.tabs.addTab(self._downloads_tab(), "Get models")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)

    # --- installed ---------------------------------------------------------------------
    def _installed_tab(self) -> QWidget:
        page = QWidget()
        self.tree = QTreeWidget()
        self.tree.setColumnCount(5)
        self.tree.setHeaderLabels(["Name", "Family", "Size", "Hash", "Location"])
        self.tree.setRootIsDecorated(True)
        self.tree.setAlternatingRowColors(True)
        self.summary = QLabel("Scanning…")
        self.folders = QListWidget()
        self.folders.setMaximumHeight(90)
        add = QPushButton("Add folder…")
        add.setToolTip("A folder of models, or an AUTOMATIC1111 / Forge / ComfyUI install")
        add.clicked.connect(lambda: self._pick_folder("Add a model folder"))
        add_root = QPushButton("Add A1111 / ComfyUI install…")
        add_root.clicked.connect(lambda: self._pick_folder("Pick the install's root folder"))
        remove = QPushButton("Remove folder")
        remove.clicked.connect(self._remove_folder)
        rescan = QPushButton("Rescan")
        rescan.clicked.connect(self.rescan_requested)
        hashes = QPushButton("Compute hashes")
        hashes.setToolTip("A1111 model/LoRA hashes (reads each file once; then cached)")
        hashes.clicked.connect(self.hashes_requested)
        row = QHBoxLayout()
        for button in (add, add_root, remove):
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(hashes)
        row.addWidget(rescan)
        layout = QVBoxLayout(page)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree, 1)
        layout.addWidget(QLabel("Folders searched (and the Hugging Face cache):"))
        layout.addWidget(self.folders)
        layout.addLayout(row)
        return page

    def _pick_folder(self, title: str) -> None:
        folder = QFileDialog.getExistingDirectory(self, title, str(Path.home()))
        if folder:
            self.folder_added.emit(folder)

    def _remove_folder(self) -> None:
        item = self.folders.currentItem()
        if item is not None:
            self.folder_removed.emit(item.text())

    def set_folders(self, folders: list[Path]) -> None:
        self.folders.clear()
        self.folders.addItems([str(f) for f in folders])

    def set_entries(self, entries: list[ModelEntry]) -> None:
        self.tree.clear()
        grouped = by_kind(entries)
        for kind, group in grouped.items():
            if not group:
                continue
            parent = QTreeWidgetItem([f"{KIND_LABELS[kind]} ({len(group)})"])
            parent.setFirstColumnSpanned(True)
            self.tree.addTopLevelItem(parent)
            for entry in group:
                row = QTreeWidgetItem(
                    [
                        entry.name,
                        entry.family_label,
                        human_size(entry.size),
                        entry.short_hash or "–",
                        str(entry.path),
                    ]
                )
                row.setToolTip(4, f"{entry.path}\nfrom {entry.root}")
                parent.addChild(row)
            parent.setExpanded(True)
        for column in range(4):
            self.tree.resizeColumnToContents(column)
        real = sum(len(grouped[k]) for k in ("checkpoint", "inpaint"))
        self.summary.setText(
            f"{len(entries)} model file(s), {real} of them checkpoints."
            if entries
            else "No models found in the folders below or the Hugging Face cache."
        )

    # --- downloads ---------------------------------------------------------------------
    def _downloads_tab(self) -> QWidget:
        page = QWidget()
        self.downloads_scroll = scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(page)
        self.first_run = QLabel(FIRST_RUN_TEXT)
        self.first_run.setWordWrap(True)
        self.first_run.setContentsMargins(4, 0, 4, 4)
        self.first_run.setVisible(False)
        self.by_id = ByIdForm()
        self.by_id.requested.connect(self.download_by_id)
        self.typed = QVBoxLayout()  # the rows of models asked for by id, newest first
        self.typed.setContentsMargins(0, 0, 0, 0)
        self.rows: dict[str, DownloadRow] = {}
        layout = QVBoxLayout(page)
        layout.addWidget(self.first_run)
        layout.addWidget(self.by_id)
        layout.addLayout(self.typed)
        recommended = QLabel(
            "<b>Recommended</b> (all downloads go into the shared Hugging Face cache)"
        )
        recommended.setContentsMargins(4, 8, 4, 0)  # lined up with the rows' text
        layout.addWidget(recommended)
        for item in RECOMMENDED:
            layout.addWidget(self._add_row(item))
        layout.addStretch(1)
        return scroll

    def _add_row(self, item) -> DownloadRow:
        row = DownloadRow(item)
        row.download_requested.connect(self.download_requested)
        row.cancel_requested.connect(self.cancel_requested)
        self.rows[download_key(item)] = row
        return row

    def download_by_id(self, ref: HubRef) -> None:
        """Queue a typed id: in its own row, or the existing row for that same file."""
        row = self.rows.get(download_key(ref))
        if row is None:
            row = self._add_row(ref)
            self.typed.insertWidget(0, row)
        if not row.running:
            self.download_requested.emit(row.item)
        self.downloads_scroll.ensureWidgetVisible(row)

    def show_first_run(self) -> None:
        self.first_run.setVisible(True)
        self.tabs.setCurrentIndex(1)

    def is_first_run_page(self) -> bool:
        return self.isVisible() and self.tabs.currentIndex() == 1 and self.first_run.isVisible()
