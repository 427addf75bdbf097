"""The prompt box's token counter and the note on syntax passed through verbatim."""

from __future__ import annotations

from studio.ui.generate.prompt_panel import PromptPanel


def test_counter_shows_tokens_and_chunk_boundary(qtbot):
    panel = PromptPanel()
    qtbot.addWidget(panel)
    panel.prompt.setPlainText("castle " * 83)
    qtbot.waitUntil(lambda: panel.counters[0].text() == "83/150")
    panel.prompt.setPlainText("a (red:1.3) castle <lora:ink:0.8> BREAK a castle")
    qtbot.waitUntil(lambda: panel.counters[0].text() == "77/150")  # 75 (first chunk) + 2
    panel.negative.setPlainText("blurry")
    qtbot.waitUntil(lambda: panel.counters[1].text() == "1/75")


def test_unsupported_syntax_is_noted_once(qtbot):
    panel = PromptPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.prompt.setPlainText("a [cat:dog:0.5] sitting")
    qtbot.waitUntil(lambda: panel.syntax_notice.isVisible())
    assert "prompt editing" in panel.syntax_notice.text()
    panel.prompt.setPlainText("a cat sitting")
    qtbot.waitUntil(lambda: not panel.syntax_notice.isVisible())
    panel.prompt.setPlainText("a [cat:dog:0.5] sitting again")
    panel.counters[0].recount()
    assert not panel.syntax_notice.isVisible()  # said once, not on every edit


def test_notice_stays_while_either_box_holds_such_syntax(qtbot):
    panel = PromptPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.prompt.setPlainText("a cat AND a dog")
    panel.negative.setPlainText("blurry")
    for counter in panel.counters:
        counter.recount()
    assert panel.syntax_notice.isVisible() and "AND" in panel.syntax_notice.text()
