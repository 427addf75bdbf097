"""The prompt panel: prompts, model, sampler settings, seed, size, strength, count, mode."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from studio.core.params import MAX_SEED, MODES, SCHEDULERS, GenerationParams, random_seed, snap_to_8
from studio.ui.generate.prompt_counter import SyntaxNotice, TokenCounter
from studio.ui.generate.prompt_extras_bar import PromptExtrasBar
from studio.ui.generate.settings_form import MODE_HINTS, MODE_LABELS, Fold, SettingsScroll, pair
from studio.ui.generate.variation_seed_row import VariationSeedRow
from studio.ui.inpaint.controls import InpaintControls
from studio.ui.models.picker import (
    builtin_models,
    demo_hint,
    fill_models,
    follow_native_size,
    native_side,
)

AUTO = "auto"
SIZE_PRESETS = [
    (512, 512),
    (768, 512),
    (512, 768),
    (768, 768),
    (1024, 1024),
    (1216, 832),
    (832, 1216),
    (256, 256),
    (128, 128),
    (64, 64),
]


class PromptPanel(QWidget):
    generate_requested = Signal()
    cancel_requested = Signal()
    mode_override_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.last_seed: int | None = None
        self.auto_mode = "txt2img"

        self.prompt = QPlainTextEdit()
        self.prompt.setPlaceholderText("Describe the image…  (Ctrl+Enter to generate)")
        self.negative = QPlainTextEdit()
        self.negative.setPlaceholderText("Negative prompt: what to avoid")
        for edit in (self.prompt, self.negative):
            edit.setMinimumHeight(44)  # two lines; the settings below stay unscrolled at 900 px
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("promptSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.syntax_notice = SyntaxNotice()
        self.counters = []
        for title, edit in (("Prompt", self.prompt), ("Negative prompt", self.negative)):
            box = QWidget()
            lay = QVBoxLayout(box)
            lay.setContentsMargins(0, 0, 0, 0)
            lay.setSpacing(2)
            label = QLabel(title)
            label.setStyleSheet("font-weight: 600;")
            counter = TokenCounter(edit, self.syntax_notice)
            self.counters.append(counter)
            header = QHBoxLayout()
            header.addWidget(label)
            header.addStretch(1)
            header.addWidget(counter)
            lay.addLayout(header)
            lay.addWidget(edit)
            if edit is self.prompt:
                lay.addWidget(self.syntax_notice)
            else:
                self.extras_bar = PromptExtrasBar(self.prompt, self.negative)
                lay.addWidget(self.extras_bar)
            self.splitter.addWidget(box)
        self.splitter.setSizes([160, 190])

        self.mode = QComboBox()
        self.mode.addItem("Auto (follows the canvas)", AUTO)
        for mode in MODES:
            self.mode.addItem(MODE_LABELS.get(mode, mode), mode)
        self.mode.currentIndexChanged.connect(lambda _i: self._mode_changed())
        self.mode_hint = QLabel()
        self.mode_hint.setObjectName("modeHint")
        self.mode_hint.setStyleSheet("color: palette(placeholder-text);")

        self.model = QComboBox()
        self.model.setEditable(True)
        fill_models(self.model, [])
        self.model_hint = demo_hint(self.model)
        self.model.setToolTip("Model name, file path or Hugging Face id (see `studio models`)")
        self.scheduler = QComboBox()
        self.scheduler.addItems(SCHEDULERS)
        self.decode = QComboBox()
        self.decode.addItem("Full quality", "full")
        self.decode.addItem("Fast, slightly softer", "fast")
        self.decode.setToolTip(
            "How the final picture is made from the model's output. Fast uses TAESD: much "
            "quicker on a CPU, slightly softer (needs madebyollin/taesd in the Hugging Face cache)"
        )
        self.steps = QSpinBox()
        self.steps.setRange(1, 150)
        self.steps.setValue(20)
        self.cfg = QDoubleSpinBox()
        self.cfg.setRange(0.0, 30.0)
        self.cfg.setSingleStep(0.5)
        self.cfg.setDecimals(1)
        self.cfg.setValue(7.0)
        self.cfg.setToolTip("How closely the picture follows the prompt (CFG scale)")
        self.steps.setToolTip("More steps: more detail, slower")

        self.seed = QDoubleSpinBox()
        self.seed.setDecimals(0)
        self.seed.setRange(0, MAX_SEED)
        self.seed.setValue(1234)
        self.random_seed = QCheckBox("Random")
        self.random_seed.setChecked(True)
        self.random_seed.toggled.connect(lambda on: self.seed.setEnabled(not on))
        self.seed.setEnabled(False)
        self.reuse_seed = QToolButton()
        self.reuse_seed.setText("♻")
        self.reuse_seed.setToolTip("Reuse the last seed")
        self.reuse_seed.clicked.connect(self.use_last_seed)
        self.variation = VariationSeedRow()

        self.width_box = QSpinBox()
        self.height_box = QSpinBox()
        for box in (self.width_box, self.height_box):
            box.setRange(8, 8192)
            box.setSingleStep(8)
            box.setValue(native_side(self.model.currentText()))
            box.setSuffix(" px")
            box.editingFinished.connect(lambda b=box: b.setValue(snap_to_8(b.value())))
        follow_native_size(self.model, self.width_box, self.height_box)
        self.presets = QComboBox()
        self.presets.addItem("Presets…", None)
        for w, h in SIZE_PRESETS:
            self.presets.addItem(f"{w} × {h}", (w, h))
        self.presets.activated.connect(self._apply_preset)

        self.strength = QDoubleSpinBox()
        self.strength.setRange(0.0, 1.0)
        self.strength.setSingleStep(0.05)
        self.strength.setValue(0.75)
        self.strength.setToolTip("How much of the picture changes: 0 keeps it, 1 repaints it all")
        self.count = QSpinBox()
        self.count.setRange(1, 64)
        self.count.setValue(1)
        self.inpaint = InpaintControls(self)

        self.generate_button = QPushButton("Generate")
        self.generate_button.setObjectName("generateButton")
        self.generate_button.setToolTip("Generate (Ctrl+Enter); queues if a job is running")
        self.generate_button.setMinimumHeight(34)
        self.generate_button.clicked.connect(self.generate_requested)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Cancel the running job (Esc)")
        self.cancel_button.setMinimumHeight(34)
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel_requested)

        self._layout()

    def _layout(self) -> None:
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form = form
        form.addRow("Mode", self.mode)
        form.addRow("", self.mode_hint)
        form.addRow("Model", self.model)
        form.addRow("", self.model_hint)
        form.addRow("Steps", pair(self.steps, "Guidance", self.cfg))
        seed_row = QHBoxLayout()
        seed_row.addWidget(self.seed, 1)
        seed_row.addWidget(self.random_seed)
        seed_row.addWidget(self.reuse_seed)
        seed_row.addWidget(self.variation.toggle)
        form.addRow("Seed", seed_row)
        form.addRow("", self.variation)
        size_row = QHBoxLayout()
        size_row.addWidget(self.width_box, 1)
        size_row.addWidget(QLabel("×"))
        size_row.addWidget(self.height_box, 1)
        self.presets.setItemText(0, "Presets")
        self.presets.setToolTip("Common sizes")
        policy = QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        self.presets.setSizeAdjustPolicy(policy)
        self.presets.setMinimumContentsLength(6)
        size_row.addWidget(self.presets)
        self.size_row = size_row
        form.addRow("Size", size_row)
        form.addRow("Strength", self.strength)
        form.addRow("Count", self.count)
        self.inpaint_rows = []
        for label, field in self.inpaint.rows():
            form.addRow(label, field)
            self.inpaint_rows.append(field)
        self.more = Fold("More")
        self.more.form.addRow("Sampler", self.scheduler)
        self.more.form.addRow("Decode", self.decode)
        self.more_inpaint_rows = []
        for label, field in self.inpaint.more_rows():
            self.more.form.addRow(label, field)
            self.more_inpaint_rows.append(field)
        form.addRow(self.more)
        self.more.toggle.toggled.connect(lambda _on: self._fit_settings())
        buttons = QHBoxLayout()
        buttons.addWidget(self.generate_button, 2)
        buttons.addWidget(self.cancel_button, 1)

        settings = QWidget()
        settings.setLayout(form)
        self.settings_scroll = SettingsScroll(settings)
        self.splitter.addWidget(self.settings_scroll)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 0)
        # the settings get their full height; the prompts share what is left
        self.splitter.setSizes([90, 150, settings.sizeHint().height()])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(buttons)
        self._update_rows()

    # --- behaviour -----------------------------------------------------------------------
    def _apply_preset(self, index: int) -> None:
        size = self.presets.itemData(index)
        if size:
            self.width_box.setValue(size[0])
            self.height_box.setValue(size[1])
        self.presets.setCurrentIndex(0)

    def use_last_seed(self) -> None:
        if self.last_seed is not None:
            self.random_seed.setChecked(False)
            self.seed.setValue(self.last_seed)

    def set_auto_mode(self, mode: str) -> None:
        self.auto_mode = mode
        self._update_rows()

    def _mode_changed(self) -> None:
        self._update_rows()
        self.mode_override_changed.emit()

    def _update_rows(self) -> None:
        """Only the options of the mode Generate will run (the rest keep their values)."""
        mode = self.effective_mode()
        auto, chosen = MODE_HINTS.get(mode, (mode, mode))
        self.mode_hint.setText(auto if self.mode.currentData() == AUTO else chosen)
        self.strength.setEnabled(mode != "txt2img")
        self.variation.set_mode(mode)
        masked = mode in ("inpaint", "outpaint")
        rows = [
            (self.size_row, mode == "txt2img"),  # other modes render at the picture's size
            (self.strength, mode != "txt2img"),
            *((row, masked) for row in self.inpaint_rows),
        ]
        for row, shown in rows:
            self.form.setRowVisible(row, shown)
        for row in self.more_inpaint_rows:
            self.more.form.setRowVisible(row, masked)
        self._fit_settings()

    def _fit_settings(self) -> None:
        self.settings_scroll.fit()
        self.settings_scroll.balance(self.splitter)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        QTimer.singleShot(0, lambda: self.settings_scroll.balance(self.splitter))  # docks sized

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        QTimer.singleShot(0, lambda: self.settings_scroll.balance(self.splitter))

    def effective_mode(self) -> str:
        override = self.mode.currentData()
        return self.auto_mode if override == AUTO else str(override)

    def set_running(self, running: bool) -> None:
        self.cancel_button.setEnabled(running)
        self.generate_button.setText("Queue" if running else "Generate")

    def set_models(self, names: list[str]) -> None:
        current = self.model.currentText()
        self.model.clear()
        fill_models(self.model, names)
        self.model.setCurrentText(current)

    # --- params --------------------------------------------------------------------------
    def params(self) -> GenerationParams:
        """The panel's parameters; a random seed is drawn now when "Random" is on."""
        seed = random_seed() if self.random_seed.isChecked() else int(self.seed.value())
        params = GenerationParams(
            prompt=self.prompt.toPlainText().strip(),
            negative=self.negative.toPlainText().strip(),
            mode=self.effective_mode(),
            model=self.model.currentText().strip() or builtin_models()[0],
            scheduler=self.scheduler.currentText(),
            steps=self.steps.value(),
            cfg=round(self.cfg.value(), 2),
            seed=seed,
            width=snap_to_8(self.width_box.value()),
            height=snap_to_8(self.height_box.value()),
            strength=round(self.strength.value(), 3),
            count=self.count.value(),
            decode=str(self.decode.currentData()),
        )
        return self.extras_bar.apply(self.inpaint.apply(self.variation.apply(params)))

    def set_params(self, params: GenerationParams, include_seed: bool = True) -> None:
        """Fill the panel (Reuse parameters). The mode override is left alone."""
        self.prompt.setPlainText(params.prompt)
        self.negative.setPlainText(params.negative)
        self.extras_bar.clear_style()  # a recorded prompt already holds its style
        self.model.setCurrentText(params.model)
        index = self.scheduler.findText(params.scheduler)
        if index >= 0:
            self.scheduler.setCurrentIndex(index)
        self.steps.setValue(int(params.steps))
        self.cfg.setValue(float(params.cfg))
        if include_seed:
            self.random_seed.setChecked(False)
            self.seed.setValue(int(params.seed))
            self.variation.set_params(params)
        self.width_box.setValue(snap_to_8(int(params.width)))
        self.height_box.setValue(snap_to_8(int(params.height)))
        self.strength.setValue(float(params.strength))
        self.count.setValue(max(1, min(int(params.count), self.count.maximum())))
        self.decode.setCurrentIndex(max(0, self.decode.findData(params.decode)))
        self.inpaint.set_params(params)
