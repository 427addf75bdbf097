"""Regenerate variations-grid.png, export-dialog.png and compare-view.png (issue 5).

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python docs/screenshots/make_variations_shots.py

A stand-in engine paints simple procedural landscapes (one per seed), so the shots show what
the grid looks like with real pictures without loading a model.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("STUDIO_CONFIG_DIR", tempfile.mkdtemp(prefix="studio-shots-"))

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from studio.engine.types import GenerationResult  # noqa: E402

OUT = Path(__file__).resolve().parent


def landscape(width: int, height: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    t = yy / height
    top, bottom = rng.uniform(40, 140, 3), rng.uniform(150, 250, 3)
    if seed % 3 == 0:  # a sunset
        top, bottom = np.array([60, 40, 110.0]), np.array([250, 150, 90.0])
    img = top * (1 - t[..., None]) + bottom * t[..., None]
    sx, sy, sr = rng.uniform(0.2, 0.8) * width, rng.uniform(0.15, 0.4) * height, height * 0.09
    sun = (xx - sx) ** 2 + (yy - sy) ** 2 < sr**2
    img[sun] = (255, 225, 140)
    for layer in range(3):
        base = height * (0.5 + 0.13 * layer)
        amp = height * rng.uniform(0.04, 0.12)
        freq, phase = rng.uniform(1.5, 4.0), rng.uniform(0, 6.28)
        ridge = base + amp * np.sin(xx / width * freq * 6.28 + phase)
        shade = np.array([40, 90, 60.0]) * (1 - 0.3 * layer) + rng.uniform(-15, 15, 3)
        img[yy > ridge] = np.clip(shade, 0, 255)
    return img.clip(0, 255).astype(np.uint8)


class SceneEngine:
    def load(self, model: str = "tiny", device: str = "auto", dtype: str = "auto") -> None:
        pass

    def warm_up(self) -> None:
        pass

    def list_models(self) -> list:
        return []

    def generate(self, params, image=None, mask=None, on_step=None, on_result=None, cancel=None):
        results = []
        for seed in params.seeds():
            one = params.replace(seed=seed, count=1)
            result = GenerationResult(landscape(one.width, one.height, seed), one)
            if on_result:
                on_result(result)
            results.append(result)
        return results


def main() -> int:
    app = QApplication.instance() or QApplication(["studio"])
    from studio.app import create_window
    from studio.ui.shell.theme import apply_theme

    apply_theme(app, "light")
    window = create_window(lambda: SceneEngine(), use_settings=False)
    window.resize(1400, 860)
    window.show()
    panel = window.panel
    panel.prompt.setPlainText("castle on a cliff at sunset, concept art, dramatic light")
    panel.random_seed.setChecked(False)
    panel.seed.setValue(1234)
    panel.width_box.setValue(512)
    panel.height_box.setValue(384)
    panel.count.setValue(10)
    panel.steps.setValue(24)
    window.controller.job_finished.connect(lambda *_: QTimer.singleShot(300, shoot))

    def shoot() -> None:
        model = window.strip.session
        for row in (1, 4, 6):
            model.set_starred(model.result_at(row), True)
        window.variations.show_grid()
        dock = window.variations.dock
        dock.resize(1060, 700)
        grid = window.variations.grid
        grid.size_slider.setValue(192)
        grid.select(model.result_at(4))
        grid.select(model.result_at(6), extend=True)
        app.processEvents()
        QTimer.singleShot(300, lambda: finish(dock, grid))

    def finish(dock, grid) -> None:
        dock.grab().save(str(OUT / "variations-grid.png"))
        window.apply_variation(window.strip.session.result_at(1))
        window.variations.compare(window.strip.session.result_at(4))
        view = window.variations.compare_view
        app.processEvents()
        view.grab().save(str(OUT / "compare-view.png"))
        view.close()
        dialog = window.variations.open_export_dialog()
        dialog.folder.setText(str(Path.home() / "Pictures" / "castle-concepts"))
        app.processEvents()
        dialog.grab().save(str(OUT / "export-dialog.png"))
        dialog.template.setText("{index:04d}-{prompt:.30}-{sead}")
        app.processEvents()
        dialog.grab().save(str(OUT / "export-dialog-error.png"))
        dialog.reject()
        window.close()
        app.quit()

    window.generate()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
