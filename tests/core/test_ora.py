"""OpenRaster: exact round trip, a valid zip layout, and files written the way Krita writes them."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import numpy as np
import pytest
from PIL import Image

from studio.core.document import Document, Layer, composite
from studio.core.document.ora import Variation, read_ora, save_ora
from studio.core.errors import InputImageError
from studio.core.imagefiles import read_image
from studio.core.params import GenerationParams


def _doc() -> Document:
    rng = np.random.default_rng(5)
    base = Layer(rng.integers(0, 256, (40, 60, 4), dtype=np.uint8), name="Sketch")
    sky = Layer(
        rng.integers(0, 256, (10, 20, 4), dtype=np.uint8),
        name="Sky — ünïcode",
        blend="multiply",
        opacity=0.35,
        x=-4,
        y=7,
        kind="result",
    )
    hidden = Layer(rng.integers(0, 256, (40, 60, 3), dtype=np.uint8), name="Off", visible=False)
    doc = Document.from_layers([base, sky, hidden], (60, 40), GenerationParams(prompt="a", seed=9))
    doc.mask[5:20, 10:30] = 255
    doc.mask[0, 0] = 77
    doc.active = 1
    return doc


def test_round_trip_keeps_every_layer_the_mask_and_the_params(tmp_path: Path):
    doc = _doc()
    panel = GenerationParams(prompt="castle, concept art", seed=42, steps=7, mode="inpaint")
    results = [Variation(np.full((8, 8, 3), 40, np.uint8), GenerationParams(prompt="v", seed=3))]
    path = save_ora(tmp_path / "pic.ora", doc, panel, results)
    back = read_ora(path)
    got = back.document
    assert (got.width, got.height) == (60, 40)
    assert len(got.layers) == 3
    for want, have in zip(doc.layers, got.layers, strict=True):
        assert np.array_equal(want.pixels, have.pixels)
        assert want.props() == have.props()
    assert np.array_equal(got.mask, doc.mask)
    assert got.params == doc.params and back.panel_params == panel
    assert got.active == 1
    assert len(back.variations) == 1 and back.variations[0].params == results[0].params
    assert np.array_equal(back.variations[0].image, results[0].image)
    assert np.array_equal(got.composite_rgba(), doc.composite_rgba())


def test_the_zip_starts_with_a_stored_mimetype_and_has_the_required_parts(tmp_path: Path):
    path = save_ora(tmp_path / "pic.ora", _doc())
    raw = path.read_bytes()
    assert raw[30:38] == b"mimetype" and raw[38:54] == b"image/openraster"
    with zipfile.ZipFile(path) as archive:
        first = archive.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        names = set(archive.namelist())
        assert {"stack.xml", "mergedimage.png", "Thumbnails/thumbnail.png"} <= names
        thumb = Image.open(io.BytesIO(archive.read("Thumbnails/thumbnail.png")))
        assert max(thumb.size) <= 256
        merged = np.asarray(Image.open(io.BytesIO(archive.read("mergedimage.png"))))
    assert np.array_equal(merged, _doc().composite_rgba())


def _krita_file(path: Path) -> np.ndarray:
    """Write a file the way Krita 5 does (nested group, offsets, hidden layer, svg: ops) and
    return the composite it should show, built by hand."""
    paper = np.zeros((32, 48, 4), np.uint8)
    paper[:] = (200, 180, 160, 255)
    figure = np.zeros((10, 12, 4), np.uint8)
    figure[:] = (40, 80, 120, 255)
    shade = np.zeros((6, 6, 4), np.uint8)
    shade[:] = (128, 128, 128, 255)
    ghost = np.zeros((32, 48, 4), np.uint8)
    ghost[:] = (255, 0, 0, 255)

    def png(a: np.ndarray) -> bytes:
        buffer = io.BytesIO()
        Image.fromarray(a).save(buffer, format="PNG")
        return buffer.getvalue()

    stack = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE image>
<image h="32" version="0.0.1" xres="300" yres="300" w="48">
 <stack name="root" opacity="1" visibility="visible" x="0" y="0">
  <layer name="Ghost" src="data/layer4.png" x="0" y="0" opacity="1" visibility="hidden"
   composite-op="svg:src-over"/>
  <stack name="Figure group" isolation="isolate" opacity="1" visibility="visible" x="2" y="1"
   composite-op="svg:src-over">
   <layer name="Shade" src="data/layer3.png" x="18" y="11" opacity="1" visibility="visible"
    composite-op="svg:multiply" selected="true"/>
   <layer name="Figure" src="data/layer2.png" x="14" y="9" opacity="1" visibility="visible"
    composite-op="svg:src-over"/>
  </stack>
  <layer name="Paper" src="data/layer1.png" x="0" y="0" opacity="1" visibility="visible"
   composite-op="svg:src-over"/>
 </stack>
</image>
"""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), b"image/openraster")
        archive.writestr("stack.xml", stack)
        for name, pixels in (("layer1", paper), ("layer2", figure), ("layer3", shade)):
            archive.writestr(f"data/{name}.png", png(pixels))
        archive.writestr("data/layer4.png", png(ghost))
        archive.writestr("mergedimage.png", png(paper))
    expected = paper.copy()
    expected[10:20, 16:28] = figure
    expected[12:18, 20:26, :3] = (40 * 128 + 127) // 255, (80 * 128 + 127) // 255, 60
    return expected


