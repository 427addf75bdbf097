"""The status bar shows the engine's precision and why it was chosen."""

from __future__ import annotations


def test_status_bar_shows_the_dtype_and_the_reason(qtbot, engine, tmp_path):
    from studio.app import create_window

    win = create_window(lambda: engine)
    qtbot.addWidget(win)
    win.resize(1100, 700)
    win.show()
    with qtbot.waitSignal(win.controller.precision, timeout=120_000) as told:
        win.controller.start("tiny")
    dtype, reason = told.args
    assert dtype == "float32"  # the suite pins STUDIO_CPU_BF16=0
    assert reason == "auto: bfloat16 turned off by STUDIO_CPU_BF16=0"
    label = win.status.precision
    assert label.text() == f"float32 · {reason}"
    assert reason in label.toolTip()
    qtbot.wait(100)
    win.grab().save(str(tmp_path / "status.png"))
    win.close()


def test_the_fast_decode_choice_reaches_the_job_and_comes_back(qtbot, window, fake_engine):
    panel = window.panel
    assert panel.params().decode == "full"  # the default
    panel.decode.setCurrentIndex(panel.decode.findData("fast"))
    assert panel.params().decode == "fast"
    with qtbot.waitSignal(window.controller.job_finished, timeout=10_000):
        window.generate()
    assert fake_engine.calls[-1].decode == "fast"
    panel.set_params(fake_engine.calls[-1].replace(decode="full"))
    assert panel.params().decode == "full"
