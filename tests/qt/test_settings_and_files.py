"""Persistence (QSettings in STUDIO_CONFIG_DIR), open/save with metadata, clipboard."""

from __future__ import annotations

import numpy as np
from PIL import Image

from studio.core.imagefiles import read_image
from studio.core.metadata import params_from_text_chunks
from studio.core.params import GenerationParams
from tests.qt.conftest import small_params


def test_last_params_and_layout_persist_between_launches(qtbot, fake_engine):
    from studio.app import create_window

    first = create_window(lambda: fake_engine)
    qtbot.addWidget(first)
    first.show()
    small_params(first, steps=13, prompt="remember me")
    first.panel.splitter.setSizes([300, 50, 300])
    first.close()

    second = create_window(lambda: fake_engine)
    qtbot.addWidget(second)
    assert second.panel.prompt.toPlainText() == "remember me"
    assert second.panel.steps.value() == 13
    assert second.settings.value("window/state") is not None
    second.close()


def test_open_reads_metadata_and_save_writes_png_with_parameters(qtbot, window, tmp_path):
    from studio.core.imagefiles import save_png

    params = GenerationParams(prompt="castle", seed=42, steps=9, width=48, height=32)
    source = save_png(tmp_path / "in.png", np.full((32, 48, 3), 120, np.uint8), params)
    assert window.open_path(source)
    assert window.document.has_image and window.document.params.seed == 42
    assert window.panel.auto_mode == "img2img"
    window.actions_["reuse"].trigger()
    assert window.panel.prompt.toPlainText() == "castle" and window.panel.steps.value() == 9
    out = tmp_path / "out.png"
    assert window.files.save_to(out)
    pixels, chunks = read_image(out)
    assert np.array_equal(pixels, window.document.image)
    assert params_from_text_chunks(chunks).seed == 42


def test_bad_file_is_a_message_not_a_crash(qtbot, window, tmp_path):
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"not a png")
    before = window.document
    assert not window.open_path(bad)
    assert "bad.png" in window.last_error
    assert window.document is before


def test_copy_then_paste_adds_a_layer_at_the_view_centre_and_is_undoable(qtbot, window, tmp_path):
    path = tmp_path / "p.png"
    Image.fromarray(np.full((24, 40, 3), 30, np.uint8)).save(path)
    window.open_path(path)
    window.importer.copy()
    window.set_document(type(window.document).blank(64, 64))
    window.canvas.fit()
    window.importer.paste()  # Ctrl+V: a new layer, the document keeps its size and its layers
    doc = window.document
    assert (doc.width, doc.height) == (64, 64) and len(doc.layers) == 2
    layer = doc.active_layer
    assert (layer.width, layer.height) == (40, 24) and (layer.pixels[..., :3] == 30).all()
    cx, cy = window.canvas.view_centre()
    assert abs(layer.x + 20 - cx) <= 1 and abs(layer.y + 12 - cy) <= 1
    assert doc.has_image and (doc.image[layer.y + 1, layer.x + 1] == 30).all()
    window.undo_stack.undo()
    assert len(window.document.layers) == 1 and not window.document.has_image
    window.importer.paste_as_new_document()  # the old behaviour, on its own command
    assert (window.document.width, window.document.height) == (40, 24)
    assert (window.document.image == 30).all()
