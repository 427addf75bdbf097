"""The main window: canvas in the centre, prompt panel, variations and queue docks, status bar."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QGuiApplication, QUndoStack
from PySide6.QtWidgets import QDockWidget, QFileDialog, QMainWindow, QMessageBox, QWidget

from studio.core.brush import Rect
from studio.core.document import Document, Edit, Layer
from studio.core.document.layer_edits import insert_layer_edit
from studio.core.document.ora import Variation as OraVariation
from studio.core.document.results import apply_result_edits
from studio.core.errors import UserError
from studio.core.imagefiles import save_png
from studio.core.params import GenerationParams
from studio.jobs.controller import JobController
from studio.ui.canvas.brush_controls import BrushControls
from studio.ui.canvas.qtimage import from_qimage, to_qimage
from studio.ui.canvas.view import CanvasView
from studio.ui.farm.presenter import install as install_farm
from studio.ui.generate.presenter import GenerationPresenter
from studio.ui.generate.prompt_panel import PromptPanel
from studio.ui.generate.queue_view import QueueView
from studio.ui.inpaint.tools import InpaintTools
from studio.ui.layers.presenter import LayersPresenter
from studio.ui.models.presenter import ModelsPresenter
from studio.ui.shell import actions as window_actions
from studio.ui.shell import menus as shell_menus
from studio.ui.shell.autosave import Autosaver
from studio.ui.shell.dialogs import ask_canvas_size
from studio.ui.shell.files import FilesPresenter
from studio.ui.shell.settings import load_params, save_params
from studio.ui.shell.status import StatusBar
from studio.ui.state.document_model import DocumentModel
from studio.ui.upscale.presenter import UpscalePresenter
from studio.ui.variations.history_panel import HistoryPresenter
from studio.ui.variations.presenter import VariationsPresenter
from studio.ui.variations.strip import Variation, VariationsStrip
from studio.ui.variations.sweep_dialog import SweepPresenter
from studio.ui.variations.vary import VaryPresenter

log = logging.getLogger(__name__)
SAVE_FILTER = "PNG image (*.png)"


class MainWindow(QMainWindow):
    def __init__(self, controller: JobController, settings: QSettings | None = None) -> None:
        super().__init__()
        self.setWindowTitle("Studio")
        self.setObjectName("StudioMainWindow")
        self.setAcceptDrops(True)
        self.controller = controller
        self.settings = settings
        self.model = DocumentModel(self)  # the document, its undo stack and file state
        self.showing_variation: Variation | None = None
        self.last_error: str | None = None
        self._error_box: QMessageBox | None = None
        self._closed = False

        self.canvas = CanvasView()
        self.setCentralWidget(self.canvas)
        self.panel = PromptPanel()
        self.strip = VariationsStrip()
        self.queue_view = QueueView()
        self.status = StatusBar()
        self.setStatusBar(self.status)
        self.brush_controls = BrushControls()
        self._docks: list[QDockWidget] = []
        self._dock("Prompt", "promptDock", self.panel, Qt.DockWidgetArea.RightDockWidgetArea)
        self._dock(
            "Variations", "variationsDock", self.strip, Qt.DockWidgetArea.BottomDockWidgetArea
        )
        self._dock("Queue", "queueDock", self.queue_view, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.splitDockWidget(self._docks[1], self._docks[2], Qt.Orientation.Horizontal)
        self.resizeDocks([self._docks[1], self._docks[2]], [900, 260], Qt.Orientation.Horizontal)
        self.resizeDocks([self._docks[0]], [340], Qt.Orientation.Horizontal)

        self.generation = GenerationPresenter(self, controller)
        self.inpaint_tools = InpaintTools(self)  # context box, Expand canvas, Alt+edge drag
        self.upscale_ui = UpscalePresenter(self)  # Image ▸ Upscale…
        self.variations = VariationsPresenter(self)  # star, grid, compare, export (issue 5)
        self.files = FilesPresenter(  # issue 13: .ora, ask before losing work, recent files
            self, self.model, settings, lambda: self.panel.params(), self._file_variations
        )
        self.autosave = Autosaver(
            self.model,
            self,
            panel_params=lambda: self.panel.params(),
            variations=self._file_variations,
            busy=lambda: self.canvas.stroking,
        )
        self.layers = LayersPresenter(self, self.model, self.canvas, settings)  # issue 13
        self._dock("Layers", "layersDock", self.layers.panel, Qt.DockWidgetArea.RightDockWidgetArea)
        self.splitDockWidget(self._docks[0], self._docks[-1], Qt.Orientation.Vertical)
        self.resizeDocks([self._docks[0], self._docks[-1]], [560, 300], Qt.Orientation.Vertical)
        self.actions_ = window_actions.build(self)
        window_actions.build_menus(self, self.actions_)
        window_actions.build_toolbar(self, self.actions_)
        self.models_ui = ModelsPresenter(self)  # Settings ▸ Models, first run, downloads
        shell_menus.install(self)  # Open Recent, Paste as new document, Layers menu
        self.vary = VaryPresenter(self)  # Vary (Subtle/Strong), issue 14
        self.sweeps = SweepPresenter(self)  # Generate ▸ Sweep…, issue 14
        self.history_ui = HistoryPresenter(self)  # the lasting History dock, issue 14
        self.farm = install_farm(self)  # Settings ▸ Render farm, Render on farm…, issue 17
        self.strip.addAction(self.actions_["apply"])

        self.canvas.stroke_finished.connect(self.push_edit)
        self.canvas.zoom_changed.connect(self.status.set_zoom)
        self.status.set_zoom(self.canvas.zoom)  # truthful before the first zoom change
        self.canvas.files_dropped.connect(self.add_files_as_layers)
        self.brush_controls.size_changed.connect(self._set_brush_size)
        self.brush_controls.hardness_changed.connect(self._set_hardness)
        self.strip.preview_requested.connect(self.preview_variation)
        self.strip.apply_requested.connect(self.apply_variation)
        self.strip.save_requested.connect(self.save_variation)
        self.strip.reuse_requested.connect(lambda v: self.panel.set_params(v.params))
        self.strip.deleted.connect(self._variation_deleted)
        self.panel.generate_requested.connect(self.generate)
        self.panel.cancel_requested.connect(self.cancel)
        self.panel.mode_override_changed.connect(self.update_mode)
        self.queue_view.remove_requested.connect(controller.remove)
        self.queue_view.clear_requested.connect(self.clear_queue)
        self.undo_stack.indexChanged.connect(lambda _i: self.update_mode())
        self.model.image_changed.connect(self._image_edited)
        self.model.mask_changed.connect(self._mask_edited)
        self.model.replaced.connect(self._document_replaced)
        self.model.modified_changed.connect(lambda _m: self._update_title())
        self.model.path_changed.connect(self._update_title)
        self.files.message.connect(lambda text: self.status.showMessage(text, 6000))
        self.files.error.connect(self.show_error)
        self.files.opened.connect(self._restore_from_file)

        self.brush_controls.show_values(self.canvas.brush.size, self.canvas.brush.hardness)
        self.queue_view.show_jobs(None, [])
        self.resize(1400, 900)
        self.restore_settings()
        self.update_mode()
        self._update_title()

    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> None:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.addDockWidget(area, dock)
        self._docks.append(dock)

    def docks(self) -> list[QDockWidget]:
        return list(self._docks)

    # --- document edits --------------------------------------------------------------------
    @property
    def document(self) -> Document:
        return self.model.document

    @property
    def undo_stack(self) -> QUndoStack:
        return self.model.undo_stack

    def push_edit(self, edit: Edit | None) -> None:
        self.model.push(edit)

    def _mask_edited(self, rect: Rect | None) -> None:
        self.canvas.refresh_mask(rect)

    def _image_edited(self, rect: Rect | None = None) -> None:
        size_changed = self.canvas.shown_size != (self.document.width, self.document.height)
        if rect is not None and not size_changed:
            self.canvas.refresh_region(rect)  # a stroke or a layer change: only that rect
            return
        self.showing_variation = None
        self.canvas.set_document(self.document, fit=size_changed)

    def set_document(self, document: Document) -> None:
        """Show another document without asking (File ▸ New/Open ask first: self.files)."""
        self.model.set_document(document)

    def _document_replaced(self) -> None:
        self.showing_variation = None
        self.canvas.set_document(self.document)
        self.update_mode()
        self._update_title()

    def update_mode(self) -> None:
        self.panel.set_auto_mode(self.document.suggested_mode())
        self.inpaint_tools.refresh()

    def invert_mask(self) -> None:
        self.push_edit(self.document.invert_mask_edit())

    def clear_mask(self) -> None:
        self.push_edit(self.document.clear_mask_edit())

    def select_all_mask(self) -> None:
        self.push_edit(self.document.select_all_edit())

    # --- brush -----------------------------------------------------------------------------
    def set_tool(self, tool: str) -> None:
        self.canvas.brush.tool = tool
        self.actions_[tool].setChecked(True)
        self.status.showMessage(f"{'Eraser' if tool == 'eraser' else 'Brush'}", 1500)

    def resize_brush(self, factor: float) -> None:
        self._set_brush_size(self.canvas.brush.size * factor)

    def _set_brush_size(self, size: float) -> None:
        self.canvas.brush.size = float(min(max(size, 1.0), 1024.0))
        self.brush_controls.show_values(self.canvas.brush.size, self.canvas.brush.hardness)
        self.canvas.refresh_outline()

    def change_hardness(self, delta: float) -> None:
        self._set_hardness(self.canvas.brush.hardness + delta)

    def _set_hardness(self, hardness: float) -> None:
        self.canvas.brush.hardness = float(min(max(hardness, 0.0), 1.0))
        self.brush_controls.show_values(self.canvas.brush.size, self.canvas.brush.hardness)

    def set_pressure(self, on: bool) -> None:
        self.canvas.brush.use_pressure = bool(on)

    # --- files and clipboard ---------------------------------------------------------------
    def new_document(self) -> None:
        if not self.files.confirm_discard():
            return
        size = ask_canvas_size(self, self.panel.width_box.value(), self.panel.height_box.value())
        if size is not None:
            self.autosave.discard()
            self.set_document(Document.blank(*size))
            self.panel.width_box.setValue(size[0])
            self.panel.height_box.setValue(size[1])

    def open_dialog(self) -> None:
        self.files.open_dialog()

    def open_path(self, path: str | Path) -> bool:
        return self.files.open_path(path)

    def save(self) -> bool:
        return self.files.save()

    def save_as(self) -> bool:
        return self.files.save_as()

    def _save_to(self, path: Path) -> bool:
        return self.files.save_to(path)

    def _file_variations(self) -> list[OraVariation]:
        return [OraVariation(r.image, r.params, r.starred) for r in self.strip.session.results()]

    def _restore_from_file(self, loaded: object) -> None:
        for variation in getattr(loaded, "variations", []):
            result = self.strip.add(variation.image, variation.params, 0)
            if variation.starred:
                self.strip.session.toggle_star(result)

    def add_files_as_layers(self, paths: list[str]) -> None:
        """Dropped files become layers of the open document (nothing is replaced)."""
        for path in paths:
            try:
                loaded = self.files.load(Path(path))
            except UserError as exc:
                self.show_error(str(exc))
                continue
            pixels = np.array(loaded.document.composite_rgba())
            self.add_layer_from_pixels(pixels, Path(path).stem, "Add layer from file")

    def add_layer_from_pixels(self, pixels: np.ndarray, name: str, label: str) -> None:
        """A new layer above the active one, centred on the view."""
        height, width = pixels.shape[:2]
        centre = self.canvas.view_centre()
        x = round(centre[0] - width / 2) if width != self.document.width else 0
        y = round(centre[1] - height / 2) if height != self.document.height else 0
        layer = Layer(pixels, name=self.document.unused_name(name), x=x, y=y)
        self.push_edit(insert_layer_edit(self.document, layer, label=label))

    def copy_image(self) -> None:
        QGuiApplication.clipboard().setImage(to_qimage(self.document.image))
        self.status.showMessage("image copied", 2000)

    def paste_image(self) -> None:
        """Ctrl+V: the clipboard image as a new layer at the view's centre."""
        image = QGuiApplication.clipboard().image()
        if image.isNull():
            self.show_error("the clipboard holds no image; copy one first")
            return
        self.add_layer_from_pixels(from_qimage(image, alpha=True), "Pasted", "Paste as layer")

    def paste_as_new_document(self) -> None:
        image = QGuiApplication.clipboard().image()
        if image.isNull():
            self.show_error("the clipboard holds no image; copy one first")
            return
        if self.files.confirm_discard():
            self.set_document(
                Document.from_image(from_qimage(image, alpha=image.hasAlphaChannel()))
            )
            self.model.mark_saved(None)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            self.add_files_as_layers(paths)
            event.acceptProposedAction()

    def _last_dir(self) -> str:
        return self.files.last_dir()

    def _update_title(self) -> None:
        self.setWindowTitle(f"{self.model.title()} — Studio")

    # --- generation and variations ---------------------------------------------------------
    def generate(self) -> int | None:
        return self.generation.generate()

    def cancel(self) -> None:
        if not self.generation.cancel() and self.showing_variation is not None:
            self.showing_variation = None
            self.canvas.clear_preview()

    def cancel_all(self) -> None:
        self.controller.cancel_all()

    def clear_queue(self) -> None:
        for job in self.controller.pending():
            self.controller.remove(job.id)

    def preview_variation(self, variation: Variation) -> None:
        if self.controller.current is not None:
            return  # the live preview has the canvas while a job runs
        self.showing_variation = variation
        self.canvas.show_preview(variation.image)
        self.status.showMessage(
            f"previewing seed {variation.params.seed} — Enter applies, Esc goes back", 5000
        )

    def apply_variation(self, variation: Variation) -> None:
        """The result becomes a new layer (or paints onto the active one: Layers ▸ setting)."""
        label = f"Apply seed {variation.params.seed}"
        onto = self.layers.apply_onto_active
        edits = apply_result_edits(self.document, variation.image, variation.params, label, onto)
        self.undo_stack.beginMacro(label)
        for edit in edits:
            self.push_edit(edit)
        self.undo_stack.endMacro()
        self.showing_variation = None
        self.canvas.clear_preview()
        self.status.showMessage(f"applied seed {variation.params.seed} as a layer", 3000)
        self.autosave.save_soon()

    def apply_selected(self) -> None:
        variation = self.showing_variation or self.strip.selected()
        if variation is not None:
            self.apply_variation(variation)

    def save_variation(self, variation: Variation) -> None:
        name = f"seed-{variation.params.seed}.png"
        start = str(Path(self._last_dir() or ".") / name)
        path, _ = QFileDialog.getSaveFileName(self, "Save variation", start, SAVE_FILTER)
        if path:
            try:
                save_png(path, variation.image, variation.params)
            except OSError as exc:
                self.show_error(f"could not save {Path(path).name}: {exc.strerror or exc}")

    def save_selected_variation(self) -> None:
        if (variation := self.strip.selected()) is not None:
            self.save_variation(variation)

    def delete_selected_variation(self) -> None:
        self.variations.delete_selected()  # the grid's selection when it has focus

    def _variation_deleted(self, variation: Variation) -> None:
        if self.showing_variation is variation:
            self.showing_variation = None
            self.canvas.clear_preview()

    def reuse_parameters(self) -> None:
        variation = self.variations.current()
        params = variation.params if variation is not None else self.document.params
        if params is None:
            self.show_error("nothing to reuse: select a variation or open an image made by Studio")
            return
        self.panel.set_params(params)
        self.status.showMessage("parameters filled in", 3000)

    def show_error(self, message: str) -> None:
        """Tell the user without blocking: status line plus a non-modal message box."""
        log.warning("%s", message)
        self.last_error = message
        self.status.showMessage(f"⚠ {message}", 10000)
        if self._error_box is None:
            self._error_box = QMessageBox(QMessageBox.Icon.Warning, "Studio", "", parent=self)
            self._error_box.setWindowModality(Qt.WindowModality.NonModal)
        self._error_box.setText(message)
        self._error_box.show()

    # --- settings and closing ------------------------------------------------------------
    def remember_params(self, params: GenerationParams) -> None:
        if self.settings is not None:
            save_params(self.settings, params)

    def restore_settings(self) -> None:
        if self.settings is None:
            return
        geometry, state = (
            self.settings.value("window/geometry"),
            self.settings.value("window/state"),
        )
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)
        splitter = self.settings.value("window/prompt_splitter")
        if splitter is not None:
            self.panel.splitter.restoreState(splitter)
        params = load_params(self.settings)
        if params is not None:
            self.panel.set_params(params, include_seed=False)
        brush_size = self.settings.value("brush/size")
        if brush_size is not None:
            self._set_brush_size(float(brush_size))

    def save_settings(self) -> None:
        if self.settings is None:
            return
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.setValue("window/prompt_splitter", self.panel.splitter.saveState())
        self.settings.setValue("brush/size", self.canvas.brush.size)
        save_params(self.settings, self.panel.params())
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._closed and not self.files.confirm_discard():
            event.ignore()  # Cancel: the window stays, with its work
            return
        if not self._closed:
            self._closed = True
            self.autosave.stop()
            self.autosave.discard()
            self.save_settings()
            self.controller.shutdown(2000)
            self.farm.shutdown()
            self.models_ui.shutdown()
            self.variations.shutdown()
            self.undo_stack.cleanChanged.disconnect()
            self.undo_stack.indexChanged.disconnect()
        if self._error_box is not None:
            self._error_box.close()
        event.accept()

    def start_engine(self) -> None:
        """Find the models, then start the worker on the default one (after the window shows)."""
        QTimer.singleShot(0, self.models_ui.start_engine)