def test_a_krita_style_file_opens_with_its_layers_and_the_right_composite(tmp_path: Path):
    path = tmp_path / "krita.ora"
    expected = _krita_file(path)
    got = read_ora(path).document
    names = [layer.name for layer in got.layers]
    assert names == ["Paper", "Figure group / Figure", "Figure group / Shade", "Ghost"]
    assert [layer.visible for layer in got.layers] == [True, True, True, False]
    assert got.layers[2].blend == "multiply" and (got.layers[2].x, got.layers[2].y) == (20, 12)
    assert got.active == 2  # Krita's selected layer
    assert np.array_equal(got.composite_rgba(), expected)
    assert np.array_equal(composite(got.layers, (48, 32)), expected)
    pixels, chunks = read_image(path)  # every -i takes an .ora: its visible composite
    assert np.array_equal(pixels, expected[:, :, :3]) and chunks == {}


def test_read_image_of_a_studio_ora_carries_its_params(tmp_path: Path):
    doc = _doc()
    path = save_ora(tmp_path / "p.ora", doc)
    pixels, chunks = read_image(path)
    assert pixels.shape == (40, 60, 4)  # the stack has transparent pixels: RGBA kept
    from studio.core.metadata import params_from_text_chunks

    assert params_from_text_chunks(chunks) == doc.params


def test_damaged_files_give_a_one_line_error(tmp_path: Path):
    bad = tmp_path / "bad.ora"
    bad.write_bytes(b"not a zip")
    with pytest.raises(InputImageError, match="not a readable OpenRaster"):
        read_ora(bad)
    with zipfile.ZipFile(bad, "w") as archive:
        archive.writestr("mimetype", b"image/openraster")
    with pytest.raises(InputImageError, match=r"stack\.xml is missing"):
        read_ora(bad)


def test_a_crash_while_saving_leaves_the_previous_file_whole(tmp_path: Path, monkeypatch):
    path = save_ora(tmp_path / "keep.ora", _doc())
    before = path.read_bytes()
    import os

    def crash(*_args):
        raise OSError("disk gone")

    monkeypatch.setattr(os, "replace", crash)
    other = Document.blank(8, 8)
    with pytest.raises(OSError):
        save_ora(path, other)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["keep.ora"], "no temp file left behind"


def test_autosave_snapshot_copies_only_layers_whose_pixels_changed():
    from studio.core.document import layer_edits as le
    from studio.core.document.autosave import snapshot
    from studio.core.document.paint import PaintStroke

    doc = _doc()
    cache: dict = {}
    first = snapshot(doc, cache)
    stroke = PaintStroke(doc, doc.layers[0], (1, 2, 3))
    stroke.segment((5, 5), (20, 5), 3, 1.0, include_start=True)
    stroke.finish()
    le.set_props_edit(doc, doc.layers[2], name="renamed").apply(doc)
    second = snapshot(doc, cache)
    assert second.layers[0].pixels is not first.layers[0].pixels, "painted: copied again"
    assert np.array_equal(second.layers[0].pixels, doc.layers[0].pixels)
    assert second.layers[1].pixels is first.layers[1].pixels, "untouched: the copy is reused"
    assert second.layers[2].name == "renamed" and second.layers[2].pixels is first.layers[2].pixels
    assert not second.layers[1].pixels.flags.writeable
    for original, copy in zip(doc.layers, second.layers, strict=True):
        assert np.array_equal(original.pixels, copy.pixels) and original.props() == copy.props()


def test_layers_sharing_a_name_each_keep_their_pixels_and_name(tmp_path: Path):
    rng = np.random.default_rng(11)
    names = ["Sky", "Sky", "Inpaint mask (Studio)", "Sky"]  # one even looks like the mask's
    layers = [
        Layer(rng.integers(0, 256, (12, 16, 4), dtype=np.uint8), name=name, visible=i != 1)
        for i, name in enumerate(names)
    ]
    doc = Document.from_layers(layers, (16, 12))
    doc.mask[2:5, 3:9] = 255
    got = read_ora(save_ora(tmp_path / "same-names.ora", doc)).document
    assert [layer.name for layer in got.layers] == names
    for want, have in zip(doc.layers, got.layers, strict=True):
        assert np.array_equal(want.pixels, have.pixels), want.name
        assert want.props() == have.props()
    assert np.array_equal(got.mask, doc.mask)
    with zipfile.ZipFile(tmp_path / "same-names.ora") as archive:
        sources = [el.get("src") for el in ET.fromstring(archive.read("stack.xml")).iter("layer")]
    assert len(sources) == len(set(sources)) == len(names) + 1, "one file per layer + the mask"
