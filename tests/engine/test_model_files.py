"""Bad model files are refused with one clear line; nothing in a model file ever runs;
a model that fails to load leaves the loaded one in place."""

from __future__ import annotations

import pickle
import random
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from safetensors.torch import save_file

from studio.cli.main import main
from studio.core.errors import ModelError
from studio.engine.models.checkpoint_check import inspect_checkpoint


class Payload:
    """Unpickling this creates `marker` (what a malicious checkpoint's code would do)."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def _random_bytes(path: Path) -> None:
    # Seeded: about 1 in 13 random .ckpt contents stop the unpickler with a decode error instead
    # of an UnpicklingError, which is worded "not a model file" (also one line, also "damaged");
    # test_any_random_ckpt_is_one_damaged_line covers many contents.
    path.write_bytes(random.Random(0).randbytes(8192))


def _truncated_safetensors(path: Path) -> None:
    full = path.with_suffix(".full")
    save_file({"model.diffusion_model.x": torch.zeros(64, 64)}, str(full))
    path.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    full.unlink()


def _upscaler(path: Path) -> None:
    save_file({"conv_first.weight": torch.zeros(8, 3, 3, 3), "body.0.weight": torch.zeros(8)}, path)


def _nonsense_keys(path: Path) -> None:
    save_file({"hello.world": torch.zeros(2), "foo": torch.ones(3)}, str(path))


def _lora(path: Path) -> None:
    save_file({"lora_unet_down_blocks_0.lora_down.weight": torch.zeros(4, 4)}, str(path))


CASES = {
    "random bytes .safetensors": ("junk.safetensors", _random_bytes, "damaged or not a model"),
    "random bytes .ckpt": ("junk.ckpt", _random_bytes, "damaged or holds more than plain"),
    "truncated safetensors": ("cut.safetensors", _truncated_safetensors, "damaged or not a model"),
    "upscaler as model": ("4x-esrgan.safetensors", _upscaler, "is an upscaler; use it with"),
    "nonsense keys": ("odd.safetensors", _nonsense_keys, "not a Stable Diffusion"),
    "a LoRA as model": ("style.safetensors", _lora, "is a LoRA"),
}


def _build(folder: Path, case: str) -> Path:
    file_name, builder, _ = CASES[case]
    path = folder / file_name
    builder(path)
    return path


def _malicious_checkpoint(folder: Path, suffix: str = ".ckpt") -> tuple[Path, Path]:
    marker = folder / "PAYLOAD-RAN"
    path = folder / f"evil{suffix}"
    weights = {"model.diffusion_model.x": torch.zeros(2)}
    torch.save({"state_dict": weights, "x": Payload(marker)}, path)
    return path, marker


def test_the_malicious_checkpoint_really_runs_code_when_unpickled(tmp_path):
    """Guard for the tests below: full unpickling of the file does create the marker."""
    path, marker = _malicious_checkpoint(tmp_path)
    torch.load(path, weights_only=False)
    assert marker.exists()


@pytest.fixture
def loaded(engine):
    engine.load("tiny")
    return engine.loaded


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_model_file_is_refused_and_the_loaded_model_stays(engine, loaded, tmp_path, case):
    path = _build(tmp_path, case)
    with pytest.raises(ModelError) as caught:
        engine.load(str(path))
    message = str(caught.value)
    assert "\n" not in message and path.name in message and CASES[case][2] in message
    assert engine.loaded is loaded  # the previous model was not dropped


def test_malicious_pickle_is_refused_and_never_runs(engine, loaded, tmp_path):
    path, marker = _malicious_checkpoint(tmp_path)
    with pytest.raises(ModelError) as caught:
        engine.load(str(path))
    assert "holds code" in str(caught.value) and "io.open" in str(caught.value)
    assert not marker.exists()
    assert engine.loaded is loaded
    results = engine.generate(_tiny_params())
    assert results[0].image.shape == (64, 64, 3) and engine.loaded is loaded


def _tiny_params():
    from studio.core.params import GenerationParams

    return GenerationParams(prompt="x", model="tiny", width=64, height=64, steps=2, seed=1)


def test_any_random_ckpt_is_one_damaged_line(tmp_path):
    path = tmp_path / "junk.ckpt"
    for seed in range(40):
        path.write_bytes(random.Random(seed).randbytes(8192))
        with pytest.raises(ModelError) as caught:
            inspect_checkpoint(path)
        message = str(caught.value)
        assert "\n" not in message and "junk.ckpt" in message and "damaged" in message, seed


@pytest.mark.parametrize("case", sorted(CASES))
def test_cli_refuses_bad_model_files_with_one_line(tmp_path, case, capsys):
    path = _build(tmp_path, case)
    out = tmp_path / "out.png"
    args = ["generate", "-p", "x", "--model", str(path), "--steps", "2", "-o", str(out)]
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and CASES[case][2] in err[0], err
    assert not out.exists()


@pytest.mark.parametrize(
    ("suffix", "args"),
    [
        (".ckpt", ["generate", "-p", "x", "--steps", "2", "--model", "{model}"]),
        (".pt", ["upscale", "-i", "{image}", "--upscaler", "{model}"]),
    ],
    ids=["--model", "--upscaler"],
)
def test_cli_malicious_pickle_never_runs(tmp_path, args, suffix):
    from tests.helpers import noise_image, save

    path, marker = _malicious_checkpoint(tmp_path, suffix)
    image = save(tmp_path / "in.png", noise_image(32, 32))
    argv = [a.format(model=path, image=image) for a in args]
    done = subprocess.run(
        [sys.executable, "-m", "studio", *argv, "-o", str(tmp_path / "out.png")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("error: "), done.stderr
    assert not marker.exists()
    assert not (tmp_path / "out.png").exists()


def test_plain_pickle_protocol_is_refused_too(engine, loaded, tmp_path):
    marker = tmp_path / "PAYLOAD-RAN"
    path = tmp_path / "old.ckpt"
    path.write_bytes(pickle.dumps({"x": Payload(marker)}, protocol=2))
    with pytest.raises(ModelError, match="holds code"):
        engine.load(str(path))
    assert not marker.exists() and engine.loaded is loaded
