"""Generate ▸ Sweep…: an X/Y/Z plot over the panel's settings, run as one queued job.

The dialog checks the axes as you type (the image count, or the error), asks before more than
CONFIRM_ABOVE images with the count and a time estimate (from the measured speed of recent
images with the same model; unknown before the first), shows per-cell progress while the job
runs, can cancel it (finished cells stay in the folder and the strip), and opens the variations
grid when it ends.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QStandardPaths, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from studio.core.errors import UserError
from studio.core.speed import SpeedMeter
from studio.core.sweep import KINDS, SweepPlan, plan_from_specs
from studio.core.sweep.plan import rough_time
from studio.jobs.controller import JobController
from studio.jobs.sweep_job import SweepRequest
from studio.ui.state.presenter import Presenter

NONE = "—"
UNKNOWN_TIME = "time unknown until the first image"


class SweepDialog(QDialog):
    """Three axis rows (kind + values), the output folder, a summary line and progress."""

    def __init__(self, parent: QWidget | None = None, directory: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("Sweep (X/Y/Z plot)")
        self.setModal(False)
        self.kinds: list[QComboBox] = []
        self.values: list[QLineEdit] = []
        form = QFormLayout()
        defaults = (("cfg", "4, 7, 10"), ("steps", "10-30 (+10)"), (NONE, ""))
        for axis, (kind, text) in zip("XYZ", defaults, strict=True):
            combo = QComboBox()
            combo.addItems([NONE, *(k.name for k in KINDS)])
            combo.setCurrentText(kind)
            edit = QLineEdit(text)
            edit.setPlaceholderText("4, 7, 9 · 1-5 · 1-5 (+2) · 1-10 [5] · castle, lighthouse")
            row = QHBoxLayout()
            row.addWidget(combo)
            row.addWidget(edit, 1)
            form.addRow(f"{axis} axis", row)
            self.kinds.append(combo)
            self.values.append(edit)
        self.folder = QLineEdit(directory)
        form.addRow("Folder", self.folder)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.cell_label = QLabel()
        self.buttons = QDialogButtonBox()
        self.run_button = QPushButton("Run sweep")
        self.cancel_button = QPushButton("Cancel sweep")
        self.cancel_button.setEnabled(False)
        self.buttons.addButton(self.run_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.hide)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.summary)
        layout.addWidget(self.progress)
        layout.addWidget(self.cell_label)
        layout.addWidget(self.buttons)
        self.resize(560, 0)

    def axis_specs(self) -> list[str | None]:
        specs: list[str | None] = []
        for combo, edit in zip(self.kinds, self.values, strict=True):
            kind = combo.currentText()
            specs.append(None if kind == NONE else f"{kind}={edit.text()}")
        return specs

    def set_axis(self, index: int, kind: str, values: str) -> None:
        self.kinds[index].setCurrentText(kind)
        self.values[index].setText(values)


class SweepPresenter(Presenter):
    """Owns the dialog and the running sweep job; its action goes in the Generate menu."""

    def __init__(
        self,
        controller: JobController,
        build_job: Callable[[], tuple[Any, Any, Any]],
        speed: Callable[[], SpeedMeter],
        show_grid: Callable[[bool], None],
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.build_job, self.speed, self.show_grid = build_job, speed, show_grid
        pictures = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation)
        self.dialog = SweepDialog(parent, str(Path(pictures or Path.home()) / "Studio sweeps"))
        self.job_id: int | None = None
        self.request: SweepRequest | None = None
        self.cells_done = 0
        self.grid_opened = 0
        self.action = QAction("S&weep…", parent)
        self.action.setObjectName("sweep")
        self.action.setShortcut(QKeySequence("Ctrl+Alt+W"))
        self.action.setStatusTip("An X/Y/Z plot: the panel's settings over up to three axes")
        self.action.triggered.connect(self.open)
        self.dialog.run_button.clicked.connect(self.run)
        self.dialog.cancel_button.clicked.connect(self.cancel)
        for widget in (*self.dialog.kinds, *self.dialog.values):
            signal = getattr(widget, "currentTextChanged", None) or widget.textChanged
            signal.connect(lambda *_: self.refresh())
        self.controller.step.connect(self._on_step)
        self.controller.result.connect(self._on_result)
        self.controller.job_finished.connect(self._on_finished)
        self.controller.job_finished.connect(self._speed_known)

    def open(self) -> SweepDialog:
        self.refresh()
        self.dialog.show()
        self.dialog.raise_()
        return self.dialog

    # --- planning ------------------------------------------------------------------------
    def plan(self) -> tuple[SweepPlan, Any]:
        params, image, _mask = self.build_job()
        if params.mode not in ("txt2img", "img2img"):
            params = params.replace(mode="img2img")
        return plan_from_specs(params, self.dialog.axis_specs()), image

    def refresh(self) -> SweepPlan | None:
        try:
            plan, _ = self.plan()
        except UserError as exc:
            self.dialog.summary.setText(f"<span style='color:#e06c5a'>{exc}</span>")
            self.dialog.run_button.setEnabled(False)
            return None
        self.dialog.summary.setText(f"{plan.describe()}, {self.estimate(plan)}")
        self.dialog.run_button.setEnabled(self.job_id is None)
        return plan

    def run(self) -> int | None:
        try:
            plan, image = self.plan()
        except UserError as exc:
            self.error.emit(str(exc))
            return None
        if plan.needs_confirmation() and not self.confirm(plan):
            return None
        stamp = time.strftime("%Y%m%d-%H%M%S")
        folder = Path(self.dialog.folder.text() or ".").expanduser() / f"sweep-{stamp}"
        self.request = SweepRequest(plan, folder)
        self.cells_done = 0
        self.job_id = self.controller.submit_sweep(plan.base, self.request, image)
        self.dialog.progress.setRange(0, plan.count)
        self.dialog.progress.setValue(0)
        self.dialog.progress.setVisible(True)
        self.dialog.cell_label.setText(f"queued: {plan.describe()}")
        self.dialog.run_button.setEnabled(False)
        self.dialog.cancel_button.setEnabled(True)
        return self.job_id

    def estimate(self, plan: SweepPlan) -> str:
        """How long the sweep should take at the speed recent images were made."""
        speed = self.speed()
        seconds = plan.estimate_by_model(speed.seconds_per_step_512)
        if seconds is None:
            return UNKNOWN_TIME
        rate = speed.steps_per_second_512(plan.base.model)
        measured = f"{rate:.2g} it/s at 512×512" if rate else "speed of recent images"
        return f"{rough_time(seconds)} (measured {measured})"

    def confirm(self, plan: SweepPlan) -> bool:
        answer = QMessageBox.question(
            self.dialog,
            "Large sweep",
            f"This sweep renders {plan.describe()}, {self.estimate(plan)}. Run it?",
        )
        return answer == QMessageBox.StandardButton.Yes

    def cancel(self) -> None:
        if self.job_id is None:
            return
        current = self.controller.current
        if current is not None and current.id == self.job_id:
            self.controller.cancel_current()
        else:
            self.controller.remove(self.job_id)
            self._on_finished(self.job_id, "cancelled")

    # --- progress ------------------------------------------------------------------------
    @Slot(int, object)
    def _on_step(self, job_id: int, report: Any) -> None:
        if job_id != self.job_id:
            return
        self.dialog.cell_label.setText(
            f"cell {report.image_index + 1}/{report.image_count} · "
            f"step {report.step}/{report.total}"
        )

    @Slot(int, object, object)
    def _on_result(self, job_id: int, _image: Any, _params: Any) -> None:
        if job_id == self.job_id:
            self.cells_done += 1
            self.dialog.progress.setValue(self.cells_done)

    @Slot(int, str)
    def _speed_known(self, _job_id: int, _outcome: str) -> None:
        if self.dialog.isVisible():  # a finished job may have measured the speed
            self.refresh()

    @Slot(int, str)
    def _on_finished(self, job_id: int, outcome: str) -> None:
        if job_id != self.job_id or self.request is None:
            return
        total = self.request.plan.count
        folder = self.request.directory
        self.job_id = None
        self.dialog.cancel_button.setEnabled(False)
        self.dialog.run_button.setEnabled(True)
        text = {
            "done": f"done: {total} cells and the grid in {folder}",
            "cancelled": f"cancelled: {self.cells_done} of {total} cells kept in {folder}",
        }.get(outcome, f"failed after {self.cells_done} of {total} cells")
        self.dialog.cell_label.setText(text)
        self.message.emit(text, 10000)
        if self.cells_done:
            self.show_grid(True)
            self.grid_opened += 1
