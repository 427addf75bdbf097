"""Settings ▸ Models: every model by kind, the folders searched, and recommended downloads."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio.core.models.classify import KIND_LABELS
from studio.core.models.recommended import RECOMMENDED, Recommended
from studio.core.models.scan import ModelEntry, by_kind
from studio.core.sizes import human_size

FIRST_RUN_TEXT = (
    "<h3>No Stable Diffusion model found yet</h3>"
    "<p>Studio paints with a Stable Diffusion checkpoint. Download one below (it goes into the "
    "shared Hugging Face cache, so other apps can use it too), or point Studio at a folder or an "
    "existing AUTOMATIC1111 / Forge / ComfyUI install on the <b>Installed</b> tab.</p>"
    "<p>On a CPU start with <b>SD-Turbo</b> (pictures in 1–4 steps). Until a model is there, "
    "the built-in <i>tiny</i> model paints noise so you can try the tools.</p>"
)


class DownloadRow(QWidget):
    """One recommended model: what it is, size, licence, Download/Cancel, progress."""

    download_requested = Signal(object)  # Recommended
    cancel_requested = Signal(object)

    def __init__(self, item: Recommended) -> None:
        super().__init__()
        self.item = item
        title = QLabel(f"<b>{item.title}</b> — {item.why}")
        title.setWordWrap(True)
        facts = QLabel(f"{item.size} · {item.licence} · <code>{item.repo_id}</code>")
        facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.button = QPushButton("Download")
        self.button.clicked.connect(self._clicked)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setVisible(False)
        self.status = QLabel("")
        self.status.setVisible(False)
        layout = QGridLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(title, 0, 0)
        layout.addWidget(self.button, 0, 1, 2, 1, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(facts, 1, 0)
        layout.addWidget(self.bar, 2, 0)
        layout.addWidget(self.status, 3, 0, 1, 2)
        layout.setColumnStretch(0, 1)
        self.running = False

    def _clicked(self) -> None:
        if self.running:
            self.cancel_requested.emit(self.item)
        else:
            self.download_requested.emit(self.item)

    def set_queued(self) -> None:
        self.running = True
        self.button.setText("Cancel")
        self.bar.setVisible(True)
        self.bar.setValue(0)
        self.status.setText("waiting…")
        self.status.setVisible(True)

    def set_progress(self, progress) -> None:  # DownloadProgress (plain data)
        if progress.total:
            self.bar.setValue(int(1000 * progress.done / progress.total))
        self.status.setText(progress.describe())

    def set_done(self, message: str, ok: bool) -> None:
        self.running = False
        self.button.setText("Download again" if ok else "Retry")
        self.bar.setVisible(ok)
        if ok:
            self.bar.setValue(1000)
        self.status.setText(message)


class ModelsDialog(QDialog):
    """The model manager. The presenter fills it and acts on its requests."""

    rescan_requested = Signal()
    hashes_requested = Signal()
    folder_added = Signal(str)
    folder_removed = Signal(str)
    download_requested = Signal(object)  # Recommended
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
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(page)
        self.first_run = QLabel(FIRST_RUN_TEXT)
        self.first_run.setWordWrap(True)
        self.first_run.setVisible(False)
        self.rows: dict[str, DownloadRow] = {}
        layout = QVBoxLayout(page)
        layout.addWidget(self.first_run)
        layout.addWidget(QLabel("Recommended downloads (into the shared Hugging Face cache):"))
        for item in RECOMMENDED:
            row = DownloadRow(item)
            row.download_requested.connect(self.download_requested)
            row.cancel_requested.connect(self.cancel_requested)
            self.rows[download_key(item)] = row
            layout.addWidget(row)
        layout.addStretch(1)
        return scroll

    def show_first_run(self) -> None:
        self.first_run.setVisible(True)
        self.tabs.setCurrentIndex(1)

    def is_first_run_page(self) -> bool:
        return self.isVisible() and self.tabs.currentIndex() == 1 and self.first_run.isVisible()


def download_key(item: Recommended) -> str:
    return f"{item.repo_id}/{item.filename or ''}"
