"""File ▸ New / Open / Save / Save As / Open Recent, asking before unsaved work is lost.

`.ora` (OpenRaster) keeps every layer, the mask, the panel's parameters and the session's
variations; PNG/JPEG/WebP open as one layer; saving as PNG flattens the visible composite
with the parameters embedded. Every save goes through a temp file and a rename.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtWidgets import QFileDialog, QMenu, QWidget

from studio.core.document import Document
from studio.core.document.ora import OraFile, Variation, read_ora, save_ora
from studio.core.errors import UserError
from studio.core.imagefiles import read_image, save_png
from studio.core.metadata import params_from_text_chunks
from studio.core.params import GenerationParams
from studio.ui.shell import prompts
from studio.ui.state.document_model import DocumentModel

OPEN_FILTER = (
    "Pictures (*.ora *.png *.jpg *.jpeg *.webp *.bmp *.tif *.tiff);;"
    "OpenRaster (*.ora);;All files (*)"
)
SAVE_FILTER = "OpenRaster, keeps layers (*.ora);;PNG image, flattened (*.png)"
RECENT_KEY = "files/recent"
MAX_RECENT = 10


class FilesPresenter(QObject):
    opened = Signal(object)  # OraFile (panel params and variations to restore), or None
    message = Signal(str)
    error = Signal(str)

    def __init__(
        self,
        parent: QWidget,
        model: DocumentModel,
        settings: QSettings | None,
        panel_params: Callable[[], GenerationParams | None] = lambda: None,
        variations: Callable[[], list[Variation]] = list,
    ) -> None:
        super().__init__(parent)
        self.parent_widget = parent
        self.model = model
        self.settings = settings
        self.panel_params = panel_params
        self.variations = variations
        self.ask_save: Callable[[QWidget, str], str] | None = None  # None: the real dialog
        self.recent_menu = QMenu("Open &Recent", parent)
        self.recent_menu.setObjectName("recentMenu")
        self._rebuild_recent()

    # --- asking first ---------------------------------------------------------------------
    def confirm_discard(self) -> bool:
        """True when the current document may be replaced (saved, discarded or unchanged)."""
        if not self.model.modified:
            return True
        name = self.model.path.name if self.model.path else "untitled"
        answer = (self.ask_save or prompts.ask_save_changes)(self.parent_widget, name)
        if answer == "save":
            return self.save()
        return answer == "discard"

    # --- new and open ----------------------------------------------------------------------
    def new(self, size: tuple[int, int]) -> bool:
        if not self.confirm_discard():
            return False
        self.model.set_document(Document.blank(*size))
        return True

    def open_dialog(self) -> bool:
        if not self.confirm_discard():
            return False
        path, _ = QFileDialog.getOpenFileName(
            self.parent_widget, "Open picture", self.last_dir(), OPEN_FILTER
        )
        return bool(path) and self.open_path(path, ask=False)

    def open_path(self, path: str | Path, ask: bool = True) -> bool:
        if ask and not self.confirm_discard():
            return False
        path = Path(path)
        try:
            loaded = self.load(path)
        except UserError as exc:
            self.error.emit(str(exc))
            return False
        self.model.set_document(loaded.document)
        self.opened.emit(loaded)
        self._remember(path)
        has_params = loaded.document.params is not None
        note = " — it has parameters: Generate › Reuse parameters" if has_params else ""
        self.message.emit(f"opened {path.name}{note}")
        return True

    @staticmethod
    def load(path: Path) -> OraFile:
        if path.suffix.lower() == ".ora":
            return read_ora(path)
        pixels, chunks = read_image(path)
        params = params_from_text_chunks(chunks)
        return OraFile(Document.from_image(pixels, params, path))

    # --- saving ------------------------------------------------------------------------------
    def save(self) -> bool:
        path = self.model.path
        if path is None or path.suffix.lower() not in (".ora", ".png"):
            return self.save_as()
        return self.save_to(path)

    def save_as(self) -> bool:
        current = self.model.path
        start = (
            str(current.with_suffix(".ora"))
            if current
            else str(Path(self.last_dir() or ".") / "untitled.ora")
        )
        path, chosen = QFileDialog.getSaveFileName(
            self.parent_widget, "Save picture", start, SAVE_FILTER
        )
        if not path:
            return False
        if not path.lower().endswith((".ora", ".png")):
            path += ".png" if "png" in chosen.lower() else ".ora"
        return self.save_to(Path(path))

    def save_to(self, path: Path) -> bool:
        doc = self.model.document
        try:
            if path.suffix.lower() == ".png":
                save_png(path, doc.image, doc.params)  # flattened, parameters embedded
            else:
                save_ora(path, doc, self.panel_params(), self.variations())
        except OSError as exc:
            reason = exc.strerror or exc
            self.error.emit(f"could not save {path.name}: {reason}; try another folder")
            return False
        self.model.mark_saved(path)
        self._remember(path)
        self.message.emit(f"saved {path}")
        return True

    # --- recent files ---------------------------------------------------------------------------
    def recent(self) -> list[str]:
        if self.settings is None:
            return []
        value = self.settings.value(RECENT_KEY, [])
        items = [value] if isinstance(value, str) else list(value or [])
        return [str(item) for item in items if item]

    def _remember(self, path: Path) -> None:
        if self.settings is None:
            return
        self.settings.setValue("files/last_dir", str(path.parent))
        items = [str(path)] + [p for p in self.recent() if p != str(path)]
        self.settings.setValue(RECENT_KEY, items[:MAX_RECENT])
        self._rebuild_recent()

    def _rebuild_recent(self) -> None:
        self.recent_menu.clear()
        items = self.recent()
        for item in items:
            action = self.recent_menu.addAction(Path(item).name)
            action.setStatusTip(item)
            action.triggered.connect(lambda _c=False, p=item: self.open_path(p))
        if not items:
            self.recent_menu.addAction("(none yet)").setEnabled(False)

    def last_dir(self) -> str:
        return "" if self.settings is None else str(self.settings.value("files/last_dir", ""))
