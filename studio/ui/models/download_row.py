"""One download on the "Get models" page: what it is, Download/Cancel, its progress bar."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QProgressBar, QPushButton, QWidget

from studio.core.models.hub_id import HubRef
from studio.core.models.recommended import Recommended


def download_key(item: Recommended | HubRef) -> str:
    """The queue's key for a download: the same file asked for twice is one download."""
    return f"{item.repo_id}/{item.filename or ''}"


def _texts(item: Recommended | HubRef) -> tuple[str, str]:
    if isinstance(item, Recommended):
        return (
            f"<b>{item.title}</b> — {item.why}",
            f"{item.size} · {item.licence} · <code>{item.repo_id}</code>",
        )
    what = f"the file <code>{item.filename}</code>" if item.filename else "the whole model"
    return f"<b>{item.title}</b>", f"{what} from <code>huggingface.co/{item.repo_id}</code>"


class DownloadRow(QWidget):
    """A recommended model or one typed by its id: Download/Cancel, progress, one status line."""

    download_requested = Signal(object)  # the item (Recommended | HubRef)
    cancel_requested = Signal(object)

    def __init__(self, item: Recommended | HubRef) -> None:
        super().__init__()
        self.item = item
        title_text, facts_text = _texts(item)
        title = QLabel(title_text)
        title.setWordWrap(True)
        facts = QLabel(facts_text)
        facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.button = QPushButton("Download")
        self.button.clicked.connect(self._clicked)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setVisible(False)
        self.status = QLabel("")
        self.status.setWordWrap(True)
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
