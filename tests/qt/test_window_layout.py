"""At 1400×900 the parameter form fits without scrolling and Cancel sits in the toolbar."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QToolBar

from studio.core.document import Document


def _at_1400_by_900(qtbot, window):
    window.resize(1400, 900)
    qtbot.waitUntil(lambda: window.size().width() == 1400 and window.size().height() == 900)
    return window.panel


def _fits(panel) -> bool:
    scroll = panel.settings_scroll
    return not scroll.verticalScrollBar().isVisible()


def test_the_txt2img_form_needs_no_scrolling_and_cancel_is_in_the_toolbar(qtbot, window):
    panel = _at_1400_by_900(qtbot, window)
    assert panel.effective_mode() == "txt2img"
    qtbot.waitUntil(lambda: _fits(panel), timeout=3000)  # once the docks have settled
    assert panel.generate_button.isVisible() and panel.count.isVisible()
    bar = window.findChild(QToolBar, "mainToolbar")
    button = bar.widgetForAction(window.actions_["cancel"])
    assert button is not None and button.isVisible(), "Cancel went to the overflow menu"
    assert bar.rect().contains(button.geometry())
    assert window.actions_["generate"] in bar.actions()
    assert bar.widgetForAction(window.actions_["generate"]).isVisible()


def test_only_the_current_modes_options_show_and_fine_ones_fold_under_more(qtbot, window):
    panel = _at_1400_by_900(qtbot, window)
    assert panel.width_box.isVisible() and not panel.strength.isVisible()
    assert not panel.inpaint.area.isVisible() and not panel.inpaint.padding.isVisible()
    assert "new picture" in panel.mode_hint.text()

    window.set_document(Document.from_image(np.full((64, 64, 3), 120, np.uint8)))
    window.document.mask[8:30, 8:30] = 255
    window.update_mode()
    assert panel.effective_mode() == "inpaint"
    assert panel.strength.isVisible() and panel.inpaint.area.isVisible()
    assert not panel.width_box.isVisible(), "inpaint works at the picture's own size"
    assert not panel.inpaint.padding.isVisible() and not panel.scheduler.isVisible(), "folded"
    assert "masked area" in panel.mode_hint.text()
    qtbot.waitUntil(lambda: _fits(panel))

    panel.more.toggle.click()
    assert panel.inpaint.padding.isVisible() and panel.inpaint.grow.isVisible()
    assert panel.scheduler.isVisible() and panel.decode.isVisible()
    panel.more.toggle.click()
    assert not panel.inpaint.padding.isVisible()

    # a mode chosen by hand shows its own options and says so
    panel.mode.setCurrentIndex(panel.mode.findData("txt2img"))
    assert panel.width_box.isVisible() and not panel.inpaint.area.isVisible()
    assert panel.mode_hint.text() == "Will create a new picture"
