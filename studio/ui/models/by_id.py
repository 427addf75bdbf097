"""The "Download by id" field: any model on the Hugging Face hub, checked before it is asked for."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QGridLayout, QLabel, QLineEdit, QPushButton, QWidget

from studio.core.models.hub_id import HubIdError, parse_hub_ref

PROBLEM_STYLE = "color: #b3261e;"


class ByIdForm(QWidget):
    """Id and optional file name; emits a checked HubRef, or shows why the text is not one."""

    requested = Signal(object)  # HubRef

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("downloadById")
        self.repo = QLineEdit()
        self.repo.setObjectName("hubIdField")
        self.repo.setPlaceholderText("owner/name, e.g. stabilityai/sd-turbo")
        self.repo.setToolTip(
            "A Hugging Face model id, owner/name/file, or the model page's address"
        )
        self.file = QLineEdit()
        self.file.setObjectName("hubFileField")
        self.file.setPlaceholderText("file (optional), e.g. model.safetensors")
        self.file.setToolTip("One file of the model; empty: the whole model")
        self.button = QPushButton("Download")
        self.button.setObjectName("hubIdDownload")
        self.problem = QLabel("")
        self.problem.setObjectName("hubIdProblem")
        self.problem.setStyleSheet(PROBLEM_STYLE)
        self.problem.setWordWrap(True)
        self.problem.setVisible(False)
        heading = QLabel("<b>Any model by its Hugging Face id</b>")
        layout = QGridLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(heading, 0, 0, 1, 3)
        layout.addWidget(self.repo, 1, 0)
        layout.addWidget(self.file, 1, 1)
        layout.addWidget(self.button, 1, 2)
        layout.addWidget(self.problem, 2, 0, 1, 3)
        layout.setColumnStretch(0, 3)
        layout.setColumnStretch(1, 2)
        self.button.clicked.connect(self.submit)
        self.repo.returnPressed.connect(self.submit)
        self.file.returnPressed.connect(self.submit)
        self.repo.textEdited.connect(lambda _text: self.show_problem(""))
        self.file.textEdited.connect(lambda _text: self.show_problem(""))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Enter in a field starts this download; it must not reach the dialog's default button
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            return
        super().keyPressEvent(event)

    def submit(self) -> None:
        try:
            ref = parse_hub_ref(self.repo.text(), self.file.text())
        except HubIdError as exc:
            self.show_problem(str(exc))
            return
        self.show_problem("")
        self.repo.clear()
        self.file.clear()
        self.requested.emit(ref)

    def show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))
