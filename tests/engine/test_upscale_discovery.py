"""Finding upscaler files in configured folders and A1111 / ComfyUI install roots."""

from __future__ import annotations

from pathlib import Path

import pytest

from studio.core.errors import ModelError
from studio.engine.upscale import find_upscalers, list_upscalers, resolve_upscaler
from studio.engine.upscale.discovery import guess_scale


def touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"")
    return path


@pytest.mark.parametrize(
    ("name", "scale"),
    [
        ("4x-UltraSharp", 4),
        ("4x_NMKD-Siax_200k", 4),
        ("RealESRGAN_x4plus", 4),
        ("RealESRGAN_x2plus", 2),
        ("realesr-general-x4v3", 4),
        ("4xNomos8kSC", 4),
        ("DAT_x3", 3),
        ("SwinIR_2x", 2),
        ("1x-ITF-SkinDiffDetail", 1),
        ("ESRGAN_SRx4_DF2KOST_official-ff704c30", 4),
        ("my_favourite_model", None),
        ("2x_to_4x_mixed", None),
    ],
)
def test_scale_is_read_from_the_file_name_when_it_says(name, scale):
    assert guess_scale(name) == scale


def test_a1111_and_comfyui_roots_and_plain_folders(tmp_path):
    a1111 = tmp_path / "stable-diffusion-webui"
    touch(a1111 / "models" / "ESRGAN" / "4x-UltraSharp.pth")
    touch(a1111 / "models" / "RealESRGAN" / "RealESRGAN_x4plus.pth")
    touch(a1111 / "models" / "DAT" / "DAT_x2.safetensors")
    touch(a1111 / "models" / "Stable-diffusion" / "v1-5.safetensors")  # not an upscaler folder
    touch(a1111 / "venv" / "lib" / "site.pth")  # never walk an install's venv
    comfy = tmp_path / "ComfyUI_windows_portable"
    touch(comfy / "ComfyUI" / "models" / "upscale_models" / "sub" / "4xNomos8kSC.safetensors")
    touch(comfy / "ComfyUI" / "models" / "checkpoints" / "sdxl.safetensors")
    plain = tmp_path / "my-upscalers"
    touch(plain / "nested" / "x2_pixel.pt")
    touch(plain / "readme.txt")
    touch(plain / ".hidden" / "4x_secret.pth")
    touch(plain / "NOTES.PTH.txt")

    found = find_upscalers([a1111, comfy, plain, tmp_path / "missing", plain])
    names = [e.name for e in found]
    assert names == [
        "4x-UltraSharp",
        "RealESRGAN_x4plus",
        "DAT_x2",
        "4xNomos8kSC",
        "x2_pixel",
    ]
    assert {e.name: e.scale for e in found} == {
        "4x-UltraSharp": 4,
        "RealESRGAN_x4plus": 4,
        "DAT_x2": 2,
        "4xNomos8kSC": 4,
        "x2_pixel": 2,
    }
    assert all(e.path is not None and e.path.is_file() for e in found)

    # A ComfyUI `models/` folder given directly works too.
    assert [e.name for e in find_upscalers([comfy / "ComfyUI" / "models"])] == ["4xNomos8kSC"]

    listed = list_upscalers([plain])
    assert listed[0].name == "lanczos" and listed[0].is_lanczos and len(listed) == 2


def test_resolving_lanczos_paths_and_names(tmp_path):
    model = touch(tmp_path / "ups" / "4x-UltraSharp.pth")
    assert resolve_upscaler("Lanczos").is_lanczos
    assert resolve_upscaler(str(model)).path == model
    assert resolve_upscaler("4x-ultrasharp", [tmp_path / "ups"]).path == model
    assert resolve_upscaler("4x-UltraSharp.pth", [tmp_path / "ups"]).path == model
    with pytest.raises(ModelError, match="does not exist"):
        resolve_upscaler(str(tmp_path / "nope.pth"))
    with pytest.raises(ModelError, match=r"unknown upscaler 'bicubic'.*4x-UltraSharp"):
        resolve_upscaler("bicubic", [tmp_path / "ups"])
