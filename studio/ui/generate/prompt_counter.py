"""The token counter beside a prompt box (`83/150`) and the one-time note on unsupported syntax."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QPlainTextEdit

from studio.core.prompts.chunks import CHUNK_LENGTH
from studio.core.prompts.syntax import unsupported_syntax
from studio.core.prompts.token_count import count_prompt_tokens


class SyntaxNotice(QLabel):
    """One line under the prompt naming A1111 syntax that is encoded as written.

    Each kind is said once per session; it hides when no prompt box holds such syntax.
    """

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("syntaxNotice")
        self.setWordWrap(True)
        self.setStyleSheet("color: #b8860b;")
        self.hide()
        self._noted: set[str] = set()
        self._current: dict[int, list[str]] = {}

    def update_notes(self, source: object, notes: list[str]) -> None:
        self._current[id(source)] = notes
        new = [note for note in notes if note not in self._noted]
        if new:
            self._noted.update(new)
            self.setText("; ".join(new))
            self.show()
        elif not any(self._current.values()):
            self.hide()


class TokenCounter(QLabel):
    """Shows tokens/target for the edit's text; recounts 150 ms after the last keystroke."""

    def __init__(self, edit: QPlainTextEdit, notice: SyntaxNotice | None = None) -> None:
        super().__init__("0/75")
        self.setObjectName("tokenCounter")
        self.setStyleSheet("color: palette(mid);")
        self._edit = edit
        self._notice = notice
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(150)
        self._timer.timeout.connect(self.recount)
        edit.textChanged.connect(self._timer.start)

    def recount(self) -> None:
        text = self._edit.toPlainText()
        count = count_prompt_tokens(text)
        self.setText(str(count))
        self.setToolTip(
            f"{count.tokens} CLIP tokens in {count.chunks} chunk(s) of {CHUNK_LENGTH}; "
            "each chunk is encoded on its own (BREAK starts a new one)"
        )
        if self._notice is not None:
            self._notice.update_notes(self, unsupported_syntax(text))
