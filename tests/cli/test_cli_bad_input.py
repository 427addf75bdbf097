"""Bad input exits 2 with one `error:` line, no traceback, and no output file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.helpers import box_mask, noise_image, png_bomb, save


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("inputs")
    good = save(folder / "good.png", noise_image(64, 64))
    truncated = folder / "truncated.png"
    truncated.write_bytes(good.read_bytes()[:200])
    text = folder / "notes.png"
    text.write_text("this is not an image\n")
    return {
        "good": good,
        "mask": save(folder / "mask.png", box_mask(64, 64, (0, 0, 32, 32))),
        "small_mask": save(folder / "small-mask.png", np.full((32, 32), 255, np.uint8)),
        "truncated": truncated,
        "text": text,
        "bomb": png_bomb(folder / "bomb.png"),
        "missing": folder / "missing.png",
    }


CASES = {
    "missing image": ("img2img", "-i", "{missing}"),
    "truncated image": ("img2img", "-i", "{truncated}"),
    "text file named .png": ("img2img", "-i", "{text}"),
    "decompression bomb": ("img2img", "-i", "{bomb}"),
    "mask size differs": ("inpaint", "-i", "{good}", "--mask", "{small_mask}"),
    "size not a multiple of 8": ("generate", "--size", "100x60"),
    "unknown scheduler": ("generate", "--scheduler", "Euler b"),
    "unknown model": ("generate", "--model", "no-such-model"),
    "negative steps": ("generate", "--steps", "-4"),
    "steps not a number": ("generate", "--steps", "many"),
    "params-from without metadata": ("generate", "--params-from", "{good}"),
    "bad extend": ("outpaint", "-i", "{good}", "--extend", "1,2"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_exits_2_with_one_error_line_and_no_output(case, inputs, tmp_path):
    args = [a.format(**{k: str(v) for k, v in inputs.items()}) for a in CASES[case]]
    if "--model" not in args:
        args += ["--model", "tiny"]
    if "--steps" not in args:
        args += ["--steps", "2"]
    out = tmp_path / "out.png"
    done = subprocess.run(
        [sys.executable, "-m", "studio", *args, "-p", "x", "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    assert "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []
