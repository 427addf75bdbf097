"""Image ▸ Upscale…: source, upscaler, scale, tile size and the optional diffusion detail pass."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from studio.jobs.upscale_job import LANCZOS, UpscaleRequest

CANVAS, VARIATION = "canvas", "variation"
DEFAULT_DETAIL_STRENGTH = 0.3
DEFAULT_DETAIL_STEPS = 20


@dataclass(frozen=True)
class UpscaleChoice:
    """What the dialog returns: the request, which image, and the detail pass's settings."""

    request: UpscaleRequest
    source: str = CANVAS  # "canvas" | "variation"
    strength: float = DEFAULT_DETAIL_STRENGTH
    steps: int = DEFAULT_DETAIL_STEPS


class UpscaleDialog(QDialog):
    def __init__(
        self,
        upscalers: list[str],
        sources: dict[str, tuple[str, tuple[int, int]]],
        last: UpscaleChoice | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """sources: "canvas"/"variation" -> (label, (width, height))."""
        super().__init__(parent)
        self.setWindowTitle("Upscale")
        self.setMinimumWidth(380)
        last = last or UpscaleChoice(UpscaleRequest())
        self._sources = sources

        self.source = QComboBox()
        for key, (label, (w, h)) in sources.items():
            self.source.addItem(f"{label} — {w} × {h}", key)
        index = self.source.findData(last.source)
        self.source.setCurrentIndex(max(index, 0))
        self.upscaler = QComboBox()
        self.upscaler.addItems(list(dict.fromkeys([LANCZOS, *upscalers])))
        self.upscaler.setToolTip(
            "Lanczos is always there; ESRGAN-family models come from the upscaler folders "
            "and the Hugging Face cache (Settings ▸ Models downloads them there)"
        )
        if self.upscaler.findText(last.request.upscaler) >= 0:
            self.upscaler.setCurrentText(last.request.upscaler)
        self.scale = QDoubleSpinBox()
        self.scale.setRange(1.0, 8.0)
        self.scale.setSingleStep(0.5)
        self.scale.setDecimals(2)
        self.scale.setSuffix(" ×")
        self.scale.setValue(last.request.scale)
        self.tile = QSpinBox()
        self.tile.setRange(64, 4096)
        self.tile.setSingleStep(64)
        self.tile.setSuffix(" px")
        self.tile.setValue(last.request.tile)
        self.tile.setToolTip("Works on the picture in pieces this big: smaller uses less memory")
        self.result_size = QLabel()
        self.result_size.setObjectName("upscaleResultSize")

        self.detail = QGroupBox("Add detail: repaint the enlarged picture lightly with the prompt")
        self.detail.setToolTip("An img2img pass with the current prompt and model after upscaling")
        self.detail.setCheckable(True)
        self.detail.setChecked(last.request.detail)
        self.strength = QDoubleSpinBox()
        self.strength.setRange(0.05, 1.0)
        self.strength.setSingleStep(0.05)
        self.strength.setValue(last.strength)
        self.steps = QSpinBox()
        self.steps.setRange(1, 150)
        self.steps.setValue(last.steps)
        detail_form = QFormLayout(self.detail)
        detail_form.addRow("Strength", self.strength)
        detail_form.addRow("Steps", self.steps)

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.addRow("Image", self.source)
        form.addRow("Upscaler", self.upscaler)
        form.addRow("Scale", self.scale)
        form.addRow("Tile size", self.tile)
        form.addRow("Result", self.result_size)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Upscale")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.detail)
        layout.addWidget(
            QLabel("Runs in the queue; Esc cancels. The result replaces the canvas (undoable).")
        )
        layout.addWidget(buttons)
        self.scale.valueChanged.connect(lambda _v: self._update())
        self.source.currentIndexChanged.connect(lambda _i: self._update())
        self._update()

    def _update(self) -> None:
        key = self.source.currentData()
        if key not in self._sources:
            self.result_size.setText("")
            return
        width, height = self._sources[key][1]
        scale = self.scale.value()
        self.result_size.setText(f"{round(width * scale)} × {round(height * scale)} px")

    def choice(self) -> UpscaleChoice:
        request = UpscaleRequest(
            upscaler=self.upscaler.currentText(),
            scale=round(self.scale.value(), 2),
            tile=self.tile.value() // 8 * 8,
            detail=self.detail.isChecked(),
        )
        return UpscaleChoice(
            request,
            str(self.source.currentData() or CANVAS),
            round(self.strength.value(), 3),
            self.steps.value(),
        )
