"""Every CLI command that takes an image (-i) also takes an .ora and uses its visible composite."""

from __future__ import annotations

import numpy as np
from PIL import Image

from studio.cli.main import main
from studio.core.document import Document, Layer
from studio.core.document.ora import save_ora
from studio.core.imagefiles import save_png
from studio.core.params import GenerationParams

TINY = ["--model", "tiny", "--size", "64x64", "--steps", "2", "--seed", "4"]


def test_img2img_from_an_ora_equals_img2img_from_its_composite(tmp_path, capsys):
    rng = np.random.default_rng(2)
    base = Layer(rng.integers(0, 256, (64, 64, 3), dtype=np.uint8))
    top = Layer(rng.integers(0, 256, (20, 30, 4), dtype=np.uint8), x=10, y=30, blend="screen")
    hidden = Layer(np.zeros((64, 64, 3), np.uint8), visible=False)
    doc = Document.from_layers([base, top, hidden], (64, 64), GenerationParams(prompt="p", seed=8))
    ora = save_ora(tmp_path / "doc.ora", doc)
    png = save_png(tmp_path / "flat.png", np.array(doc.image))
    a, b = tmp_path / "a.png", tmp_path / "b.png"
    assert main(["img2img", "-i", str(ora), "-p", "x", *TINY, "-o", str(a)]) == 0
    assert main(["img2img", "-i", str(png), "-p", "x", *TINY, "-o", str(b)]) == 0
    assert np.array_equal(np.asarray(Image.open(a)), np.asarray(Image.open(b)))
    capsys.readouterr()
    assert main(["info", str(ora)]) == 0
    assert "Seed: 8" in capsys.readouterr().out


def test_a_damaged_ora_is_a_one_line_input_error(tmp_path, capsys):
    bad = tmp_path / "bad.ora"
    bad.write_bytes(b"PK\x03\x04 broken")
    out = tmp_path / "o.png"
    assert main(["img2img", "-i", str(bad), "-p", "x", *TINY, "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and "OpenRaster" in err and "Traceback" not in err
    assert not out.exists()
