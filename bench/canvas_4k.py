"""Canvas smoothness on a 4096x4096 document: time per brush event, per zoom step, per repaint;
then a stack of --layers layers (blend modes, offsets, partial alpha): a paint stroke on the top
layer (its median and worst frame) and a full recomposite of the stack.

Drives the real window offscreen with synthetic mouse and wheel events and prints the time the
GUI thread spends on each (a 60 Hz display leaves 16.7 ms per frame).

    python bench/canvas_4k.py [--side 4096] [--layers 10]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=4096)
    parser.add_argument("--layers", type=int, default=10)
    args = parser.parse_args()

    import numpy as np
    from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
    from PySide6.QtGui import QMouseEvent, QWheelEvent
    from PySide6.QtWidgets import QApplication

    from studio.app import create_window
    from studio.core.document import Document

    app = QApplication.instance() or QApplication([])
    window = create_window(use_settings=False)
    window.resize(1500, 920)
    window.show()
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, (args.side, args.side, 3), dtype=np.uint8)
    started = time.perf_counter()
    window.set_document(Document.from_image(pixels))
    app.processEvents()
    load_ms = (time.perf_counter() - started) * 1000
    canvas, viewport = window.canvas, window.canvas.viewport()
    window.brush.set_tool("brush")
    canvas.brush.size = 120

    def send(kind: QEvent.Type, pos: QPointF, buttons: Qt.MouseButton) -> float:
        event = QMouseEvent(
            kind, pos, pos, Qt.MouseButton.LeftButton, buttons, Qt.KeyboardModifier.NoModifier
        )
        start = time.perf_counter()
        QApplication.sendEvent(viewport, event)
        app.processEvents()  # include the repaint the event scheduled
        return (time.perf_counter() - start) * 1000

    def timed(action) -> float:
        start = time.perf_counter()
        action()
        app.processEvents()
        return (time.perf_counter() - start) * 1000

    centre = viewport.rect().center()
    left = Qt.MouseButton.LeftButton
    none = Qt.MouseButton.NoButton
    brush = [send(QEvent.Type.MouseButtonPress, QPointF(centre.x() - 300, centre.y()), left)]
    for i in range(120):
        pos = QPointF(centre.x() - 300 + i * 5, centre.y() + 80 * np.sin(i / 10))
        brush.append(send(QEvent.Type.MouseMove, pos, left))
    brush.append(send(QEvent.Type.MouseButtonRelease, pos, none))

    def wheel(delta: int) -> None:
        point = QPointF(centre)
        event = QWheelEvent(
            point,
            point,
            QPoint(),
            QPoint(0, delta),
            none,
            Qt.KeyboardModifier.NoModifier,
            Qt.ScrollPhase.NoScrollPhase,
            False,
        )
        QApplication.sendEvent(viewport, event)

    zoom = [timed(lambda d=d: wheel(d)) for d in [120] * 10 + [-120] * 10]
    repaint = [timed(canvas.viewport().repaint) for _ in range(20)]
    painted = int((window.document.mask > 0).sum())
    undo = timed(window.undo_stack.undo)
    print(f"document {args.side}x{args.side}: set up in {load_ms:.0f} ms")
    for name, values in (("brush event", brush), ("wheel zoom", zoom), ("full repaint", repaint)):
        print(
            f"  {name:12s} median {statistics.median(values):6.1f} ms  "
            f"p95 {sorted(values)[int(len(values) * 0.95) - 1]:6.1f} ms  max {max(values):6.1f} ms"
        )
    print(f"  first brush events: {', '.join(f'{v:.1f}' for v in brush[:4])} ms")
    print(f"  undo stroke  {undo:6.1f} ms  (stroke painted {painted} mask pixels before undo)")
    print("target: events well under one 60 Hz frame (16.7 ms)")
    layered(app, window, send, args.side, args.layers)
    window.close()


def layered(app, window, send, side: int, count: int) -> None:
    """A paint stroke on the top of a `count`-layer stack, and a full recomposite."""
    import numpy as np
    from PySide6.QtCore import QEvent, QPointF, Qt

    from studio.core.document import BLEND_MODES, Document, Layer

    rng = np.random.default_rng(1)
    base = Layer(rng.integers(0, 256, (side, side, 3), dtype=np.uint8), name="Background")
    layers = [base]
    for i in range(1, count):
        pixels = rng.integers(0, 256, (side, side, 4), dtype=np.uint8)
        layers.append(
            Layer(pixels, name=f"L{i}", blend=BLEND_MODES[i % 4], opacity=0.8, x=i * 7, y=-i * 5)
        )
    started = time.perf_counter()
    window.set_document(Document.from_layers(layers, (side, side)))
    app.processEvents()
    first_ms = (time.perf_counter() - started) * 1000
    doc = window.document
    full = []
    for _ in range(3):
        started = time.perf_counter()
        doc.invalidate()
        doc.composite_rgba()
        full.append((time.perf_counter() - started) * 1000)
    window.autosave.timer.stop()  # measured on its own below, not inside a stroke frame
    window.layers.set_tool("paint")
    window.canvas.brush.size = 120
    viewport = window.canvas.viewport()
    centre = viewport.rect().center()
    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    stroke = [send(QEvent.Type.MouseButtonPress, QPointF(centre.x() - 300, centre.y()), left)]
    for i in range(120):
        pos = QPointF(centre.x() - 300 + i * 5, centre.y() + 80 * np.sin(i / 10))
        stroke.append(send(QEvent.Type.MouseMove, pos, left))
    stroke.append(send(QEvent.Type.MouseButtonRelease, pos, none))
    moves = stroke[1:-1]
    print(f"{count} layers at {side}x{side}: shown in {first_ms:.0f} ms")
    print(
        f"  paint stroke  median {statistics.median(moves):6.1f} ms  "
        f"worst move {max(moves):6.1f} ms  press {stroke[0]:6.1f} ms  "
        f"release {stroke[-1]:6.1f} ms"
    )
    print(f"  full recomposite {statistics.median(full):7.0f} ms (median of 3)")
    from studio.core.document.autosave import IncrementalSnapshot

    def copy_slices(cache: dict) -> list[float]:
        builder, slices = IncrementalSnapshot(doc, cache), []
        while True:
            started = time.perf_counter()
            done = builder.step()
            slices.append((time.perf_counter() - started) * 1000)
            if done is not None:
                return slices

    cache: dict = {}
    first = copy_slices(cache)
    again = copy_slices(cache)
    print(
        f"  autosave copy on the GUI thread: first {len(first)} slices, longest "
        f"{max(first):.1f} ms ({sum(first):.0f} ms in all); nothing changed: {sum(again):.1f} ms"
    )
    print("target: stroke frames <= 16 ms median, <= 50 ms worst")


if __name__ == "__main__":
    main()
