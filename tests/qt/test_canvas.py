"""Canvas and mask brush driven with real mouse events."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QTransform

from studio.core.document import Document


def view_point(window, x: float, y: float) -> QPoint:
    """The viewport position of image pixel (x, y)."""
    return window.canvas.mapFromScene(QPointF(x, y))


def drag(qtbot, window, points: list[tuple[float, float]], button=Qt.MouseButton.LeftButton):
    viewport = window.canvas.viewport()
    first = view_point(window, *points[0])
    qtbot.mousePress(viewport, button, pos=first)
    for x, y in points[1:]:
        qtbot.mouseMove(viewport, pos=view_point(window, x, y))
    qtbot.mouseRelease(viewport, button, pos=view_point(window, *points[-1]))


def setup_canvas(window, width=256, height=256, zoom=1.0):
    window.set_document(Document.from_image(np.full((height, width, 3), 90, np.uint8)))
    window.canvas.setTransform(QTransform.fromScale(zoom, zoom))
    window.canvas.centerOn(width / 2, height / 2)
    window.canvas.brush.size = 10
    window.canvas.brush.hardness = 1.0


def test_brush_drag_sets_mask_along_path_and_undo_clears_it(qtbot, window):
    setup_canvas(window)
    window.brush.set_tool("brush")
    # Two far-apart events: interpolation must fill the whole path.
    drag(qtbot, window, [(30, 128), (230, 128)])
    mask = window.document.mask
    assert (mask[128, 32:228] == 255).all(), "the stroke must cover the path without gaps"
    assert mask[100, 128] == 0 and mask[150, 128] == 0, "nothing painted off the path"
    assert window.undo_stack.count() == 1
    assert window.panel.auto_mode == "inpaint"
    # the overlay shows it: the rendered view is tinted on the path
    shot = window.canvas.grab().toImage()
    p = view_point(window, 128, 128)
    assert shot.pixelColor(p).red() > shot.pixelColor(view_point(window, 128, 60)).red()
    window.undo_stack.undo()
    assert not window.document.mask.any()
    assert window.panel.auto_mode == "img2img"
    window.undo_stack.redo()
    assert (window.document.mask[128, 32:228] == 255).all()


def test_brush_via_keyboard_shortcuts_and_eraser_removes(qtbot, window):
    setup_canvas(window)
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, Qt.Key.Key_B)
    drag(qtbot, window, [(40, 40), (200, 200)])
    assert window.document.mask[120, 120] == 255
    qtbot.keyClick(window.canvas, Qt.Key.Key_E)
    assert window.canvas.brush.tool == "eraser"
    window.canvas.brush.size = 16  # wider than the brush: its soft rim goes too
    drag(qtbot, window, [(40, 40), (200, 200)])
    assert not window.document.mask.any(), "the eraser must remove what the brush painted"
    assert window.undo_stack.count() == 2
    window.undo_stack.undo()
    assert window.document.mask[120, 120] == 255


def test_bracket_keys_resize_brush(qtbot, window):
    window.canvas.setFocus()
    size = window.canvas.brush.size
    qtbot.keyClick(window.canvas, Qt.Key.Key_BracketRight)
    assert window.canvas.brush.size > size
    qtbot.keyClick(window.canvas, Qt.Key.Key_BracketLeft)
    qtbot.keyClick(window.canvas, Qt.Key.Key_BracketLeft)
    assert window.canvas.brush.size < size
    assert window.brush_controls.size.value() == round(window.canvas.brush.size)


def test_invert_flips_and_clear_and_select_all(qtbot, window):
    setup_canvas(window, 64, 64)
    window.document.mask[0:10, 0:10] = 255
    before = window.document.mask.copy()
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    assert np.array_equal(window.document.mask, 255 - before)
    window.actions_["clear_mask"].trigger()
    assert not window.document.mask.any()
    window.actions_["select_all"].trigger()
    assert (window.document.mask == 255).all()
    for _ in range(3):
        window.undo_stack.undo()
    assert np.array_equal(window.document.mask, before)


def test_wheel_zoom_keeps_the_point_under_the_cursor_fixed(qtbot, window):
    setup_canvas(window, 512, 512)
    canvas = window.canvas
    for cursor in (QPointF(100, 80), QPointF(400, 300)):
        before = canvas.map_to_image(cursor)
        for delta in (120, 120, 240, -120):
            canvas.zoom_at(1.0015**delta, cursor)
            after = canvas.map_to_image(cursor)
            # scroll offsets are whole view pixels: allow half a view pixel of error
            tolerance = 0.6 / canvas.zoom
            assert abs(after.x() - before.x()) <= tolerance
            assert abs(after.y() - before.y()) <= tolerance
    assert canvas.zoom != 1.0


def test_real_wheel_event_zooms_about_cursor(qtbot, window):
    from PySide6.QtGui import QWheelEvent

    setup_canvas(window, 512, 512)
    canvas = window.canvas
    pos = QPointF(150, 120)
    before = canvas.map_to_image(pos)
    event = QWheelEvent(
        pos, canvas.viewport().mapToGlobal(pos), QPoint(0, 0), QPoint(0, 240),
        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase,
        False,
    )  # fmt: skip
    canvas.wheelEvent(event)
    assert canvas.zoom > 1.3
    after = canvas.map_to_image(pos)
    assert abs(after.x() - before.x()) <= 0.6 / canvas.zoom
    assert abs(after.y() - before.y()) <= 0.6 / canvas.zoom


def test_fit_and_actual_size_shortcuts(qtbot, window):
    setup_canvas(window, 2048, 1024, zoom=3.0)
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    vp = window.canvas.viewport().rect()
    assert window.canvas.zoom * 2048 <= vp.width() + 1
    assert window.canvas.zoom < 1.0
    qtbot.keyClick(window.canvas, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.canvas.zoom == 1.0
    assert window.status.zoom.text() == "100%"


def test_middle_button_drag_pans_without_painting(qtbot, window):
    setup_canvas(window, 512, 512)
    canvas = window.canvas
    centre = QPointF(canvas.viewport().rect().center())
    before = canvas.map_to_image(centre)
    viewport = canvas.viewport()
    qtbot.mousePress(viewport, Qt.MouseButton.MiddleButton, pos=QPoint(200, 200))
    qtbot.mouseMove(viewport, pos=QPoint(260, 230))
    qtbot.mouseRelease(viewport, Qt.MouseButton.MiddleButton, pos=QPoint(260, 230))
    after = canvas.map_to_image(centre)
    assert abs((before.x() - after.x()) - 60) < 1 and abs((before.y() - after.y()) - 30) < 1
    assert not window.document.mask.any()


def test_space_drag_pans(qtbot, window):
    setup_canvas(window, 512, 512)
    canvas = window.canvas
    canvas.setFocus()
    centre = QPointF(canvas.viewport().rect().center())
    before = canvas.map_to_image(centre)
    qtbot.keyPress(canvas, Qt.Key.Key_Space)
    drag(qtbot, window, [(200, 200), (150, 180)])
    qtbot.keyRelease(canvas, Qt.Key.Key_Space)
    after = canvas.map_to_image(centre)
    assert abs(after.x() - before.x()) > 10
    assert not window.document.mask.any()


def test_hardness_softens_the_edge(qtbot, window):
    setup_canvas(window, 128, 128)
    window.canvas.brush.size = 40
    window.canvas.brush.hardness = 0.0
    drag(qtbot, window, [(64, 64), (64, 64)])
    row = window.document.mask[64, 40:65]
    assert row[-1] == 255 and 0 < row[8] < 255, "a soft brush fades towards its rim"
