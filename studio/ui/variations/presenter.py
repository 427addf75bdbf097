"""The window's variations features beyond the strip: star, the grid dock, compare with canvas,
and exporting starred/all results off the GUI thread (studio.jobs.export_job)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QModelIndex, QPoint, QSettings, Slot
from PySide6.QtWidgets import QApplication, QDockWidget, QWidget

from studio.core.export import DEFAULT_TEMPLATE
from studio.core.export.formats import DEFAULT_QUALITY
from studio.core.session import Result
from studio.jobs.export_job import ExportReport, ExportRequest, ExportRunner
from studio.ui.canvas.compare_view import CompareView
from studio.ui.generate.prompt_panel import PromptPanel
from studio.ui.state.document_model import DocumentModel
from studio.ui.state.presenter import Presenter
from studio.ui.variations.export_dialog import ExportChoice, ExportDialog
from studio.ui.variations.grid import VariationsGrid
from studio.ui.variations.result_preview import ResultPreview
from studio.ui.variations.strip import VariationsStrip

GRID_SIZE = (980, 660)


class VariationsPresenter(Presenter):
    """The grid dock (the shell docks it), compare and export, bound to the strip's session."""

    def __init__(
        self,
        document: DocumentModel,
        strip: VariationsStrip,
        panel: PromptPanel,
        results: ResultPreview,
        settings: QSettings | None,
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.document, self.strip, self.panel, self.results = document, strip, panel, results
        self.settings, self.parent_widget = settings, parent
        self.model = strip.session
        self.grid = VariationsGrid(self.model)
        self.dock = QDockWidget("Variations grid", parent)
        self.dock.setObjectName("variationsGridDock")
        self.dock.setWidget(self.grid)
        self.dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self._placed = False
        self.compare_view: CompareView | None = None
        self.export_dialog: ExportDialog | None = None
        self._offered: tuple[list[Result], list[Result]] = ([], [])
        self.exporter = ExportRunner(self)
        self.last_export: ExportReport | None = None

        self.dock.visibilityChanged.connect(self._place_grid)
        self.grid.apply_requested.connect(results.apply)
        self.grid.reuse_requested.connect(self.reuse)
        self.grid.save_requested.connect(lambda v: results.save(v))
        self.grid.compare_requested.connect(self.compare)
        self.grid.export_requested.connect(self.open_export_dialog)
        self.grid.view.selectionModel().currentChanged.connect(self._grid_current_changed)
        strip.compare_requested.connect(self.compare)
        self.model.result_removed.connect(self._removed)
        self.model.result_changed.connect(self._changed)
        self.exporter.progress.connect(self._export_progress)
        self.exporter.finished.connect(self._export_finished)

    def float_grid(self) -> None:
        """Once docked in the window: a window of its own by default (it can be docked)."""
        self.dock.setFloating(True)
        self.dock.resize(*GRID_SIZE)
        self.dock.hide()

    # --- which results the window's actions act on ---------------------------------------
    def grid_has_focus(self) -> bool:
        focus = QApplication.focusWidget()
        return self.dock.isVisible() and focus is not None and self.grid.isAncestorOf(focus)

    def selected(self) -> list[Result]:
        """The grid's selection while it has the focus, else the strip's current result."""
        if self.grid_has_focus():
            current = self.grid.current()
            return self.grid.selected() or ([current] if current is not None else [])
        variation = self.strip.selected()
        return [variation] if variation is not None else []

    def current(self) -> Result | None:
        if self.grid_has_focus():
            return self.grid.current()
        return self.strip.selected()

    # --- star, delete, reuse -------------------------------------------------------------
    def toggle_star(self) -> None:
        chosen = self.selected()
        if not chosen:
            self.message.emit("select a variation to star it", 3000)
            return
        starred = self.model.star_all(chosen)
        seeds = ", ".join(str(r.params.seed) for r in chosen)
        self.message.emit(f"{'starred' if starred else 'unstarred'} seed {seeds}", 3000)

    def delete_selected(self) -> None:
        for result in self.selected():
            self.model.remove(result)

    def reuse(self, result: Result) -> None:
        self.panel.set_params(result.params)
        self.message.emit(f"parameters of seed {result.params.seed} filled in", 3000)

    # --- grid ----------------------------------------------------------------------------
    def show_grid(self, visible: bool = True) -> None:
        self.dock.setVisible(visible)
        if visible:
            self.dock.raise_()
            self.grid.view.setFocus()

    @Slot(bool)
    def _place_grid(self, visible: bool) -> None:
        """The first time the floating grid opens, centre it over the main window."""
        if not visible or self._placed or not self.dock.isFloating():
            return
        self._placed = True
        frame = self.parent_widget.frameGeometry()
        width, height = GRID_SIZE
        self.dock.resize(width, height)
        self.dock.move(frame.center() - QPoint(width // 2, height // 2))

    # --- compare -------------------------------------------------------------------------
    def compare(self, result: Result | None = None) -> None:
        result = result or self.current()
        if result is None:
            self.message.emit("select a variation to compare with the canvas", 3000)
            return
        if self.compare_view is None:
            self.compare_view = CompareView(self.parent_widget)
            self.compare_view.apply_requested.connect(self._apply_from_compare)
        doc = self.document.document
        self.compare_view.show_pair(doc.image if doc.has_image else None, result)
        self.compare_view.show()
        self.compare_view.raise_()

    def _apply_from_compare(self, result: Result) -> None:
        self.results.apply(result)
        self.compare(result)  # the canvas side now shows the applied image

    def _grid_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        result = self.grid.result(current)
        if result is not None and self.compare_view is not None and self.compare_view.isVisible():
            self.compare(result)

    def _removed(self, result: Result) -> None:
        if self.compare_view is not None and self.compare_view.result is result:
            self.compare_view.clear_result()

    def _changed(self, result: Result) -> None:
        view = self.compare_view
        if view is not None and view.result is result and view.isVisible():
            self.compare(result)

    # --- export --------------------------------------------------------------------------
    def _setting(self, key: str, default: str) -> str:
        settings = self.settings
        return default if settings is None else str(settings.value(f"export/{key}", default))

    def open_export_dialog(self) -> ExportDialog | None:
        """Open the (window-modal, non-blocking) export dialog; Export starts the export."""
        if self.exporter.busy:
            self.message.emit("an export is already running", 4000)
            return None
        if len(self.model.session) == 0:
            self.error.emit("nothing to export yet: generate some variations first")
            return None
        self._offered = (self.model.starred(), self.model.results())
        dialog = ExportDialog(
            self.parent_widget,
            starred=[r.params for r in self._offered[0]],
            all_results=[r.params for r in self._offered[1]],
            directory=self._setting("dir", str(Path.home() / "Studio exports")),
            template=self._setting("template", DEFAULT_TEMPLATE),
            fmt=self._setting("format", "png"),
            quality=int(self._setting("quality", str(DEFAULT_QUALITY))),
        )
        dialog.accepted.connect(lambda: self.export(dialog.result_choice()))
        dialog.finished.connect(dialog.deleteLater)
        self.export_dialog = dialog
        dialog.open()
        return dialog

    def export(self, choice: ExportChoice, results: list[Result] | None = None) -> bool:
        """Export `results` (default: what the dialog offered, still in the session)."""
        if results is None:
            offered = self._offered[0] if choice.starred_only else self._offered[1]
            results = [r for r in offered if r in self.model.session]
        if not results:
            self.error.emit("nothing to export: every chosen result was deleted")
            return False
        request = ExportRequest(
            directory=choice.directory,
            template=choice.template,
            items=tuple((r.image, r.params) for r in results),
            fmt=choice.fmt,
            quality=choice.quality,
        )
        if not self.exporter.start(request):
            self.message.emit("an export is already running", 4000)
            return False
        settings = self.settings
        if settings is not None:
            for key, value in (
                ("dir", choice.directory),
                ("template", choice.template),
                ("format", choice.fmt),
                ("quality", choice.quality),
            ):
                settings.setValue(f"export/{key}", value)
        self.message.emit(f"exporting {len(results)} images…", 0)
        return True

    @Slot(int, int)
    def _export_progress(self, done: int, total: int) -> None:
        self.message.emit(f"exporting {done}/{total}…", 0)

    @Slot(object)
    def _export_finished(self, report: ExportReport) -> None:
        self.last_export = report
        if report.errors:
            self.error.emit(report.summary())
        else:
            self.message.emit(report.summary(), 10000)

    def shutdown(self) -> None:
        """Finish (cancel) a running export before the window goes away."""
        self.exporter.wait()
        if self.compare_view is not None:
            self.compare_view.close()
