"""Models at startup and in Settings ▸ Models: scan, pick the default, first-run page, downloads."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QWidget

from studio.core.errors import UserError
from studio.core.hub_token import TokenStore
from studio.core.models.defaults import BUILTIN_DEFAULT, default_model, has_real_checkpoint
from studio.core.models.folders import add_model_dir, remove_model_dir
from studio.core.models.hub_id import HubRef
from studio.core.models.recommended import Recommended
from studio.core.settings import Settings
from studio.jobs.controller import JobController
from studio.jobs.model_jobs import DownloadQueue, ModelScan
from studio.ui.generate.prompt_panel import PromptPanel
from studio.ui.models.dialog import ModelsDialog
from studio.ui.models.download_row import download_key
from studio.ui.models.token_dialog import TokenDialog
from studio.ui.state.presenter import Presenter

BUILTIN_NAMES = (BUILTIN_DEFAULT, "tiny", "tiny-inpaint", "mini")


class ModelsPresenter(Presenter):
    """Its Models… action goes in the Settings menu (the shell puts it there)."""

    def __init__(self, controller: JobController, panel: PromptPanel, parent: QWidget) -> None:
        super().__init__(parent)
        self.controller, self.panel, self.parent_widget = controller, panel, parent
        self.entries: list = []
        self.dialog: ModelsDialog | None = None
        self.scan = ModelScan(self)
        self.scan.scanned.connect(self._on_scanned)
        self.scan.failed.connect(self.error)
        self.tokens = TokenStore()
        self.downloads = DownloadQueue(self, token=self.tokens.get)
        self.downloads.token_needed.connect(self._on_token_needed)
        self.token_dialog: TokenDialog | None = None
        self._items: dict[str, Recommended | HubRef] = {}  # key -> what was asked (to retry)
        self._awaiting_token: dict[str, str] = {}  # key -> the hub's one-line answer
        self.downloads.queued.connect(lambda key: self._row(key, "set_queued"))
        self.downloads.progress.connect(lambda key, p: self._row(key, "set_progress", p))
        self.downloads.finished.connect(self._on_downloaded)
        self.downloads.failed.connect(lambda key, msg: self._row(key, "set_done", msg, False))
        self.downloads.cancelled.connect(
            lambda key: self._row(key, "set_done", "cancelled (it resumes next time)", False)
        )
        self._starting = False
        self._adopt_default = False
        action = QAction("&Models…", parent)
        action.setObjectName("modelsAction")
        action.triggered.connect(self.show_dialog)
        self.action = action

    # --- startup -----------------------------------------------------------------------
    def start_engine(self) -> None:
        """Scan for models, then start the worker on the default model (the first real one)."""
        self._starting = True
        self.rescan()

    def rescan(self, hashes: bool = False) -> None:
        settings = Settings.load()
        if self.dialog is not None:
            self.dialog.set_folders(settings.model_dirs)
            self.dialog.summary.setText("Computing hashes…" if hashes else "Scanning…")
        self.scan.start(settings.model_dirs, settings.upscaler_dirs, hashes=hashes)

    @Slot(object)
    def _on_scanned(self, entries: list) -> None:
        self.entries = entries
        if self.dialog is not None:
            self.dialog.set_entries(entries)
        names = [
            e.name if e.is_folder and e.root == "Hugging Face cache" else str(e.path)
            for e in entries
            if e.kind in ("checkpoint", "inpaint")
        ]
        if names:
            self.panel.set_models(names)
        panel = self.panel
        if self._adopt_default and has_real_checkpoint(entries):  # the first download landed
            self._adopt_default = False
            if panel.model.currentText().strip() in BUILTIN_NAMES:
                panel.model.setCurrentText(default_model(entries))
                self.controller.start(panel.params().model)
        if not self._starting:
            return
        self._starting = False
        if has_real_checkpoint(entries):
            if panel.model.currentText().strip() in BUILTIN_NAMES:
                panel.model.setCurrentText(default_model(entries))
        else:
            self.show_dialog(first_run=True)
        self.controller.start(panel.params().model)

    # --- the dialog --------------------------------------------------------------------
    def show_dialog(self, first_run: bool = False) -> ModelsDialog:
        if self.dialog is None:
            dialog = ModelsDialog(self.parent_widget)
            dialog.rescan_requested.connect(self.rescan)
            dialog.hashes_requested.connect(lambda: self.rescan(hashes=True))
            dialog.folder_added.connect(self.add_folder)
            dialog.folder_removed.connect(self.remove_folder)
            dialog.download_requested.connect(self.download)
            dialog.cancel_requested.connect(lambda item: self.downloads.cancel(download_key(item)))
            self.dialog = dialog
        self.dialog.set_folders(Settings.load().model_dirs)
        self.dialog.set_entries(self.entries)
        if first_run:
            self.dialog.show_first_run()
        self.dialog.show()
        self.dialog.raise_()
        return self.dialog

    @Slot(str)
    def add_folder(self, folder: str) -> None:
        try:
            add_model_dir(Path(folder))
        except UserError as exc:
            self.error.emit(str(exc))
            return
        self.rescan()

    @Slot(str)
    def remove_folder(self, folder: str) -> None:
        if not remove_model_dir(Path(folder)):
            self.error.emit(
                f"{folder} comes from STUDIO_MODEL_DIRS, not the settings; change it there"
            )
        self.rescan()

    @Slot(object)
    def download(self, item: Recommended | HubRef) -> None:
        key = download_key(item)
        self._items[key] = item
        self.downloads.enqueue(key, item.repo_id, item.filename)

    # --- gated and private models: ask for a token once, keep it, retry ---------------------
    @Slot(str, str, str, str)
    def _on_token_needed(self, key: str, repo_id: str, reason: str, message: str) -> None:
        if reason == "refused":
            self.tokens.forget()
        self._awaiting_token[key] = message
        self._row(key, "set_done", "waiting for a Hugging Face token…", False)
        if self.token_dialog is not None:
            return  # one question for every download waiting on it
        parent = self.dialog if self.dialog is not None else self.parent_widget
        dialog = TokenDialog(repo_id, reason, self.tokens.where(), parent)
        dialog.finished.connect(self._on_token_answer)
        self.token_dialog = dialog
        dialog.open()

    @Slot(int)
    def _on_token_answer(self, result: int) -> None:
        dialog, self.token_dialog = self.token_dialog, None
        waiting, self._awaiting_token = self._awaiting_token, {}
        if dialog is None:
            return
        token = dialog.token()
        dialog.deleteLater()
        if result != QDialog.DialogCode.Accepted or not token:
            for key, message in waiting.items():
                self._row(key, "set_done", message, False)
            return
        saved = self.tokens.save(token)
        self.message.emit(saved.message, 10000)
        for key in waiting:
            item = self._items.get(key)
            if item is not None:
                self.downloads.enqueue(key, item.repo_id, item.filename)

    def _row(self, key: str, method: str, *args) -> None:
        if self.dialog is not None and key in self.dialog.rows:
            getattr(self.dialog.rows[key], method)(*args)

    @Slot(str, str)
    def _on_downloaded(self, key: str, path: str) -> None:
        self._row(key, "set_done", f"downloaded to {path}", True)
        self._adopt_default = True
        self.rescan()

    def shutdown(self) -> None:
        if self.token_dialog is not None:
            self.token_dialog.reject()
        for key in list(self.dialog.rows) if self.dialog is not None else []:
            self.downloads.cancel(key)
