"""Regenerate the README's pictures made with the built-in demo model `mini`.

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python docs/screenshots/make_mini_shots.py

mini-window.png: the app as a first launch opens it (model `mini`, 64 px), after one
Generate of 8 variations. mini-prompts.png: one image per prompt below, enlarged 3x.
mini-inpaint.png: a picture, the mask, and the inpainted result.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("STUDIO_CONFIG_DIR", tempfile.mkdtemp(prefix="studio-shots-"))
os.environ["HF_HUB_OFFLINE"] = "1"

OUT = Path(__file__).resolve().parent
PROMPTS = [
    "a red circle on a white background, large",
    "a blue square on a yellow background, large",
    "a green triangle on a black background, large",
    "a yellow circle on a purple background, small",
    "a white square on a blue background, large",
    "an orange triangle on a green background, large",
]
SEED = 7


def params(**changes):
    from studio.core.params import GenerationParams

    base = GenerationParams(
        model="mini", scheduler="DPM++ 2M", steps=20, cfg=5.0, seed=SEED, width=64, height=64,
        device="cpu", dtype="float32",
    )  # fmt: skip
    return base.replace(**changes)


def enlarge(image: np.ndarray, factor: int = 3) -> np.ndarray:
    return np.kron(image[..., :3], np.ones((factor, factor, 1), np.uint8))


def strip(images: list[np.ndarray], gap: int = 6) -> Image.Image:
    h = max(i.shape[0] for i in images)
    w = sum(i.shape[1] for i in images) + gap * (len(images) - 1)
    canvas = np.full((h, w, 3), 255, np.uint8)
    x = 0
    for image in images:
        canvas[: image.shape[0], x : x + image.shape[1]] = image
        x += image.shape[1] + gap
    return Image.fromarray(canvas)


def engine_shots() -> None:
    from studio.engine.api import Engine
    from training.data import Scene, render

    engine = Engine()
    pictures = [engine.generate(params(prompt=p))[0].image for p in PROMPTS]
    strip([enlarge(p) for p in pictures]).save(OUT / "mini-prompts.png")
    picture = render(Scene("circle", "black", "white", "left", "small"), np.random.default_rng(0))
    mask = np.zeros((64, 64), np.uint8)
    mask[16:48, 16:48] = 255
    inpainted = engine.generate(
        params(mode="inpaint", prompt="a red square on a white background, large",
               strength=1.0),
        image=picture, mask=mask,
    )[0].image  # fmt: skip
    shown_mask = np.repeat(mask[..., None], 3, axis=2)
    strip([enlarge(picture), enlarge(shown_mask), enlarge(inpainted)]).save(
        OUT / "mini-inpaint.png"
    )


def window_shot() -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from studio.app import create_window
    from studio.engine.api import Engine
    from studio.ui.shell.theme import apply_theme

    app = QApplication.instance() or QApplication(["studio"])
    apply_theme(app, "light")
    window = create_window(lambda: Engine(), use_settings=False)
    window.resize(1400, 860)
    window.show()
    panel = window.panel  # left as a first launch sets it: model mini, 64 x 64
    panel.prompt.setPlainText(PROMPTS[0])
    panel.random_seed.setChecked(False)
    panel.seed.setValue(SEED)
    panel.count.setValue(8)
    panel.cfg.setValue(5.0)

    def shoot() -> None:
        window.apply_variation(window.strip.session.result_at(0))
        app.processEvents()
        window.grab().save(str(OUT / "mini-window.png"))
        window.close()
        app.quit()

    window.controller.job_finished.connect(lambda *_: QTimer.singleShot(500, shoot))
    window.generate()
    return app.exec()


if __name__ == "__main__":
    engine_shots()
    sys.exit(window_shot())
