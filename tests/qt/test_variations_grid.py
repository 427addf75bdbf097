"""Count N, the session results model, stars, the variations grid, delete, reuse and compare."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication

from studio.core.document import Document
from studio.ui.variations.session_model import STAR_ROLE
from tests.qt.conftest import small_params
from tests.qt.fakes import fake_pixels


def generate_n(qtbot, window, count: int, **changes):
    small_params(window, steps=2, count=count, **changes)
    added: list[object] = []
    window.strip.session.result_added.connect(added.append)
    with qtbot.waitSignal(window.controller.job_finished, timeout=10_000) as finished:
        job_id = window.generate()
    assert finished.args == [job_id, "done"], window.last_error
    return added


def open_grid(qtbot, window):
    window.actions_["variations_grid"].trigger()
    grid = window.variations.grid
    qtbot.waitUntil(lambda: grid.isVisible(), timeout=3000)
    QApplication.processEvents()
    return grid


def star_point(view, delegate, row: int) -> QPoint:
    """The centre of a thumbnail's star toggle, in viewport coordinates."""
    return delegate.star_rect_at(view, view.model().index(row, 0)).center()


def test_count_four_streams_four_thumbnails_with_exact_params(qtbot, window, fake_engine):
    added = generate_n(qtbot, window, 4, seed=7)
    assert window.strip.count() == 4
    assert len(added) == 4, "each result streamed in as it finished"
    assert len(fake_engine.calls) == 1 and fake_engine.calls[0].count == 4, "one job"
    submitted = fake_engine.calls[0]
    variations = window.strip.variations()
    assert [v.params.seed for v in variations] == [7, 8, 9, 10]
    for variation in variations:
        assert variation.params == submitted.replace(seed=variation.params.seed, count=1)
        assert np.array_equal(variation.image, fake_pixels(variation.params, variation.params.seed))
    assert [window.strip.item(i).text() for i in range(4)] == [f"seed {s}" for s in (7, 8, 9, 10)]
    assert window.strip.session.results() == variations, "the strip is a view of the session"


def test_star_toggle_on_strip_thumbnail_and_shortcut(qtbot, window):
    generate_n(qtbot, window, 3)
    strip = window.strip
    first, second, third = strip.variations()
    assert window.showing_variation is third, "the job's last result stays on the canvas"
    viewport = strip.viewport()
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=star_point(strip, strip.delegate, 0))
    assert first.starred and strip.item(0).data(STAR_ROLE) is True
    assert window.showing_variation is third, "clicking the star does not select or preview"
    assert strip.currentRow() == 2
    strip.setCurrentRow(1)
    strip.setFocus()
    qtbot.keyClick(strip, Qt.Key.Key_S)  # Generate ▸ Star / unstar variation
    assert second.starred
    assert window.strip.session.starred() == [first, second]
    qtbot.keyClick(strip, Qt.Key.Key_S)
    assert not second.starred and strip.item(1).data(STAR_ROLE) is False
    # the star is drawn: the gold star's pixels appear on the first thumbnail only
    image = strip.viewport().grab().toImage()
    gold = [star_point(strip, strip.delegate, row) for row in (0, 1)]
    starred_px, plain_px = (image.pixelColor(p) for p in gold)
    assert starred_px.red() > 200 and starred_px.green() > 150 and starred_px.blue() < 120
    assert not (plain_px.red() > 200 and plain_px.blue() < 120)


def test_grid_shows_all_results_and_thumbnail_size_changes(qtbot, window):
    generate_n(qtbot, window, 4, size=96)
    grid = open_grid(qtbot, window)
    assert window.actions_["variations_grid"].isChecked()
    view = grid.view
    assert view.model().rowCount() == 4
    rects = [view.visualRect(view.model().index(row, 0)) for row in range(4)]
    assert all(not r.isEmpty() for r in rects) and len({(r.x(), r.y()) for r in rects}) == 4
    assert "4 results · 0 starred" in grid.summary.text()
    grid.size_slider.setValue(96)
    small = view.visualRect(view.model().index(0, 0)).size()
    assert view.iconSize().width() == 96
    grid.size_slider.setValue(256)
    big = view.visualRect(view.model().index(0, 0)).size()
    assert view.iconSize().width() == 256 and grid.size_label.text() == "256 px"
    assert big.width() > small.width() + 100 and big.height() > small.height() + 100
    # the thumbnail is drawn at the new size: the image's own colours fill ~256 px
    QApplication.processEvents()
    shot = view.viewport().grab().toImage()
    rect = view.visualRect(view.model().index(0, 0))
    result = grid.model.result_at(0)
    expected = result.image[48, 48]  # the 96-px image's centre
    centre = shot.pixelColor(rect.center().x(), rect.y() + 4 + 128)
    assert abs(centre.red() - int(expected[0])) < 20 and abs(centre.green() - int(expected[1])) < 20
    assert abs(centre.blue() - int(expected[2])) < 20


def test_star_in_grid_shows_in_strip_and_delete_removes_from_both(qtbot, window):
    generate_n(qtbot, window, 4)
    grid = open_grid(qtbot, window)
    view = grid.view
    qtbot.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, pos=star_point(view, grid.delegate, 2)
    )
    third = window.strip.variations()[2]
    assert third.starred and window.strip.item(2).data(STAR_ROLE) is True
    assert "1 starred" in grid.summary.text()
    # delete the second result from the grid with the Delete key
    second = window.strip.variations()[1]
    grid.select(second)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert view.model().rowCount() == 3 and window.strip.count() == 3
    assert second not in window.strip.variations()
    # delete from the strip: the grid follows
    first = window.strip.variations()[0]
    window.strip.remove(first)
    assert view.model().rowCount() == 2
    assert [grid.model.result_at(r) for r in range(2)] == window.strip.variations()
    assert [v.params.seed for v in window.strip.variations()] == [9, 10]


