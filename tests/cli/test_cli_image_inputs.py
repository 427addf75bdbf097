"""`studio img2img -i FILE` with images as users have them."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from studio.cli.main import main
from tests import image_cases
from tests.image_cases import H, W

TINY = ["--model", "tiny", "--steps", "2", "--seed", "1", "-p", "x"]


@pytest.mark.parametrize("name", sorted(image_cases.READABLE))
def test_readable_images_run_img2img(tmp_path, name):
    source = image_cases.build(tmp_path, name)
    out = tmp_path / "out.png"
    assert main(["img2img", "-i", str(source), *TINY, "-o", str(out)]) == 0
    with Image.open(out) as result:
        rotated = name == "EXIF-rotated JPEG"
        assert result.size == ((H, W) if rotated else (W, H))
        assert result.mode == "RGB"
        assert np.asarray(result).std() > 0


@pytest.mark.parametrize("name", sorted(image_cases.UNREADABLE))
def test_unreadable_images_exit_2_with_one_error_line(tmp_path, name, capsys):
    source = image_cases.build(tmp_path, name)
    out = tmp_path / "out.png"
    assert main(["img2img", "-i", str(source), *TINY, "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: "), err
    for words in image_cases.UNREADABLE[name][2]:
        assert words in err[0]
    assert list(tmp_path.iterdir()) == [source]


@pytest.mark.parametrize("name", ["huge", "zero bytes"])
def test_unreadable_image_in_a_real_process_prints_no_warning(tmp_path, name):
    source = image_cases.build(tmp_path, name)
    done = subprocess.run(
        [sys.executable, "-m", "studio", "img2img", "-i", str(source), *TINY, "-o", "o.png"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("error: "), done.stderr
    assert not (tmp_path / "o.png").exists()
