"""The `studio` command line: every mode end to end, metadata, --params-from, previews."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from studio.cli.main import main
from studio.core.metadata import INFOTEXT_PAIR
from tests.helpers import box_mask, noise_image, save

TINY = ["--model", "tiny", "--size", "64x64", "--steps", "3"]


def pixels(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path))


def studio(
    *args: str, cwd: Path | None = None, timeout: float = 180
) -> subprocess.CompletedProcess:
    """The real entry point in a fresh process."""
    return subprocess.run(
        [sys.executable, "-m", "studio", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout,
    )


def test_generate_in_a_real_process_writes_png_with_a1111_parameters(tmp_path):
    out = tmp_path / "castle.png"
    done = studio(
        "generate",
        "-p",
        "castle, on a cliff",
        "-n",
        "blurry",
        *TINY,
        "--seed",
        "11",
        "-o",
        str(out),
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    text = Image.open(out).text
    lines = text["parameters"].split("\n")
    assert lines[0] == "castle, on a cliff"
    assert lines[1] == "Negative prompt: blurry"
    assert len(INFOTEXT_PAIR.findall(lines[-1])) >= 3
    assert (
        "Seed: 11" in lines[-1] and "Size: 64x64" in lines[-1] and "Sampler: Euler a" in lines[-1]
    )
    assert json.loads(text["studio"])["seed"] == 11


def test_same_seed_same_pixels_and_params_from_reproduces(tmp_path):
    a, b, c, again = (tmp_path / n for n in ("a.png", "b.png", "c.png", "again.png"))
    assert main(["generate", "-p", "tower", *TINY, "--seed", "5", "-o", str(a)]) == 0
    assert main(["generate", "-p", "tower", *TINY, "--seed", "5", "-o", str(b)]) == 0
    assert main(["generate", "-p", "tower", *TINY, "--seed", "6", "-o", str(c)]) == 0
    assert np.array_equal(pixels(a), pixels(b))
    assert not np.array_equal(pixels(a), pixels(c))
    assert main(["generate", "--params-from", str(a), "-o", str(again)]) == 0
    assert np.array_equal(pixels(a), pixels(again))
    # A flag beside --params-from wins.
    other = tmp_path / "other.png"
    assert main(["generate", "--params-from", str(a), "--seed", "6", "-o", str(other)]) == 0
    assert np.array_equal(pixels(other), pixels(c))


def test_count_writes_one_file_per_seed_into_a_folder(tmp_path):
    out = tmp_path / "many"
    assert (
        main(["generate", "-p", "tower", *TINY, "--seed", "40", "--count", "3", "-o", str(out)])
        == 0
    )
    files = sorted(out.glob("*.png"))
    assert [f.name for f in files] == ["0000-40.png", "0001-41.png", "0002-42.png"]
    seeds = [json.loads(Image.open(f).text["studio"])["seed"] for f in files]
    assert seeds == [40, 41, 42]


def test_preview_dir_gets_one_png_per_step(tmp_path):
    previews = tmp_path / "previews"
    args = ["generate", "-p", "x", *TINY[:-1], "5", "--seed", "1", "--preview-dir", str(previews)]
    assert main([*args, "-o", str(tmp_path / "o.png")]) == 0
    assert len(list(previews.glob("*.png"))) == 5


def test_img2img_inpaint_outpaint_from_the_cli(tmp_path):
    source = save(tmp_path / "in.png", noise_image(64, 64, seed=4))
    mask = save(tmp_path / "mask.png", box_mask(64, 64, (8, 8, 40, 40)))
    i2i, inp, outp = tmp_path / "i2i.png", tmp_path / "inp.png", tmp_path / "out.png"
    assert (
        main(["img2img", "-i", str(source), "-p", "x", *TINY, "--strength", "0.6", "-o", str(i2i)])
        == 0
    )
    assert pixels(i2i).shape == (64, 64, 3)
    assert (
        main(
            [
                "inpaint",
                "-i",
                str(source),
                "--mask",
                str(mask),
                "-p",
                "x",
                *TINY,
                "--mask-blur",
                "0",
                "-o",
                str(inp),
            ]
        )
        == 0
    )
    kept = box_mask(64, 64, (8, 8, 40, 40)) == 0
    assert np.array_equal(pixels(inp)[kept], pixels(source)[kept])
    assert not np.array_equal(pixels(inp), pixels(source))
    assert (
        main(
            [
                "outpaint",
                "-i",
                str(source),
                "--extend",
                "0,0,32,0",
                "-p",
                "x",
                *TINY,
                "-o",
                str(outp),
            ]
        )
        == 0
    )
    assert pixels(outp).shape == (64, 96, 3)
    assert "Mode: outpaint" in Image.open(outp).text["parameters"]


def test_info_prints_the_parameters(tmp_path, capsys):
    out = tmp_path / "a.png"
    assert main(["generate", "-p", "lighthouse", *TINY, "--seed", "3", "-o", str(out)]) == 0
    capsys.readouterr()
    assert main(["info", str(out)]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("lighthouse\n") and "Seed: 3" in printed


# The real CLI, except that after the first step's preview it waits for Ctrl+C, so the signal
# always lands mid-generation however fast the machine is.
GATED_STUDIO = """
import sys, time
from studio.engine.api import Engine
from studio.launcher import main

