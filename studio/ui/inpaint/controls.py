"""The prompt panel's inpaint/outpaint section: area, padding, feather, grow, colour match.

Padding, feather (mask blur) and area are GenerationParams fields; grow and colour match travel
in `params.extra` as "mask_grow" and "color_match" (what the engine reads), and only when they
differ from the defaults, so other modes' metadata stays clean.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QWidget,
)

from studio.core.params import GenerationParams

AREAS = (("Masked area, sharper", "masked"), ("Whole picture", "whole"))
DEFAULT_PADDING, DEFAULT_BLUR, DEFAULT_GROW = 32, 4, 0


def _px_box(low: int, high: int, value: int, tip: str) -> QSpinBox:
    box = QSpinBox()
    box.setRange(low, high)
    box.setValue(value)
    box.setSuffix(" px")
    box.setToolTip(tip)
    box.setAccelerated(True)
    return box


class InpaintControls(QObject):
    """Inpaint settings as form rows; `changed` fires on any edit (the context box redraws)."""

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.area = QComboBox()
        for text, value in AREAS:
            self.area.addItem(text, value)
        self.area.setToolTip(
            "Masked area: repaint the box around the mask at the model's best size, then scale "
            "it back (sharp small fixes on big pictures). Whole picture: repaint at full size."
        )
        self.padding = _px_box(
            0,
            4096,
            DEFAULT_PADDING,
            "How much of the picture around the mask is used as context (the dashed box)",
        )
        self.feather = _px_box(
            0, 256, DEFAULT_BLUR, "Soften the mask edge so the repaint blends in (mask blur)"
        )
        self.grow = _px_box(
            -256, 256, DEFAULT_GROW, "Grow the mask (negative shrinks it) before softening its edge"
        )
        self.color_match = QCheckBox("Match colours")
        self.color_match.setToolTip("Match the repainted colours to their surroundings")
        for box in (self.padding, self.feather, self.grow):
            box.valueChanged.connect(lambda _v: self.changed.emit())
        self.area.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self.color_match.toggled.connect(lambda _on: self.changed.emit())

    def rows(self) -> list[tuple[str, QWidget | QHBoxLayout]]:
        """The (label, field) row always shown in inpaint mode."""
        return [("Repaint", self.area)]

    def more_rows(self) -> list[tuple[str, QWidget | QHBoxLayout]]:
        """The finer rows, folded under the panel's "More" section."""
        return [
            ("Context", self._pair(self.padding, "Soften", self.feather)),
            ("Grow mask", self._pair(self.grow, None, self.color_match)),
        ]

    @staticmethod
    def _pair(first: QWidget, label: str | None, second: QWidget) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(first, 1)
        if label:
            row.addWidget(QLabel(label))
        row.addWidget(second, 1 if label else 0)
        return row

    # --- params ------------------------------------------------------------------------
    def apply(self, params: GenerationParams) -> GenerationParams:
        """params with this section's values filled in."""
        extra = dict(params.extra or {})
        extra.pop("mask_grow", None)
        extra.pop("color_match", None)
        if self.grow.value() != DEFAULT_GROW:
            extra["mask_grow"] = self.grow.value()
        if self.color_match.isChecked():
            extra["color_match"] = True
        return params.replace(
            padding=self.padding.value(),
            mask_blur=self.feather.value(),
            inpaint_area=str(self.area.currentData()),
            extra=extra,
        )

    def set_params(self, params: GenerationParams) -> None:
        """Fill the section from params (Reuse parameters)."""
        extra = params.extra or {}
        self.padding.setValue(int(params.padding))
        self.feather.setValue(int(params.mask_blur))
        index = self.area.findData(params.inpaint_area)
        self.area.setCurrentIndex(max(index, 0))
        try:
            self.grow.setValue(int(extra.get("mask_grow", DEFAULT_GROW)))
        except (TypeError, ValueError):
            self.grow.setValue(DEFAULT_GROW)
        value = extra.get("color_match", False)
        if isinstance(value, str):
            value = value.strip().lower() in ("1", "true", "yes", "on")
        self.color_match.setChecked(bool(value))
