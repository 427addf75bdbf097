"""File ▸ Export variations…: starred or all results, destination folder, file-name template
(validated as you type, with the first file's name as a preview), format and quality."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from studio.core.export import DEFAULT_TEMPLATE, FIELDS, FORMATS, NameTemplate, TemplateError
from studio.core.export.formats import DEFAULT_QUALITY
from studio.core.export.names import template_values
from studio.core.params import GenerationParams

FORMAT_LABELS = {"png": "PNG (lossless)", "jpeg": "JPEG", "webp": "WebP"}
ERROR_STYLE = "color: #e0524a;"


@dataclass(frozen=True)
class ExportChoice:
    """What the user chose in the dialog."""

    starred_only: bool
    directory: str
    template: str
    fmt: str
    quality: int


class ExportDialog(QDialog):
    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        starred: list[GenerationParams],
        all_results: list[GenerationParams],
        directory: str = "",
        template: str = DEFAULT_TEMPLATE,
        fmt: str = "png",
        quality: int = DEFAULT_QUALITY,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("exportDialog")
        self.setWindowTitle("Export variations")
        self._starred = starred
        self._all = all_results

        self.starred_radio = QRadioButton(f"Starred results ({len(starred)})")
        self.all_radio = QRadioButton(f"All results of this session ({len(all_results)})")
        self.choice = QButtonGroup(self)
        for radio in (self.starred_radio, self.all_radio):
            self.choice.addButton(radio)
        (self.starred_radio if starred else self.all_radio).setChecked(True)

        self.folder = QLineEdit(directory)
        self.folder.setObjectName("exportFolder")
        self.folder.setPlaceholderText("Folder to write into (created if missing)")
        self.browse = QPushButton("Browse…")
        self.browse.clicked.connect(self._browse)

        self.template = QLineEdit(template)
        self.template.setObjectName("exportTemplate")
        self.template.setToolTip("Fields: " + ", ".join("{" + f + "}" for f in FIELDS))
        self.fields_hint = QLabel(
            "Fields: {index} {prompt} {seed} {model} {steps} {cfg} {size} {date} … "
            "with format specs such as {index:04d} or {prompt:.40}"
        )
        self.fields_hint.setWordWrap(True)
        self.fields_hint.setEnabled(False)  # drawn in the muted colour
        self.preview = QLabel()
        self.preview.setObjectName("exportPreview")
        self.preview.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.format = QComboBox()
        for key in FORMATS:
            self.format.addItem(FORMAT_LABELS.get(key, key), key)
        self.format.setCurrentIndex(max(0, self.format.findData(fmt)))
        self.quality = QSpinBox()
        self.quality.setRange(1, 100)
        self.quality.setValue(int(quality))
        self.quality.setSuffix(" %")
        self.quality.setToolTip("JPEG/WebP quality; WebP at 100% is lossless")

        self.message = QLabel()
        self.message.setObjectName("exportMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(ERROR_STYLE)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Export")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self._layout()

        for signal in (
            self.template.textChanged,
            self.folder.textChanged,
            self.format.currentIndexChanged,
            self.choice.buttonToggled,
        ):
            signal.connect(self.validate)
        self.validate()
        self.resize(560, self.sizeHint().height())

    def _layout(self) -> None:
        which = QVBoxLayout()
        which.setSpacing(2)
        which.addWidget(self.starred_radio)
        which.addWidget(self.all_radio)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(self.browse)
        format_row = QHBoxLayout()
        format_row.addWidget(self.format, 1)
        format_row.addWidget(QLabel("Quality"))
        format_row.addWidget(self.quality)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.addRow("Export", which)
        form.addRow("Folder", folder_row)
        form.addRow("File names", self.template)
        form.addRow("", self.fields_hint)
        form.addRow("First file", self.preview)
        form.addRow("Format", format_row)
        note = QLabel("Also written: index.json (file → parameters) and contact-sheet.png.")
        note.setEnabled(False)
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

    # --- state ---------------------------------------------------------------------------
    def chosen(self) -> list[GenerationParams]:
        return self._starred if self.starred_radio.isChecked() else self._all

    def fmt(self) -> str:
        return str(self.format.currentData())

    def validate(self, *_args: object) -> bool:
        """Check everything; show the first problem and enable Export only when none."""
        self.quality.setEnabled(self.fmt() != "png")
        problem = ""
        try:
            template = NameTemplate.parse(self.template.text())
        except TemplateError as exc:
            template, problem = None, str(exc)
        chosen = self.chosen()
        if template is not None and chosen:
            values = template_values(chosen[0], index=1, date=date.today().isoformat())
            self.preview.setText(template.render(values) + FORMATS[self.fmt()])
        elif template is not None:
            self.preview.setText("—")
        else:
            self.preview.setText("<i>fix the template</i>")
        folder = self.folder.text().strip()
        if not problem and not chosen:
            problem = (
                "no starred results: star some (S, or click a thumbnail's star) or export all"
                if self.starred_radio.isChecked()
                else "there are no results to export yet"
            )
        if not problem and not folder:
            problem = "choose a folder to export into"
        target = Path(folder).expanduser()
        if not problem and target.exists() and not target.is_dir():
            problem = f"{folder!r} is a file; choose a folder"
        self.message.setText(problem)
        self.message.setVisible(bool(problem))
        self.ok_button.setEnabled(not problem)
        return not problem

    def result_choice(self) -> ExportChoice:
        return ExportChoice(
            starred_only=self.starred_radio.isChecked(),
            directory=str(Path(self.folder.text().strip()).expanduser()),
            template=self.template.text(),
            fmt=self.fmt(),
            quality=self.quality.value(),
        )

    def _browse(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Export into folder", self.folder.text())
        if path:
            self.folder.setText(path)
