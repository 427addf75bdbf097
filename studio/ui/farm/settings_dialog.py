"""Settings ▸ Render farm…: the Ray cluster's address and the shape of its workers."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from studio.core.errors import UserError
from studio.core.farm_config import (
    MAX_CPUS,
    MAX_WORKERS,
    RAY_INSTALL,
    FarmConfig,
    ray_available,
)

ERROR_STYLE = "color: #e06c5a"
NOTE_STYLE = "color: palette(placeholder-text)"


def ray_missing_html() -> str:
    return (
        f"<span style='{ERROR_STYLE}'>Ray is not installed, so the render farm cannot run. "
        f"Install it with <code>{RAY_INSTALL}</code> and restart Studio.</span>"
    )


class FarmSettingsDialog(QDialog):
    """Checks the address as you type; OK stays off while it is malformed."""

    def __init__(self, config: FarmConfig, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Render farm")
        self.setObjectName("farmSettingsDialog")
        self.address = QLineEdit(config.address)
        self.address.setPlaceholderText("empty: this machine · auto · ray://host:10001")
        self.address.setClearButtonEnabled(True)
        self.workers = QSpinBox()
        self.workers.setRange(0, MAX_WORKERS)
        self.workers.setSpecialValueText("as many as fit")
        self.workers.setValue(config.workers)
        self.cpus = QSpinBox()
        self.cpus.setRange(1, MAX_CPUS)
        self.cpus.setValue(config.cpus)
        form = QFormLayout()
        form.addRow("Cluster address", self.address)
        form.addRow("Workers", self.workers)
        form.addRow("CPUs per worker", self.cpus)
        help_text = QLabel(
            "Leave the address empty to start Ray on this machine; <b>auto</b> joins the cluster "
            "this machine belongs to (<code>ray start --head</code>, then "
            "<code>ray start --address=…</code> on the others); <b>ray://host:10001</b> reaches "
            "a remote head node. On nodes with GPUs each worker takes one GPU. Every node needs "
            "Studio and the model at the same path (or in its Hugging Face cache)."
        )
        help_text.setWordWrap(True)
        help_text.setStyleSheet(NOTE_STYLE)
        self.error = QLabel()
        self.error.setObjectName("farmAddressError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(ERROR_STYLE)
        self.ray_note = QLabel(ray_missing_html())
        self.ray_note.setObjectName("farmRayMissing")
        self.ray_note.setWordWrap(True)
        self.ray_note.setVisible(not ray_available())
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(help_text)
        layout.addWidget(self.error)
        layout.addWidget(self.ray_note)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.address.textChanged.connect(lambda _t: self.check())
        self.setMinimumWidth(520)
        self.check()

    def _fit(self) -> None:
        """As tall as the wrapped text needs at the dialog's width, no taller."""
        layout = self.layout()
        width = max(self.width(), self.minimumWidth())
        self.resize(width, layout.totalHeightForWidth(width))

    def config(self) -> FarmConfig:
        """What the fields say (not checked: see check())."""
        return FarmConfig(self.address.text().strip(), self.workers.value(), self.cpus.value())

    def check(self) -> FarmConfig | None:
        """The fields as a valid config, or None with the one-line reason shown."""
        try:
            config = self.config().validated()
        except UserError as exc:
            self.error.setText(str(exc))
            self.error.setVisible(True)
            self._fit()
            self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
            return None
        self.error.setText("")
        self.error.setVisible(False)
        self._fit()
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(True)
        return config

    def accept(self) -> None:
        if self.check() is not None:
            super().accept()