real = Engine.generate

def gated(self, params, *args, on_step=None, **kw):
    def step(report):
        on_step(report)
        while True:  # until Ctrl+C raises KeyboardInterrupt here
            time.sleep(0.01)
    return real(self, params, *args, on_step=step, **kw)

Engine.generate = gated
raise SystemExit(main(sys.argv[1:]))
"""


def test_ctrl_c_exits_130_and_writes_no_file(tmp_path):
    out, previews = tmp_path / "slow.png", tmp_path / "previews"
    args = ["generate", "-p", "x", "--model", "tiny", "--size", "64x64", "--steps", "4"]
    proc = subprocess.Popen(
        [sys.executable, "-c", GATED_STUDIO, *args, "--preview-dir", str(previews), "-o", str(out)],
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120  # a hang guard only: the gate holds the run
    while not (previews.exists() and any(previews.iterdir())):
        assert proc.poll() is None and time.monotonic() < deadline, "no step reached"
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert "Traceback" not in stderr
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".slow.png")]


@pytest.mark.skipif(os.name != "posix", reason="uses POSIX signals")
def test_studio_help_does_not_import_torch():
    code = (
        "import sys; from studio.cli.main import build_parser; build_parser(); "
        "print('torch' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "False"


def test_params_line_quotes_values_with_commas(tmp_path):
    out = tmp_path / "q.png"
    assert (
        main(
            [
                "generate",
                "-p",
                "x",
                *TINY,
                "--seed",
                "2",
                "--scheduler",
                "dpm++ 2m karras",
                "-o",
                str(out),
            ]
        )
        == 0
    )
    last = Image.open(out).text["parameters"].split("\n")[-1]
    assert re.search(r"Sampler: DPM\+\+ 2M, Schedule type: Karras,", last)


def test_a1111_variation_seed_reproduces_through_params_from(tmp_path, engine):
    """An A1111 image made with a variation seed: --params-from renders its noise mix."""
    from PIL import PngImagePlugin

    from studio.core.params import GenerationParams

    info = PngImagePlugin.PngInfo()
    info.add_text(
        "parameters",
        "a red fox in the snow\nNegative prompt: blurry\n"
        "Steps: 3, Sampler: Euler, CFG scale: 6.5, Seed: 1234, Variation seed: 5678, "
        "Variation seed strength: 0.35, Size: 512x512, Model hash: 45dee52b, Model: v1-5",
    )
    source = tmp_path / "a1111.png"
    Image.fromarray(noise_image(8, 8)).save(source, pnginfo=info)
    out = tmp_path / "again.png"
    code = main(
        [
            "generate",
            "--params-from",
            str(source),
            "--model",
            "tiny",
            "--size",
            "64x64",
            "-o",
            str(out),
        ]
    )
    assert code == 0
    text = Image.open(out).text["parameters"]
    assert "Seed: 1234, Variation seed: 5678, Variation seed strength: 0.35" in text
    expected = GenerationParams(
        prompt="a red fox in the snow",
        negative="blurry",
        steps=3,
        scheduler="Euler",
        cfg=6.5,
        seed=1234,
        variation_seed=5678,
        variation_strength=0.35,
        model="tiny",
        width=64,
        height=64,
    )
    assert np.array_equal(pixels(out), engine.generate(expected)[0].image)
    plain = engine.generate(expected.replace(variation_strength=0.0))[0].image
    assert not np.array_equal(pixels(out), plain)


def test_variation_flags_and_count(tmp_path):
    out = tmp_path / "many"
    code = main(
        [
            "generate",
            "-p",
            "fox",
            *TINY,
            "--seed",
            "5",
            "--variation-seed",
            "9",
            "--variation-strength",
            "0.2",
            "--count",
            "2",
            "-o",
            str(out),
        ]
    )
    assert code == 0
    names = sorted(p.name for p in out.glob("*.png"))
    assert names == ["0000-5v9.png", "0001-5v10.png"]
    assert "Variation seed: 10" in Image.open(out / names[1]).text["parameters"]
