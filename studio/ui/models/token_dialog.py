"""Asks for a Hugging Face access token when a download of a gated or private model gets 401/403."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from studio.core.hub_token import TOKEN_PAGE

WHY = {
    "missing": "<b>{repo}</b> is a gated or private model: the Hugging Face hub lets only "
    "signed-in users who accepted its licence download it.",
    "refused": "The hub refused the token Studio sent for <b>{repo}</b> (it is wrong, expired "
    "or revoked). Paste a new one.",
    "forbidden": "Your token may not read <b>{repo}</b>: accept the model's licence on its page "
    "while signed in, or paste a token that can read it.",
}


class TokenDialog(QDialog):
    """A password field, links to the model's page and the token page, and where it is kept."""

    def __init__(
        self, repo_id: str, reason: str, storage: str, parent: QWidget | None = None
    ) -> None:
        """storage: TokenStore.where(), the sentence saying where the token will be kept."""
        super().__init__(parent)
        self.setWindowTitle("Hugging Face token")
        self.setObjectName("TokenDialog")
        self.setMinimumWidth(460)
        self.repo_id = repo_id
        why = QLabel(WHY.get(reason, WHY["missing"]).format(repo=repo_id))
        why.setWordWrap(True)
        steps = QLabel(
            f"1. Open <a href='https://huggingface.co/{repo_id}'>{repo_id}</a> and accept its "
            "licence.<br>"
            f"2. Make a <i>read</i> token at <a href='{TOKEN_PAGE}'>{TOKEN_PAGE}</a>.<br>"
            "3. Paste it here; Studio retries the download."
        )
        steps.setOpenExternalLinks(True)
        steps.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        steps.setWordWrap(True)
        self.field = QLineEdit()
        self.field.setObjectName("tokenField")
        self.field.setEchoMode(QLineEdit.EchoMode.Password)
        self.field.setPlaceholderText("hf_…")
        show = QCheckBox("Show")
        show.toggled.connect(
            lambda on: self.field.setEchoMode(
                QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password
            )
        )
        row = QHBoxLayout()
        row.addWidget(self.field, 1)
        row.addWidget(show)
        self.problem = QLabel("")
        self.problem.setObjectName("tokenProblem")
        self.problem.setStyleSheet("color: #b3261e;")
        note = QLabel(storage)
        note.setObjectName("tokenStorage")
        note.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Save and retry")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(why)
        layout.addWidget(steps)
        layout.addLayout(row)
        layout.addWidget(self.problem)
        layout.addWidget(note)
        layout.addWidget(self.buttons)
        self.field.textChanged.connect(self._check)
        self._check(self.field.text())

    def _check(self, text: str) -> None:
        token = text.strip()
        problem = (
            "a token has no spaces inside; paste it again"
            if any(c.isspace() for c in token)
            else ""
        )
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        self.ok.setEnabled(bool(token) and not problem)

    def token(self) -> str:
        return self.field.text().strip()
