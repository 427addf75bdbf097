"""Upscaler model files: spandrel's own Real-ESRGAN loads from .pth and .safetensors and upscales
4x; a pickle that would run code is refused with a clear error and runs nothing."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest
import torch

from studio.core.errors import ModelError
from studio.engine.upscale import load_upscaler, upscale_image
from studio.engine.upscale.loading import clear_cache
from studio.engine.upscale.testing import random_esrgan, save_random_esrgan
from tests.helpers import noise_image


class CreatesFile:
    """Unpickling this runs exec(), which creates `target`: what a malicious model file does."""

    def __init__(self, target: Path) -> None:
        self.target = target

    def __reduce__(self):
        return (exec, (f"open({str(self.target)!r}, 'w').close()",))


@pytest.fixture(autouse=True)
def _fresh_cache():
    clear_cache()
    yield
    clear_cache()


@pytest.mark.parametrize("suffix", [".pth", ".safetensors", ".pt"])
def test_real_esrgan_file_loads_and_upscales_4x(tmp_path, suffix):
    path = save_random_esrgan(tmp_path / f"4x_RealESRGAN_test{suffix}", scale=4)
    model = load_upscaler(path, device="cpu")
    assert model.architecture.name == "ESRGAN"
    assert model.scale == 4
    assert model.dtype == torch.float32 and model.device.type == "cpu"

    image = noise_image(40, 24, seed=3)
    big = upscale_image(image, path, device="cpu")
    assert big.shape == (96, 160, 3) and big.dtype == np.uint8

    # The same pixels as running spandrel's network directly on the whole image.
    net = random_esrgan(4)
    with torch.no_grad():
        x = torch.from_numpy(image).permute(2, 0, 1)[None].float() / 255
        direct = (net(x).clamp(0, 1)[0].permute(1, 2, 0) * 255).round().byte().numpy()
    assert np.abs(big.astype(int) - direct.astype(int)).max() <= 1
    assert big.std() > 10  # a real picture, not a constant


def test_state_dict_wrapped_as_basicsr_params_ema_loads(tmp_path):
    state = random_esrgan(2).state_dict()
    path = tmp_path / "RealESRGAN_x2plus.pth"
    torch.save({"params_ema": state}, path)
    assert load_upscaler(path, "cpu").scale == 2


@pytest.mark.parametrize("writer", ["torch.save", "raw pickle"])
@pytest.mark.parametrize("suffix", [".pth", ".pt"])
def test_code_in_a_pickle_is_refused_and_never_runs(tmp_path, writer, suffix):
    victim = tmp_path / "pwned.txt"
    path = tmp_path / f"4x_evil{suffix}"
    payload = {"model.0.weight": CreatesFile(victim)}
    if writer == "torch.save":
        torch.save(payload, path)
    else:
        path.write_bytes(pickle.dumps(payload, protocol=2))

    with pytest.raises(ModelError) as caught:
        load_upscaler(path, "cpu")
    message = str(caught.value)
    assert "4x_evil" in message and "code" in message and "exec" in message
    assert "\n" not in message
    assert not victim.exists()

    with pytest.raises(ModelError):
        upscale_image(noise_image(16, 16), path, device="cpu")
    assert not victim.exists()


def test_the_payload_is_real_when_unpickled_unsafely(tmp_path):
    """Control: the same kind of file does create its file under full pickle."""
    victim = tmp_path / "control.txt"
    path = tmp_path / "evil.pth"
    torch.save({"w": CreatesFile(victim)}, path)
    torch.load(path, weights_only=False)
    assert victim.exists()


def test_damaged_and_foreign_files_give_one_line_model_errors(tmp_path):
    cases = {
        "truncated.pth": b"PK\x03\x04 not really a zip",
        "garbage.safetensors": b"\x00" * 64,
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(ModelError, match="damaged or not a model"):
            load_upscaler(tmp_path / name, "cpu")

    foreign = tmp_path / "not_an_upscaler.safetensors"
    from safetensors.torch import save_file

    save_file({"encoder.weight": torch.zeros(3, 3)}, str(foreign))
    with pytest.raises(ModelError, match="not an upscaler architecture"):
        load_upscaler(foreign, "cpu")

    with pytest.raises(ModelError, match="does not exist"):
        load_upscaler(tmp_path / "missing.pth", "cpu")
    (tmp_path / "notes.txt").write_text("hi")
    with pytest.raises(ModelError, match=r"\.pth, \.pt or \.safetensors"):
        load_upscaler(tmp_path / "notes.txt", "cpu")
