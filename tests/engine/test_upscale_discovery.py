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


def test_upscalers_in_the_hugging_face_cache_are_found_resolved_and_run(tmp_path, monkeypatch):
    from studio.engine.upscale import upscale_image
    from studio.engine.upscale.testing import save_random_esrgan
    from tests.fake_hub import put_in_cache
    from tests.helpers import noise_image

    model = save_random_esrgan(tmp_path / "made" / "RealESRGAN_x4.pth", scale=4).read_bytes()
    cache = tmp_path / "hf"
    cached = put_in_cache(cache, "someone/Real-ESRGAN", "RealESRGAN_x4.pth", model)
    put_in_cache(cache, "someone/Real-ESRGAN", "README.md", b"# not a model")
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    folder_one = touch(tmp_path / "ups" / "4x-UltraSharp.pth")

    found = find_upscalers([tmp_path / "ups"])
    assert [(e.name, e.path, e.scale) for e in found] == [
        ("4x-UltraSharp", folder_one, 4),
        ("RealESRGAN_x4", cached, 4),
    ]
    assert find_upscalers([tmp_path / "ups"], include_hub=False) == found[:1]
    assert resolve_upscaler("realesrgan_x4", []).path == cached

    big = upscale_image(noise_image(20, 12, seed=1), "RealESRGAN_x4", device="cpu")
    assert big.shape == (48, 80, 3) and big.std() > 10


def test_a_cached_upscaler_named_like_a_folder_one_gets_its_repo_in_the_name(tmp_path, monkeypatch):
    from tests.fake_hub import put_in_cache

    cached = put_in_cache(tmp_path / "hf", "someone/Real-ESRGAN", "RealESRGAN_x4.pth", b"x")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf"))
    mine = touch(tmp_path / "ups" / "RealESRGAN_x4.pth")
    names = {e.name: e.path for e in find_upscalers([tmp_path / "ups"])}
    assert names == {"RealESRGAN_x4": mine, "someone/Real-ESRGAN/RealESRGAN_x4": cached}
    assert resolve_upscaler("someone/Real-ESRGAN/RealESRGAN_x4", []).path == cached
