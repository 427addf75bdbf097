"""Image ▸ Upscale…: jobs through the real worker thread, tile progress, previews, cancel, undo."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt

from studio.core.document import Document
from studio.core.errors import Cancelled
from studio.engine.types import StepReport, TileReport
from studio.jobs.upscale_job import UpscaleProgress, UpscaleRequest, upscaler_names
from studio.ui.generate.queue_view import describe
from studio.ui.upscale.dialog import CANVAS, VARIATION, UpscaleChoice, UpscaleDialog
from tests.qt.conftest import small_params
from tests.qt.fakes import FakeEngine


class UpscaleFakeEngine(FakeEngine):
    """The fake engine plus Engine.upscale / detail_upscale: `tiles` tiles, nearest-neighbour
    pixels, an optional gate after the first tile (to cancel mid-way)."""

    def __init__(self, tiles: int = 4) -> None:
        super().__init__()
        self.tiles = tiles
        self.tile_gate: threading.Event | None = None
        self.upscale_calls: list[tuple] = []
        self.detail_params: list = []

    def _tiled(self, image, scale, on_tile, cancel):
        factor = round(scale)
        out = np.repeat(np.repeat(image, factor, axis=0), factor, axis=1)
        for done in range(1, self.tiles + 1):
            if done > 1 and self.tile_gate is not None:
                self.tile_gate.wait(120)  # a hang guard, never the expected path
            if cancel is not None and cancel.is_set():
                raise Cancelled()
            if on_tile:
                on_tile(TileReport(done, self.tiles, np.full((8, 8, 3), 30 * done, np.uint8)))
        return out

    def upscale(self, image, upscaler="lanczos", scale=None, tile=512, *, device="auto",
                on_tile=None, cancel=None):  # fmt: skip
        self.upscale_calls.append((upscaler, scale, tile, device, image.copy()))
        return self._tiled(image, scale, on_tile, cancel)

    def detail_upscale(self, image, params, upscaler="lanczos", scale=2.0, tile=512, *,
                       on_tile=None, on_step=None, cancel=None):  # fmt: skip
        self.detail_params.append(params)
        self.upscale_calls.append((upscaler, scale, tile, "detail", image.copy()))
        if on_step:
            on_step(StepReport(0, 1, 1, params.steps, None, 0.01))
        return self._tiled(image, scale, on_tile, cancel)


@pytest.fixture
def fake_engine() -> UpscaleFakeEngine:
    return UpscaleFakeEngine()


def photo(width: int, height: int, seed: int = 5) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)


def lanczos(scale: float = 2.0, detail: bool = False, source: str = CANVAS, **kw) -> UpscaleChoice:
    return UpscaleChoice(UpscaleRequest("lanczos", scale, 256, detail), source, **kw)


# --- the real engine: Lanczos needs no model ------------------------------------------------
def test_lanczos_2x_through_the_real_worker_resizes_the_document_and_undo_restores(
    qtbot, engine, monkeypatch
):
    from studio.app import create_window

    loads: list[tuple] = []
    real_load = engine.load
    monkeypatch.setattr(engine, "load", lambda *a, **k: loads.append(a) or real_load(*a, **k))

    win = create_window(lambda: engine)
    qtbot.addWidget(win)
    win.show()
    try:
        original = photo(40, 24)
        win.set_document(Document.from_image(original))
        win.document.mask[4:10, 4:10] = 255
        reports: list[UpscaleProgress] = []
        win.controller.tile.connect(lambda job_id, report: reports.append(report))
        with qtbot.waitSignal(win.controller.job_finished, timeout=60_000) as finished:
            job_id = win.upscale_ui.submit(lanczos(2.0))
        assert finished.args == [job_id, "done"], win.last_error
        assert reports and reports[-1].done == reports[-1].total == 1
        assert isinstance(reports[-1].preview, np.ndarray)
        expected = np.asarray(Image.fromarray(original).resize((80, 48), Image.LANCZOS))
        assert win.document.image.shape == (48, 80, 3)
        assert np.abs(win.document.image.astype(int) - expected).max() <= 1
        assert win.canvas.shown_size == (80, 48)
        assert win.undo_stack.count() == 1 and "Upscale" in win.undo_stack.undoText()
        win.undo_stack.undo()
        assert np.array_equal(win.document.image, original)
        assert (win.document.mask[4:10, 4:10] == 255).all(), "the mask comes back too"
        assert win.canvas.shown_size == (40, 24)
        win.undo_stack.redo()
        assert win.document.image.shape == (48, 80, 3)
        assert loads == [], "Lanczos needs no diffusion model"
    finally:
        win.close()


# --- fake engine: progress, previews, cancel -------------------------------------------------
def test_per_tile_progress_previews_and_the_applied_result(qtbot, window, fake_engine):
    original = photo(32, 20)
    window.set_document(Document.from_image(original))
    fake_engine.tile_gate = threading.Event()
    with qtbot.waitSignal(window.controller.job_started, timeout=5000):
        job_id = window.upscale_ui.submit(lanczos(2.0))
    qtbot.waitUntil(lambda: window.upscale_ui.previews_painted >= 1, timeout=5000)
    assert window.canvas.previewing
    assert window.status.detail.text().startswith("tile 1/4")
    assert (window.status.progress.value(), window.status.progress.maximum()) == (1, 4)
    assert "upscale ×2 · lanczos" in window.status.state.text()
    assert "upscale ×2 · lanczos" in window.queue_view.list.item(0).text()
    with qtbot.waitSignal(window.controller.job_finished, timeout=5000) as finished:
        fake_engine.tile_gate.set()
    assert finished.args == [job_id, "done"]
    assert window.upscale_ui.progress == [(job_id, n, 4) for n in range(1, 5)]
    upscaler, scale, tile, device, sent = fake_engine.upscale_calls[0]
    assert (upscaler, scale, tile, device) == ("lanczos", 2.0, 256, "auto")
    assert np.array_equal(sent, original)
    assert np.array_equal(window.document.image, np.repeat(np.repeat(original, 2, 0), 2, 1))
    assert not window.canvas.previewing
    assert "Ctrl+Z" in window.status.currentMessage()
    window.undo_stack.undo()
    assert np.array_equal(window.document.image, original)


def test_cancel_mid_upscale_with_esc_leaves_everything_unchanged(qtbot, window, fake_engine):
    original = photo(30, 22)
    window.set_document(Document.from_image(original))
    window.document.mask[2:6, 2:6] = 255
    fake_engine.tile_gate = threading.Event()
    outcomes: list[tuple[int, str]] = []
    window.controller.job_finished.connect(lambda i, o: outcomes.append((i, o)))
    job_id = window.upscale_ui.submit(lanczos(4.0))
    qtbot.waitUntil(lambda: window.upscale_ui.previews_painted >= 1, timeout=5000)
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, Qt.Key.Key_Escape)
    fake_engine.tile_gate.set()
    qtbot.waitUntil(lambda: outcomes == [(job_id, "cancelled")], timeout=5000)
    assert np.array_equal(window.document.image, original)
    assert (window.document.mask[2:6, 2:6] == 255).all()
    assert window.undo_stack.count() == 0 and window.upscale_ui.applied == 0
    assert not window.canvas.previewing and window.canvas.shown_size == (30, 22)
    assert np.array_equal(window.canvas.rendered_image(), original)


def test_upscale_a_selected_variation_and_the_detail_pass_uses_the_prompt(
    qtbot, window, fake_engine
):
    small_params(window, size=48, steps=3, prompt="misty castle")
    with qtbot.waitSignal(window.controller.job_finished, timeout=5000):
        window.generate()
    variation = window.strip.variations()[0]
    window.strip.setCurrentRow(0)
    assert window.upscale_ui.sources()[VARIATION][1] == (48, 48)
    steps: list[UpscaleProgress] = []
    window.controller.tile.connect(lambda _i, r: steps.append(r) if r.steps else None)
    choice = lanczos(2.0, detail=True, source=VARIATION, strength=0.35, steps=12)
    with qtbot.waitSignal(window.controller.job_finished, timeout=5000) as finished:
        job_id = window.upscale_ui.submit(choice)
    assert finished.args == [job_id, "done"], window.last_error
    detail = fake_engine.detail_params[0]
    assert (detail.prompt, detail.model, detail.strength, detail.steps) == (
        "misty castle",
        "tiny",
        0.35,
        12,
    )
    assert steps and steps[0].steps == 12, "detail steps arrive as progress too"
    assert np.array_equal(fake_engine.upscale_calls[0][4], variation.image)
    assert window.document.image.shape == (96, 96, 3)
    assert window.document.params == variation.params
    window.undo_stack.undo()
    assert not window.document.has_image and window.document.width == 512


def test_nothing_to_upscale_is_an_error_not_a_job(qtbot, window):
    assert window.upscale_ui.submit(lanczos()) is None
    assert "blank" in (window.last_error or "")
    assert window.upscale_ui.submit(lanczos(source=VARIATION)) is None
    assert not window.controller.busy


# --- dialog and listing --------------------------------------------------------------------
def test_dialog_offers_the_listed_upscalers_and_returns_the_choice(qtbot, window):
    window.controller.upscalers_listed.emit(["lanczos", "4x-UltraSharp"])
    assert window.upscale_ui.upscalers == ["lanczos", "4x-UltraSharp"]
    sources = {CANVAS: ("Canvas image", (100, 60)), VARIATION: ("Variation, seed 3", (64, 64))}
    dialog = UpscaleDialog(window.upscale_ui.upscalers, sources)
    qtbot.addWidget(dialog)
    assert [dialog.upscaler.itemText(i) for i in range(dialog.upscaler.count())] == [
        "lanczos",
        "4x-UltraSharp",
    ]
    dialog.upscaler.setCurrentText("4x-UltraSharp")
    dialog.scale.setValue(3.0)
    dialog.tile.setValue(384)
    dialog.detail.setChecked(True)
    dialog.strength.setValue(0.4)
    dialog.steps.setValue(8)
    assert dialog.result_size.text() == "300 × 180 px"
    dialog.source.setCurrentIndex(1)
    assert dialog.result_size.text() == "192 × 192 px"
    choice = dialog.choice()
    expected = UpscaleChoice(UpscaleRequest("4x-UltraSharp", 3.0, 384, True), VARIATION, 0.4, 8)
    assert choice == expected
    assert describe(SimpleNamespace(extra={"job_label": "upscale ×3"})) == "upscale ×3"


def test_upscaler_names_lists_lanczos_then_model_files(tmp_path):
    (tmp_path / "4x-Test.pth").write_bytes(b"not really a model")
    engine = SimpleNamespace(settings=SimpleNamespace(upscaler_dirs=[str(tmp_path)]))
    assert upscaler_names(engine) == ["lanczos", "4x-Test"]
    assert upscaler_names(object()) == ["lanczos"]


def test_the_dialog_lists_upscalers_downloaded_into_the_hugging_face_cache(
    qtbot, window, tmp_path, monkeypatch
):
    import os
    from pathlib import Path

    from studio.engine.upscale.testing import save_random_esrgan
    from tests.fake_hub import put_in_cache

    model = save_random_esrgan(tmp_path / "RealESRGAN_x4.pth", scale=4).read_bytes()
    put_in_cache(tmp_path / "hf", "ai-forever/Real-ESRGAN", "RealESRGAN_x4.pth", model)
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf"))
    window.controller.start("tiny")  # the worker lists the upscalers as it starts
    qtbot.waitUntil(lambda: "RealESRGAN_x4" in window.upscale_ui.upscalers, timeout=20000)
    sources = {CANVAS: ("Canvas image", (512, 384))}
    dialog = UpscaleDialog(window.upscale_ui.upscalers, sources)
    qtbot.addWidget(dialog)
    items = [dialog.upscaler.itemText(i) for i in range(dialog.upscaler.count())]
    assert items == ["lanczos", "RealESRGAN_x4"]
    dialog.upscaler.setCurrentText("RealESRGAN_x4")
    assert dialog.choice().request.upscaler == "RealESRGAN_x4"
    folder = os.environ.get("STUDIO_SCREENSHOTS")
    if folder:
        dialog.show()
        qtbot.waitExposed(dialog)
        dialog.upscaler.showPopup()
        popup = dialog.upscaler.view().window()
        qtbot.waitExposed(popup)
        Path(folder).mkdir(parents=True, exist_ok=True)
        dialog.grab().save(str(Path(folder) / "upscale-dialog-hf-cache.png"))
        popup.grab().save(str(Path(folder) / "upscale-dialog-hf-cache-list.png"))
        dialog.upscaler.hidePopup()
