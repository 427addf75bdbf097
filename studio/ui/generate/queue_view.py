"""The queue view: the running job and the pending ones, each pending job removable."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from studio.core.params import GenerationParams

ID_ROLE = Qt.ItemDataRole.UserRole


def describe(params: GenerationParams) -> str:
    label = (params.extra or {}).get("job_label")  # jobs that are not generations (upscale)
    if label:
        return str(label)
    prompt = params.prompt or "(no prompt)"
    if len(prompt) > 40:
        prompt = prompt[:39] + "…"
    return f"{params.mode} · {prompt} · {params.steps} steps · ×{params.count}"


class QueueView(QWidget):
    remove_requested = Signal(int)  # job id
    cancel_requested = Signal()
    clear_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list = QListWidget()
        self.list.setAlternatingRowColors(True)
        self.remove_button = QPushButton("Remove")
        self.remove_button.setToolTip("Remove the selected pending job")
        self.remove_button.clicked.connect(self._remove_selected)
        self.clear_button = QPushButton("Clear queue")
        self.clear_button.clicked.connect(self.clear_requested)
        buttons = QHBoxLayout()
        buttons.addWidget(self.remove_button)
        buttons.addWidget(self.clear_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        self.list.keyPressEvent = self._list_key  # type: ignore[method-assign]
        self._list_key_default = QListWidget.keyPressEvent

    def show_jobs(
        self,
        running: tuple[int, GenerationParams] | None,
        pending: list[tuple[int, GenerationParams]],
    ) -> None:
        self.list.clear()
        if running is not None:
            item = QListWidgetItem(f"▶ #{running[0]}  {describe(running[1])}")
            item.setData(ID_ROLE, -running[0])
            item.setToolTip("running — press Esc to cancel")
            self.list.addItem(item)
        for job_id, params in pending:
            item = QListWidgetItem(f"   #{job_id}  {describe(params)}")
            item.setData(ID_ROLE, job_id)
            item.setToolTip(params.prompt)
            self.list.addItem(item)
        if not running and not pending:
            item = QListWidgetItem("Queue is empty")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.list.addItem(item)
        self.remove_button.setEnabled(bool(pending))
        self.clear_button.setEnabled(bool(pending))

    def pending_ids(self) -> list[int]:
        ids = [self.list.item(i).data(ID_ROLE) for i in range(self.list.count())]
        return [i for i in ids if isinstance(i, int) and i > 0]

    def _remove_selected(self) -> None:
        item = self.list.currentItem()
        job_id = item.data(ID_ROLE) if item is not None else None
        if isinstance(job_id, int) and job_id > 0:
            self.remove_requested.emit(job_id)

    def _list_key(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self._remove_selected()
            event.accept()
        else:
            self._list_key_default(self.list, event)
