"""The main window: canvas in the centre, prompt panel, variations and queue docks, status bar."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QUndoStack
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMessageBox, QWidget

from studio.core.brush import Rect
from studio.core.document import Document, Edit
from studio.core.document.ora import Variation as OraVariation
from studio.core.params import GenerationParams
from studio.jobs.controller import JobController
from studio.ui.canvas.brush_controls import BrushControls
from studio.ui.canvas.brush_presenter import BrushPresenter
from studio.ui.canvas.view import CanvasView
from studio.ui.generate.presenter import GenerationPresenter
from studio.ui.generate.prompt_panel import PromptPanel
from studio.ui.generate.queue_view import QueueView
from studio.ui.layers.importer import LayerImporter
from studio.ui.layers.presenter import LayersPresenter
from studio.ui.shell import actions as window_actions
from studio.ui.shell import features
from studio.ui.shell import menus as shell_menus
from studio.ui.shell.autosave import Autosaver
from studio.ui.shell.dialogs import ask_canvas_size
from studio.ui.shell.files import FilesPresenter
from studio.ui.shell.settings import load_params, save_params
from studio.ui.shell.status import StatusBar
from studio.ui.state.document_model import DocumentModel
from studio.ui.variations.result_preview import ResultPreview
from studio.ui.variations.strip import Variation, VariationsStrip

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    def __init__(self, controller: JobController, settings: QSettings | None = None) -> None:
        super().__init__()
        self.setWindowTitle("Studio")
        self.setObjectName("StudioMainWindow")
        self.setAcceptDrops(True)
        self.controller = controller
        self.settings = settings
        self.model = DocumentModel(self)  # the document, its undo stack, file and preview
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
        # the right column runs the window's full height; the strip and queue sit under the canvas
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        self.resizeDocks([self._docks[1], self._docks[2]], [760, 260], Qt.Orientation.Horizontal)
        self.resizeDocks([self._docks[0]], [360], Qt.Orientation.Horizontal)

        self.results = ResultPreview(  # a result stays on the canvas until applied or Esc
            self.model,
            self.canvas,
            self.strip,
            self.status,
            controller,
            lambda: self.layers.apply_onto_active,
            lambda: self.files.last_dir(),
        )
        # first to hear the controller: upscale and vary jobs then refine its status lines
        self.generation = GenerationPresenter(
            controller,
            self.model,
            self.panel,
            self.canvas,
            self.status,
            self.strip,
            self.queue_view,
            self.results,
            lambda params, w, h: self.inpaint_tools.processing_size(params, w, h),
        )
        self.inpaint_tools = features.inpaint_tools(self)  # context box, Expand canvas
        self.upscale_ui = features.upscale(self)  # Image ▸ Upscale…
        self.variations = features.variations(self)  # star, grid, compare, export (issue 5)
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
        self.brush = BrushPresenter(self.canvas, self.brush_controls, self.status)
        self.importer = LayerImporter(
            self.model, self.canvas, self.files.load, self.files.confirm_discard
        )
        self._dock("Layers", "layersDock", self.layers.panel, Qt.DockWidgetArea.RightDockWidgetArea)
        self.splitDockWidget(self._docks[0], self._docks[-1], Qt.Orientation.Vertical)
        self.resizeDocks([self._docks[0], self._docks[-1]], [625, 235], Qt.Orientation.Vertical)
        self.actions_ = window_actions.build(self)
        window_actions.build_menus(self, self.actions_)
        window_actions.build_toolbar(self, self.actions_)
        self.models_ui = features.models(self)  # Settings ▸ Models, first run, downloads
        shell_menus.install(self)  # Open Recent, Paste as new document, Layers menu
        self.vary = features.vary(self)  # Vary (Subtle/Strong), issue 14
        self.sweeps = features.sweeps(self)  # Generate ▸ Sweep…, issue 14
        self.history_ui = features.history(self)  # the lasting History dock, issue 14
        self.farm = features.farm(self)  # Settings ▸ Render farm, Render on farm…, issue 17
        self.backend_menu = features.backend(self)  # Settings ▸ Backend (OpenVINO), issue 15
        self.strip.addAction(self.actions_["apply"])
        self._wire()

        self.queue_view.show_jobs(None, [])
        self.resize(1400, 900)
        self.restore_settings()
        self.update_mode()
        self._update_title()

    def _wire(self) -> None:
        self.canvas.stroke_finished.connect(self.push_edit)
        self.canvas.zoom_changed.connect(self.status.set_zoom)
        self.status.set_zoom(self.canvas.zoom)  # truthful before the first zoom change
        self.strip.reuse_requested.connect(lambda v: self.panel.set_params(v.params))
        self.panel.generate_requested.connect(self.generate)
        self.panel.cancel_requested.connect(self.cancel)
        self.panel.mode_override_changed.connect(self.update_mode)
        self.queue_view.remove_requested.connect(self.controller.remove)
        self.queue_view.clear_requested.connect(self.clear_queue)
        self.undo_stack.indexChanged.connect(lambda _i: self.update_mode())
        self.model.image_changed.connect(self._image_edited)
        self.model.mask_changed.connect(self.canvas.refresh_mask)
        self.model.replaced.connect(self._document_replaced)
        self.model.modified_changed.connect(lambda _m: self._update_title())
        self.model.path_changed.connect(self._update_title)
        for presenter in (self.files, self.importer):
            presenter.message.connect(lambda text: self.status.showMessage(text, 6000))
            presenter.error.connect(self.show_error)
        for presenter in (self.results, self.generation):
            presenter.error.connect(self.show_error)
        self.generation.submitted.connect(self.remember_params)
        self.results.applied.connect(lambda _v: self.autosave.save_soon())
        self.files.opened.connect(self._restore_from_file)

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

    def _image_edited(self, rect: Rect | None = None) -> None:
        size_changed = self.canvas.shown_size != (self.document.width, self.document.height)
        if rect is not None and not size_changed:
            self.canvas.refresh_region(rect)  # a stroke or a layer change: only that rect
            return
        self.model.set_preview(None)
        self.canvas.set_document(self.document, fit=size_changed)

    def set_document(self, document: Document) -> None:
        """Show another document without asking (File ▸ New/Open ask first: self.files)."""
        self.model.set_document(document)

    def _document_replaced(self) -> None:
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

    def _file_variations(self) -> list[OraVariation]:
        return [OraVariation(r.image, r.params, r.starred) for r in self.strip.session.results()]

    def _restore_from_file(self, loaded: object) -> None:
        for variation in getattr(loaded, "variations", []):
            result = self.strip.add(variation.image, variation.params, 0)
            if variation.starred:
                self.strip.session.toggle_star(result)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            self.importer.add_files(paths)
            event.acceptProposedAction()

    def _update_title(self) -> None:
        self.setWindowTitle(f"{self.model.title()} — Studio")

    # --- generation and variations ---------------------------------------------------------
    def generate(self) -> int | None:
        return self.generation.generate()

    def cancel(self) -> None:
        """Esc: cancel the running job, or else take the previewed result off the canvas."""
        if not self.generation.cancel():
            self.results.dismiss()

    def cancel_all(self) -> None:
        self.controller.cancel_all()

    def clear_queue(self) -> None:
        for job in self.controller.pending():
            self.controller.remove(job.id)

    @property
    def showing_variation(self) -> Variation | None:
        """The result shown over the canvas until applied or dismissed (the model's preview)."""
        return self.results.shown

    def apply_variation(self, variation: Variation) -> None:
        self.results.apply(variation)

    def delete_selected_variation(self) -> None:
        self.variations.delete_selected()  # the grid's selection when it has focus

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
            self.brush.set_size(float(brush_size))

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