def test_grid_multi_select_star_and_reuse_fills_panel(qtbot, window):
    generate_n(qtbot, window, 3, seed=40, prompt="castle on a cliff")
    grid = open_grid(qtbot, window)
    results = grid.model.results()
    grid.select(results[0])
    grid.select(results[2], extend=True)
    grid.star_button.click()
    assert [r.starred for r in results] == [True, False, True]
    grid.star_button.click()  # all chosen were starred: unstar them
    assert not any(r.starred for r in results)
    window.panel.prompt.setPlainText("something else")
    window.panel.steps.setValue(30)
    grid.select(results[1])
    grid.reuse_button.click()
    assert window.panel.prompt.toPlainText() == "castle on a cliff"
    assert int(window.panel.seed.value()) == 41 and window.panel.steps.value() == 2
    # Ctrl+R (Reuse parameters) takes the grid's result while the grid has the focus
    window.panel.steps.setValue(30)
    grid.select(results[2])
    grid.view.setFocus()
    assert window.variations.current() is results[2]
    window.actions_["reuse"].trigger()
    assert int(window.panel.seed.value()) == 42 and window.panel.steps.value() == 2


def test_compare_with_canvas_shows_both_side_by_side(qtbot, window):
    canvas = np.zeros((64, 64, 3), np.uint8)
    canvas[..., 0] = 220  # a red canvas
    window.set_document(Document.from_image(canvas))
    small_params(window)
    window.panel.mode.setCurrentIndex(window.panel.mode.findData("txt2img"))
    generate_n(qtbot, window, 2, seed=100)
    grid = open_grid(qtbot, window)
    result = grid.model.result_at(1)
    grid.select(result)
    grid.compare_button.click()
    view = window.variations.compare_view
    assert view is not None and view.isVisible() and view.result is result
    qtbot.waitExposed(view)
    assert "Seed 101" in view.result_title.text() and "Canvas" in view.canvas_title.text()
    left, right = view.canvas_pane, view.result_pane
    assert left.mapTo(view, QPoint(0, 0)).x() < right.mapTo(view, QPoint(0, 0)).x()
    shot_left, shot_right = left.grab().toImage(), right.grab().toImage()
    c = shot_left.pixelColor(left.image_rect().center())
    assert (c.red(), c.green(), c.blue()) == (220, 0, 0)
    r = shot_right.pixelColor(right.image_rect().center())
    expected = result.image[32, 32]
    assert abs(r.red() - int(expected[0])) < 12 and abs(r.blue() - int(expected[2])) < 12
    assert left.image_rect().size() == right.image_rect().size(), "same size, same scale"
    # selecting another result in the grid updates the open compare view
    grid.select(grid.model.result_at(0))
    assert view.result is grid.model.result_at(0) and "Seed 100" in view.result_title.text()
    # Apply from the compare view is an undoable edit of the document
    view.apply_button.click()
    assert np.array_equal(window.document.image, grid.model.result_at(0).image)
    window.undo_stack.undo()
    assert np.array_equal(window.document.image, canvas)
    # deleting the compared result: the view never keeps showing a deleted result
    deleted = view.result
    window.strip.remove(deleted)
    assert view.result is not deleted
    assert view.result is None or view.result in window.strip.session.session
    window.strip.remove(grid.model.result_at(0))
    assert grid.model.rowCount() == 0
    assert view.result is None and not view.apply_button.isEnabled()


def test_delete_key_in_strip_removes_from_strip_and_grid(qtbot, window):
    generate_n(qtbot, window, 3)
    grid = open_grid(qtbot, window)
    window.document.mask[:4, :4] = 255
    second = window.strip.variations()[1]
    window.strip.setCurrentRow(1)
    window.strip.setFocus()
    qtbot.keyClick(window.strip, Qt.Key.Key_Delete)
    assert second not in window.strip.variations() and window.strip.count() == 2
    assert grid.model.rowCount() == 2 and second not in grid.model.results()
    assert window.document.mask[:4, :4].all(), "Del in the strip is not Clear mask"


def test_typing_s_or_c_in_the_prompt_does_not_star_or_compare(qtbot, window):
    generate_n(qtbot, window, 2)
    window.strip.setCurrentRow(0)
    window.panel.prompt.clear()
    window.panel.prompt.setFocus()
    qtbot.keyClicks(window.panel.prompt, "sc")
    assert window.panel.prompt.toPlainText() == "sc"
    assert window.strip.session.starred() == [] and window.variations.compare_view is None


def test_grid_cells_follow_the_results_shape(qtbot, window):
    from studio.core.params import GenerationParams

    grid = open_grid(qtbot, window)
    assert grid.stack.currentWidget() is grid.empty, "an empty session says how to start"
    window.strip.add(np.zeros((48, 96, 3), np.uint8), GenerationParams(seed=1), 0)
    grid.size_slider.setValue(200)
    assert grid.view.iconSize().width() == 200 and grid.view.iconSize().height() == 100
    assert grid.thumb_size() == 200 and grid.stack.currentWidget() is grid.view
    window.strip.add(np.zeros((96, 48, 3), np.uint8), GenerationParams(seed=2), 0)
    assert grid.view.iconSize().width() == 200 and grid.view.iconSize().height() == 200
