"""`studio upscale`: Lanczos, model files, detail pass on tiny, progress lines, exit codes, and
Ctrl+C mid-way leaving no output file."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from studio.cli.main import main
from studio.core.imagefiles import save_png
from studio.core.params import GenerationParams
from studio.engine.upscale.testing import save_random_esrgan
from tests.helpers import noise_image, save


def pixels(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path))


@pytest.fixture(scope="module")
def model_2x(tmp_path_factory):
    return save_random_esrgan(tmp_path_factory.mktemp("ups") / "2x_test.safetensors", scale=2)


def test_lanczos_upscale_keeps_metadata_and_alpha(tmp_path, capsys):
    source = tmp_path / "in.png"
    params = GenerationParams(prompt="castle", model="tiny", seed=5, width=64, height=48)
    save_png(source, noise_image(64, 48, channels=4), params)
    out = tmp_path / "big.png"
    assert main(["upscale", "-i", str(source), "--scale", "2", "-o", str(out)]) == 0
    assert pixels(out).shape == (96, 128, 4)
    assert json.loads(Image.open(out).text["studio"])["seed"] == 5  # provenance kept
    err = capsys.readouterr().err
    assert "tile 1/1" in err and f"wrote {out}" in err


def test_model_file_tiled_with_a_progress_line_per_tile(tmp_path, capsys, model_2x):
    source = save(tmp_path / "in.png", noise_image(100, 60, seed=1))
    out = tmp_path / "big.png"
    code = main(["upscale", "-i", str(source), "--upscaler", str(model_2x), "--tile", "48",
                 "--overlap", "16", "--device", "cpu", "-o", str(out)])  # fmt: skip
    assert code == 0
    assert pixels(out).shape == (120, 200, 3)
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("tile ")]
    assert [line.split()[1] for line in lines] == [f"{i}/6" for i in range(1, 7)]


def test_upscaler_found_by_name_in_the_configured_folders(tmp_path, monkeypatch, model_2x):
    comfy = tmp_path / "ComfyUI" / "models" / "upscale_models"
    comfy.mkdir(parents=True)
    (comfy / "2x_mine.safetensors").write_bytes(model_2x.read_bytes())
    monkeypatch.setenv("STUDIO_UPSCALER_DIRS", str(tmp_path))
    source = save(tmp_path / "in.png", noise_image(20, 20))
    out = tmp_path / "big.png"
    assert main(["upscale", "-i", str(source), "--upscaler", "2x_mine", "-o", str(out)]) == 0
    assert pixels(out).shape == (40, 40, 3)


def _evil(path: Path, victim: Path) -> Path:
    import torch

    class CreatesFile:
        def __reduce__(self):
            return (exec, (f"open({str(victim)!r}, 'w').close()",))

    torch.save({"model.0.weight": CreatesFile()}, path)
    return path


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--scale", "0.5"], "scale must be"),
        (["--tile", "8"], "tile must be"),
        (["--upscaler", "bicubic"], "unknown upscaler 'bicubic'"),
        (["--upscaler", "missing.pth"], "does not exist"),
        (["--model", "tiny"], "--model only applies to the detail pass; add --detail"),
        (["--detail"], "--detail needs a diffusion model"),
        (["--detail", "--model", "tiny", "--steps", "2"], "leave no denoising step"),
        (["--detail", "--model", "no-such-model"], "no-such-model"),
        (["EVIL"], "holds code, not only weights"),
    ],
)
def test_bad_input_is_one_error_line_exit_2_and_no_file(tmp_path, capsys, extra, message):
    source = save(tmp_path / "in.png", noise_image(16, 16))
    victim = tmp_path / "pwned"
    if extra == ["EVIL"]:
        extra = ["--upscaler", str(_evil(tmp_path / "4x_evil.pth", victim))]
    out = tmp_path / "out.png"
    assert main(["upscale", "-i", str(source), *extra, "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("error: ") and message in err[-1], err
    assert "Traceback" not in "\n".join(err)
    assert not out.exists() and not victim.exists()


def test_bad_image_and_output_paths(tmp_path, capsys):
    source = save(tmp_path / "in.png", noise_image(16, 16))
    (tmp_path / "notes.png").write_text("not an image")
    cases = [
        (["-i", str(tmp_path / "nope.png"), "-o", str(tmp_path / "a.png")], "does not exist"),
        (["-i", str(tmp_path / "notes.png"), "-o", str(tmp_path / "a.png")], "not an image"),
        (["-i", str(source), "-o", str(tmp_path / "a.jpg")], "must end in .png"),
        (["-i", str(source), "-o", str(tmp_path)], "is a folder"),
    ]
    for args, message in cases:
        assert main(["upscale", *args]) == 2
        assert message in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.png", "notes.png"]


GATED_UPSCALE = """
import sys, time
from studio.cli.upscale import TileProgress
from studio.launcher import main

real = TileProgress.tile

def gated(self, report):
    real(self, report)
    while report.done >= 2:  # until Ctrl+C raises KeyboardInterrupt here
        time.sleep(0.01)

TileProgress.tile = gated
raise SystemExit(main(sys.argv[1:]))
"""


def test_detail_upscale_on_tiny_in_a_real_process_then_ctrl_c_writes_nothing(tmp_path):
    source = save(tmp_path / "in.png", noise_image(256, 256, seed=2))
    out = tmp_path / "big.png"
    command = [sys.executable, "-m", "studio", "upscale", "-i", str(source), "--detail",
               "--model", "tiny", "-p", "castle", "--steps", "2", "--detail-strength", "0.5",
               "--detail-tile", "320", "--seed", "3", "-o", str(out)]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert pixels(out).shape == (512, 512, 3)
    tiles = [line.split()[1] for line in done.stderr.splitlines() if line.startswith("tile ")]
    assert tiles == [f"{i}/5" for i in range(1, 6)]
    used = json.loads(Image.open(out).text["studio"])
    assert used["prompt"] == "castle" and used["strength"] == 0.5 and used["mode"] == "img2img"

    # Again with many small tiles, interrupted after the second tile: exit 130, no file. The
    # run waits after tile 2 until Ctrl+C, so the signal always lands mid-upscale.
    out.unlink()
    command[command.index("320")] = "64"
    command[1:3] = ["-c", GATED_UPSCALE]
    proc = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    lines = []
    try:
        for line in proc.stderr:
            lines.append(line)
            if line.startswith("tile 2/"):
                break
        proc.send_signal(signal.SIGINT)
        _, rest = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 130, "".join(lines) + (rest or "")
    assert "interrupted" in rest
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.png"]  # no temp files either
