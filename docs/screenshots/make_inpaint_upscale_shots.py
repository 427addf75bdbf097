"""Screenshots of inpaint / outpaint / upscale in the real app with the built-in tiny model.

    xvfb-run -a -s "-screen 0 1500x920x24" python docs/screenshots/make_inpaint_upscale_shots.py

writes inpaint-before/after, outpaint-drag, outpaint and upscale (the dialog) here.
`tiny` has random weights: repainted areas are noise by design; what matters is the UI and
that pixels outside the mask stay as they were.
"""

from __future__ import annotations

import itertools
import os
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
os.environ.setdefault("STUDIO_CONFIG_DIR", "/tmp/studio-shots-config")
sys.path.insert(0, str(HERE.parents[1]))

from PySide6.QtCore import QPoint, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from studio.app import create_window  # noqa: E402
from studio.core.document import Document  # noqa: E402

OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
OUT.mkdir(parents=True, exist_ok=True)
app = QApplication.instance() or QApplication(["studio"])


def landscape(width: int = 512, height: int = 384) -> np.ndarray:
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    t = yy / height
    sky = np.stack([90 + 90 * t, 140 + 60 * t, 220 - 20 * t], axis=2)
    img = sky.copy()
    sun = (xx - 370) ** 2 + (yy - 90) ** 2 < 38**2
    img[sun] = (255, 218, 140)
    hill1 = height * 0.62 + 28 * np.sin(xx / 47.0) + 14 * np.sin(xx / 13.0 + 1)
    img[yy > hill1] = (66, 96, 80)
    hill2 = height * 0.78 + 20 * np.sin(xx / 61.0 + 2)
    img[yy > hill2] = (42, 66, 52)
    return img.clip(0, 255).astype(np.uint8)


def pump(seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.01)


def wait(cond, timeout: float = 120.0) -> None:
    end = time.perf_counter() + timeout
    while not cond():
        if time.perf_counter() > end:
            raise TimeoutError("timed out")
        app.processEvents()
        time.sleep(0.01)


def shot(widget, name: str) -> None:
    pump(0.3)
    widget.grab().save(str(OUT / name))
    print("wrote", OUT / name)


def screen_shot(name: str) -> None:
    pump(0.3)
    app.primaryScreen().grabWindow(0).save(str(OUT / name))
    print("wrote", OUT / name)


win = create_window(use_settings=False)
win.resize(1500, 920)
win.move(0, 0)
win.show()
win.start_engine()
wait(lambda: win.generation.engine_state == "ready", 180)

panel = win.panel
panel.prompt.setPlainText("castle on a cliff at sunset, concept art, dramatic light")
panel.negative.setPlainText("blurry, low quality")
panel.steps.setValue(12)
panel.random_seed.setChecked(False)
panel.seed.setValue(1234)
panel.count.setValue(2)
panel.inpaint.padding.setValue(24)
panel.inpaint.feather.setValue(6)

original = landscape()
win.set_document(Document.from_image(original))
# paint a mask over the sun with the real brush code
doc = win.document
doc.begin_stroke()
points = [(175 + 30 * np.cos(a), 225 + 16 * np.sin(a)) for a in np.linspace(0, 2 * np.pi, 24)]
points += [(175, 225), (190, 215)]
for a, b in itertools.pairwise(points):
    doc.stroke_to(a, b, 20, 0.7)
win.push_edit(doc.end_stroke("Paint mask"))
win.canvas.fit()
# the cursor's brush outline where the mouse is
win.canvas.viewport().setFocus()
shot(win, "inpaint-before.png")

done: list[str] = []
win.controller.job_finished.connect(lambda _i, outcome: done.append(outcome))
win.generate()
wait(lambda: done, 180)
win.strip.setCurrentRow(0)
win.apply_variation(win.strip.variations()[0])
win.actions_["show_mask"].setChecked(False)
pump(5.2)  # the "previewing seed …" hint times out
shot(win, "inpaint-after.png")

# outpaint: back to the original, then Expand canvas by 128 px on the right and 64 on the left
win.actions_["show_mask"].setChecked(True)
win.undo_stack.undo()  # the applied inpaint
win.clear_mask()
done.clear()
panel.count.setValue(2)
# Alt+drag the right edge outwards: the ghost shows the canvas to be
from PySide6.QtCore import QEvent, QPointF, Qt  # noqa: E402
from PySide6.QtGui import QMouseEvent  # noqa: E402

viewport = win.canvas.viewport()


def alt_mouse(kind, x, y, buttons):
    pos = win.canvas.mapFromScene(QPointF(x, y))
    button = Qt.MouseButton.NoButton if kind == QEvent.Type.MouseMove else Qt.MouseButton.LeftButton
    event = QMouseEvent(
        kind,
        QPointF(pos),
        QPointF(viewport.mapToGlobal(pos)),
        button,
        buttons,
        Qt.KeyboardModifier.AltModifier,
    )
    app.sendEvent(viewport, event)


win.canvas.setTransform(win.canvas.transform().scale(0.75, 0.75))
win.canvas.centerOn(320, 192)
alt_mouse(QEvent.Type.MouseButtonPress, 512, 200, Qt.MouseButton.LeftButton)
alt_mouse(QEvent.Type.MouseMove, 512 + 150, 200, Qt.MouseButton.LeftButton)
shot(win, "outpaint-drag.png")
alt_mouse(QEvent.Type.MouseButtonRelease, 512 + 150, 200, Qt.MouseButton.NoButton)
wait(lambda: done, 180)
win.strip.setCurrentRow(win.strip.count() - 1)
win.apply_variation(win.strip.variations()[-1])
pump(5.2)
shot(win, "outpaint.png")

# upscale: the dialog over the window (non-modal so the script can grab it)
from studio.ui.upscale.dialog import UpscaleDialog  # noqa: E402

win.undo_stack.undo()
win.undo_stack.undo()
dialog = UpscaleDialog(win.upscale_ui.upscalers, win.upscale_ui.sources(), None, win)
dialog.detail.setChecked(True)
dialog.tile.setValue(128)
dialog.show()
dialog.move(win.geometry().center() - QPoint(dialog.width() // 2, dialog.height() // 2))
screen_shot("upscale.png")
dialog.close()

QTimer.singleShot(0, win.close)
win.close()
print("done")
