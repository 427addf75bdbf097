"""Generate ▸ Render on farm…: what to send (N seeds of the panel's settings, or the sweep),
into which folder, on which cluster."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from studio.core.farm_config import ray_available
from studio.ui.farm.settings_dialog import ERROR_STYLE, NOTE_STYLE, ray_missing_html

SEEDS = "seeds"
SWEEP = "sweep"
MAX_IMAGES = 10_000


class SendToFarmDialog(QDialog):
    """The fields; the presenter fills the summary and acts on the buttons."""

    def __init__(self, parent: QWidget | None = None, folder: str = "", images: int = 8) -> None:
        super().__init__(parent)
        self.setWindowTitle("Render on farm")
        self.setObjectName("farmSendDialog")
        self.what = QComboBox()
        self.what.addItem("Seeds of the prompt panel's settings", SEEDS)
        self.what.addItem("The sweep of Generate ▸ Sweep…", SWEEP)
        self.images = QSpinBox()
        self.images.setRange(1, MAX_IMAGES)
        self.images.setValue(images)
        self.images.setSuffix(" images")
        self.folder = QLineEdit(folder)
        self.browse = QPushButton("Browse…")
        self.browse.clicked.connect(self._browse)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(self.browse)
        form = QFormLayout()
        form.addRow("Render", self.what)
        form.addRow("Count", self.images)
        form.addRow("Into folder", folder_row)
        self.summary = QLabel()
        self.summary.setObjectName("farmSummary")
        self.summary.setWordWrap(True)
        self.farm = QLabel()
        self.farm.setObjectName("farmWhere")
        self.farm.setWordWrap(True)
        self.farm.setStyleSheet(NOTE_STYLE)
        self.settings_button = QPushButton("Farm settings…")
        farm_row = QHBoxLayout()
        farm_row.addWidget(self.farm, 1)
        farm_row.addWidget(self.settings_button)
        self.ray_note = QLabel(ray_missing_html())
        self.ray_note.setObjectName("farmRayMissing")
        self.ray_note.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        self.render_button = QPushButton("Render on farm")
        self.render_button.setDefault(True)
        self.buttons.addButton(self.render_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.summary)
        layout.addLayout(farm_row)
        layout.addWidget(self.ray_note)
        layout.addWidget(self.buttons)
        self.what.currentIndexChanged.connect(
            lambda _i: self.images.setEnabled(self.what.currentData() == SEEDS)
        )
        self.setMinimumWidth(560)
        self.resize(560, layout.totalHeightForWidth(560))

    def kind(self) -> str:
        return str(self.what.currentData())

    def show_summary(self, text: str, ok: bool, farm: str) -> None:
        missing = not ray_available()
        self.ray_note.setVisible(missing)
        self.summary.setText(text if ok else f"<span style='{ERROR_STYLE}'>{text}</span>")
        self.farm.setText(f"On {farm}")
        self.render_button.setEnabled(ok and not missing and bool(self.folder.text().strip()))

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Render into folder", self.folder.text())
        if chosen:
            self.folder.setText(chosen)
