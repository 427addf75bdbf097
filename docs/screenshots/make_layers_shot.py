"""Makes docs/screenshots/layers.png: a sketch, two applied sky results (one hidden), Layers dock.

QT_QPA_PLATFORM=offscreen python docs/screenshots/make_layers_shot.py OUT.png
"""

import itertools
import sys
from pathlib import Path

import numpy as np
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from studio.app import create_window
from studio.core.document import Document
from studio.core.document import layer_edits as le
from studio.core.document.paint import PaintStroke
from studio.core.params import GenerationParams
from tests.qt.fakes import FakeEngine

app = QApplication([])
window = create_window(lambda: FakeEngine(), use_settings=False)
window.resize(1400, 900)
window.show()
W, H = 768, 512
window.set_document(Document.blank(W, H))
model = window.model
model.push(le.new_layer_edit(model.document, "Sketch"))


def stroke(color, points, radius):
    paint = PaintStroke(model.document, model.document.active_layer, color)
    paint.segment(points[0], points[0], radius, 0.9, include_start=True)
    for a, b in itertools.pairwise(points):
        paint.segment(a, b, radius, 0.9)
    model.push(paint.finish())


for y in range(330, 512, 20):  # ground
    stroke((70, 110, 60), [(0, y), (W, y + 10)], 14)
stroke((90, 90, 120), [(100, 330), (300, 150), (480, 330)], 30)  # mountain
stroke((90, 90, 120), [(150, 330), (300, 200), (430, 330)], 40)
for x in range(330, 420, 6):  # castle
    stroke((150, 130, 110), [(x, 330), (x, 230)], 4)
stroke((150, 130, 110), [(395, 230), (395, 180)], 8)
stroke((240, 200, 80), [(620, 100), (620, 100)], 40)  # sun
yy, xx = np.mgrid[0:H, 0:W]


def sky_result(tint):
    """What an inpaint of the sky returns: the picture with the sky region repainted."""
    image = np.array(model.document.image)
    red = 120 + 60 * yy / H + tint[0]
    green = 150 + 50 * yy / H + tint[1]
    blue = 220 - 20 * yy / H + tint[2]
    sky = np.stack([red, green, blue], 2).clip(0, 255).astype(np.uint8)
    sun = (xx - 620) ** 2 + (yy - 100) ** 2 < 45**2
    region = (yy < 150 + 30 * np.sin(xx / 60)) & ~sun
    image[region] = sky[region]
    return image


prompt = "dramatic sky over a castle, concept art"
for seed, tint in ((1234, (0, 0, 0)), (1301, (60, -20, -80))):
    params = GenerationParams(prompt=prompt, seed=seed, mode="inpaint")
    window.apply_variation(window.strip.add(sky_result(tint), params, 0))
model.push(le.set_props_edit(model.document, model.document.layers[-1], visible=False))
window.layers.set_tool("paint")
window.panel.prompt.setPlainText(prompt)
window.canvas.fit()


def grab():
    app.processEvents()
    window.grab().save(sys.argv[1])
    app.quit()


QTimer.singleShot(500, grab)
app.exec()
