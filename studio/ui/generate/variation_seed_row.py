"""The seed row's "Extra" options (A1111's): a variation seed and its strength.

The "Extra" toggle both shows the fields and switches them on, as A1111's Extra checkbox does,
so settings folded out of sight never change an image. They mix into text-to-image noise only:
in other modes the fields are greyed out and the panel's params carry no variation seed.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QGridLayout,
    QLabel,
    QSlider,
    QToolButton,
    QWidget,
)

from studio.core.params import MAX_SEED, GenerationParams, random_seed

STRENGTH_STEPS = 100  # the slider moves in hundredths


class VariationSeedRow(QWidget):
    """The fields (hidden until `toggle` is checked); put `toggle` on the seed row."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.toggle = QToolButton()
        self.toggle.setObjectName("variationToggle")
        self.toggle.setText("Extra")
        self.toggle.setCheckable(True)
        self.toggle.setToolTip("Variation seed: mix a second seed's noise into this seed's")
        self.toggle.toggled.connect(self._toggled)

        self.seed = QDoubleSpinBox()  # a QSpinBox stops at 2**31 - 1
        self.seed.setDecimals(0)
        self.seed.setRange(0, MAX_SEED)
        self.seed.setValue(1)
        self.seed.setToolTip("The seed whose noise is mixed in")
        self.random = QCheckBox("Random")
        self.random.setChecked(True)
        self.random.setToolTip("Draw a new variation seed for each job")
        self.random.toggled.connect(lambda on: self.seed.setEnabled(not on and self.isEnabled()))
        self.seed.setEnabled(False)

        self.strength = QDoubleSpinBox()
        self.strength.setRange(0.0, 1.0)
        self.strength.setSingleStep(0.05)
        self.strength.setDecimals(2)
        self.strength.setToolTip("0 is the seed's image, 1 the variation seed's")
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, STRENGTH_STEPS)
        self.slider.valueChanged.connect(lambda v: self.strength.setValue(v / STRENGTH_STEPS))
        self.strength.valueChanged.connect(
            lambda v: self.slider.setValue(round(v * STRENGTH_STEPS))
        )
        self.strength.setValue(0.1)

        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(4)
        grid.addWidget(QLabel("Variation seed"), 0, 0)
        grid.addWidget(self.seed, 0, 1)
        grid.addWidget(self.random, 0, 2)
        grid.addWidget(QLabel("Variation strength"), 1, 0)
        grid.addWidget(self.slider, 1, 1)
        grid.addWidget(self.strength, 1, 2)
        grid.setColumnStretch(1, 1)
        self.setVisible(False)

    def _toggled(self, on: bool) -> None:
        self.setVisible(on)

    def set_mode(self, mode: str) -> None:
        """Grey the fields out outside text-to-image, where a variation seed does nothing."""
        usable = mode == "txt2img"
        self.setEnabled(usable)
        self.seed.setEnabled(usable and not self.random.isChecked())
        self.toggle.setToolTip(
            "Variation seed: mix a second seed's noise into this seed's"
            if usable
            else "Variation seeds mix into text-to-image noise only"
        )

    @property
    def active(self) -> bool:
        return self.toggle.isChecked() and self.isEnabled()

    def apply(self, params: GenerationParams) -> GenerationParams:
        """params with the variation seed and strength when Extra is on (a random variation
        seed is drawn now), else with none."""
        if not self.active or params.mode != "txt2img":
            return params.replace(variation_seed=None, variation_strength=0.0)
        seed = random_seed() if self.random.isChecked() else int(self.seed.value())
        return params.replace(
            variation_seed=seed, variation_strength=round(self.strength.value(), 3)
        )

    def set_params(self, params: GenerationParams) -> None:
        """Show a recorded variation seed (Extra opens), or fold Extra away when there is none."""
        if params.variation_seed is not None and params.variation_strength:
            self.random.setChecked(False)
            self.seed.setValue(int(params.variation_seed))
            self.strength.setValue(float(params.variation_strength))
            self.toggle.setChecked(True)
        else:
            self.toggle.setChecked(False)
