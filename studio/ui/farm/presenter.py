"""The render farm in the window: Settings ▸ Render farm…, Generate ▸ Render on farm…, the
status-bar progress, and the images landing in the variations strip as they finish.

It takes what it needs as callables and widgets (the panel's job, the sweep's cells, the status
bar, the strip's add), not the window, and runs the farm through studio.jobs.farm_runner;
studio.ui.shell.features puts its actions in the menus.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, QSettings, QStandardPaths, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QStatusBar, QWidget

from studio.core.errors import UserError
from studio.core.farm_config import RAY_MISSING_APP, FarmConfig, ray_available
from studio.core.params import GenerationParams
from studio.jobs.farm_job import FarmReport, FarmRequest
from studio.jobs.farm_runner import FarmRunner
from studio.ui.farm.send_dialog import SEEDS, SendToFarmDialog
from studio.ui.farm.settings_dialog import FarmSettingsDialog
from studio.ui.farm.status import FarmStatus
from studio.ui.shell.settings import load_farm_config, save_farm_config

Job = tuple[GenerationParams, np.ndarray | None, np.ndarray | None]
BuildJob = Callable[[], Job]
SweepCells = Callable[[], tuple[list[GenerationParams], np.ndarray | None]]


def _as_shown(
    planned: list[GenerationParams], shown: list[GenerationParams]
) -> list[GenerationParams]:
    """With Random seed on, planning again draws new seeds: send the ones the summary showed
    when nothing else changed."""
    same = len(planned) == len(shown) and all(
        a.replace(seed=b.seed) == b for a, b in zip(planned, shown, strict=True)
    )
    return shown if same else planned


def _default_folder() -> str:
    pictures = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation)
    return str(Path(pictures or Path.home()) / "Studio farm")


class FarmPresenter(QObject):
    def __init__(
        self,
        parent: QWidget,
        settings: QSettings | None,
        build_job: BuildJob,
        status: QStatusBar,
        add_result: Callable[[np.ndarray, GenerationParams], Any],
        show_error: Callable[[str], None],
        sweep_cells: SweepCells | None = None,
        runner: FarmRunner | None = None,
    ) -> None:
        super().__init__(parent)
        self.parent_widget = parent
        self.settings = settings
        self.config = load_farm_config(settings)
        self.build_job = build_job
        self.sweep_cells = sweep_cells
        self.status = status
        self.add_result = add_result
        self.show_error = show_error
        self.runner = runner or FarmRunner(self)
        self.widget = FarmStatus()
        status.addPermanentWidget(self.widget)
        self.settings_dialog: FarmSettingsDialog | None = None
        self.send_dialog: SendToFarmDialog | None = None
        self.request: FarmRequest | None = None
        self.actions: dict[str, Any] = {}
        self._shown: list[GenerationParams] = []  # the images the dialog's summary describes
        self.last_report: FarmReport | None = None
        self.widget.cancel_requested.connect(self.cancel)
        self.widget.open_requested.connect(self.open_folder)
        self.runner.progress.connect(self._progress)
        self.runner.image_ready.connect(self._image)
        self.runner.finished.connect(self._finished)

    # --- Settings ▸ Render farm… ----------------------------------------------------------
    def open_settings(self) -> FarmSettingsDialog:
        dialog = FarmSettingsDialog(self.config, self.parent_widget)
        dialog.accepted.connect(lambda: self.set_config(dialog.config()))
        self.settings_dialog = dialog
        dialog.open()
        return dialog

    def set_config(self, config: FarmConfig) -> None:
        self.config = config.validated()
        save_farm_config(self.settings, self.config)
        if self.send_dialog is not None:
            self.refresh()

    # --- Generate ▸ Render on farm… -------------------------------------------------------
    def open_send(self) -> SendToFarmDialog:
        if self.send_dialog is None:
            folder = self._stored("farm/folder", _default_folder())
            try:
                images = int(self._stored("farm/images", 8))
            except (TypeError, ValueError):  # a settings file edited by hand
                images = 8
            dialog = SendToFarmDialog(self.parent_widget, folder, images)
            dialog.settings_button.clicked.connect(self.open_settings)
            dialog.render_button.clicked.connect(self.send)
            for signal in (
                dialog.what.currentIndexChanged,
                dialog.images.valueChanged,
                dialog.folder.textChanged,
            ):
                signal.connect(lambda *_: self.refresh())
            self.send_dialog = dialog
        self.refresh()
        self.send_dialog.show()
        self.send_dialog.raise_()
        return self.send_dialog

    def _stored(self, key: str, default: Any) -> Any:
        value = self.settings.value(key) if self.settings is not None else None
        return default if value in (None, "") else value

    def plan(self) -> tuple[list[GenerationParams], np.ndarray | None, np.ndarray | None]:
        """The images the dialog describes (one params each); raises UserError."""
        dialog = self.send_dialog
        if dialog is not None and dialog.kind() != SEEDS:
            if self.sweep_cells is None:
                raise UserError("no sweep to send; set one up in Generate ▸ Sweep… first")
            cells, image = self.sweep_cells()
            return cells, image, None
        params, image, mask = self.build_job()
        count = dialog.images.value() if dialog is not None else params.count
        return params.replace(count=count).per_image(), image, mask

    def refresh(self) -> None:
        dialog = self.send_dialog
        if dialog is None:
            return
        try:
            images, _image, _mask = self.plan()
        except UserError as exc:
            dialog.show_summary(str(exc), False, self.config.describe())
            return
        self._shown = images
        first = images[0]
        prompt = first.prompt if len(first.prompt) <= 48 else first.prompt[:47] + "…"
        seeds = sorted({p.seed for p in images})
        seed_text = f"seed {seeds[0]}" if len(seeds) == 1 else f"seeds {seeds[0]}–{seeds[-1]}"
        text = (
            f"{len(images)} image{'s' if len(images) != 1 else ''} of “{prompt}” · {first.mode} · "
            f"{first.width}×{first.height} · {first.steps} steps · {seed_text} · {first.model}"
        )
        busy = " (a farm render is running: wait or cancel it first)" if self.runner.busy else ""
        dialog.show_summary(text + busy, not busy, self.config.describe())

    def send(self) -> bool:
        """Send the dialog's batch to the farm; False (and a message) when it cannot go."""
        dialog = self.send_dialog
        if dialog is None:
            dialog = self.open_send()
        if not ray_available():
            self.show_error(RAY_MISSING_APP)
            return False
        if self.runner.busy:
            self.show_error("a farm render is already running: wait for it or cancel it")
            return False
        try:
            images, image, mask = self.plan()
            images = _as_shown(images, self._shown)
            config = self.config.validated()
        except UserError as exc:
            self.show_error(str(exc))
            return False
        folder = str(Path(dialog.folder.text().strip() or _default_folder()).expanduser())
        if self.settings is not None:
            self.settings.setValue("farm/folder", folder)
            self.settings.setValue("farm/images", dialog.images.value())
        self.request = FarmRequest(config, folder, tuple(images), image, mask)
        self.runner.start(self.request)
        self.widget.started(len(images), config.describe().split(" · ")[0])
        self.status.showMessage(f"render farm: sending {len(images)} images to {folder}", 5000)
        dialog.hide()
        return True

    def cancel(self) -> None:
        if self.runner.busy:
            self.runner.cancel()
            self.widget.cancelling()

    def open_folder(self) -> None:
        if self.request is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(self.request.directory))

    def shutdown(self) -> None:
        """Closing the window: stop the farm, keeping what it finished. A Ray runtime still
        starting cannot be interrupted, and a running QThread must not be destroyed: wait."""
        if not self.runner.wait():
            self.status.showMessage("stopping the render farm…")
            self.runner.wait(-1)

    # --- runner signals -------------------------------------------------------------------
    @Slot(int, int)
    def _progress(self, done: int, total: int) -> None:
        self.widget.progressed(done, total)

    @Slot(object, object)
    def _image(self, pixels: np.ndarray, params: GenerationParams) -> None:
        self.add_result(pixels, params)

    @Slot(object)
    def _finished(self, report: FarmReport) -> None:
        self.last_report = report
        if report.error is not None:
            ended = f"farm failed: {report.done}/{report.total} kept"
        elif report.cancelled:
            ended = f"farm cancelled: {report.done}/{report.total} kept"
        else:
            ended = f"farm done: {report.total}/{report.total} images"
        self.widget.ended(ended, report.done, report.total, report.summary())
        if report.error is not None:
            self.show_error(report.summary())
        else:
            self.status.showMessage(report.summary(), 10000)
        self.refresh()
