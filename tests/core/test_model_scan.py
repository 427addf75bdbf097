"""One scanner finds every kind of model in A1111/Forge and ComfyUI installs, by keys and folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import save_file

from studio.core.models.defaults import builtin_default, default_model
from studio.core.models.folders import add_model_dir, remove_model_dir
from studio.core.models.scan import by_kind, scan_models

UNET_IN = "model.diffusion_model.input_blocks.0.0.weight"
XATTN = "model.diffusion_model.input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight"
SD1_TE = "cond_stage_model.transformer.text_model.final_layer_norm.weight"


def st(path: Path, keys: dict[str, tuple[int, ...]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    save_file({k: np.zeros(s, dtype=np.float16) for k, s in keys.items()}, str(path))


def lora(width: int, prefix: str = "lora_unet_down_blocks_0_attentions_0_transformer_blocks_0"):
    return {f"{prefix}_attn2_to_k.lora_down.weight": (4, width), f"{prefix}.alpha": ()}


@pytest.fixture
def installs(tmp_path) -> tuple[Path, Path]:
    a1 = tmp_path / "stable-diffusion-webui"
    st(a1 / "models/Stable-diffusion/dream.safetensors", {UNET_IN: (8, 4, 3, 3), SD1_TE: (8,)})
    st(
        a1 / "models/Stable-diffusion/dream-inpainting.safetensors",
        {UNET_IN: (8, 9, 3, 3), SD1_TE: (8,)},
    )
    st(
        a1 / "models/Stable-diffusion/XL/sdxl_turbo.safetensors",
        {
            UNET_IN: (8, 4, 3, 3),
            "conditioner.embedders.0.transformer.text_model.x": (8,),
            "conditioner.embedders.1.model.ln_final.weight": (8,),
        },
    )
    st(
        a1 / "models/VAE/vae-ft-mse.safetensors",
        {"encoder.conv_in.weight": (8, 3, 3, 3), "decoder.conv_out.weight": (3, 8, 3, 3)},
    )
    st(a1 / "models/Lora/ink.safetensors", lora(768))
    st(
        a1 / "models/Lora/xl-style.safetensors",
        {**lora(2048), "lora_te1_text_model_x.lora_down.weight": (4, 8)},
    )
    st(a1 / "embeddings/bad-hands.safetensors", {"emb_params": (2, 768)})
    st(
        a1 / "models/ControlNet/control_canny.safetensors",
        {
            "control_model.input_hint_block.0.weight": (16, 3, 3, 3),
            "control_model.input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight": (8, 768),
        },
    )
    (a1 / "models/ESRGAN").mkdir(parents=True)
    (a1 / "models/ESRGAN/4x-UltraSharp.pth").write_bytes(b"pickle we never open")
    (a1 / "models/VAE-approx").mkdir(parents=True)
    (a1 / "models/VAE-approx/model.pt").write_bytes(b"x")

    comfy = tmp_path / "ComfyUI"
    st(
        comfy / "models/checkpoints/v2-1_768.safetensors",
        {UNET_IN: (8, 4, 3, 3), "cond_stage_model.model.ln_final.weight": (8,)},
    )
    st(
        comfy / "models/vae/sdxl_vae.safetensors",
        {"encoder.conv_in.weight": (8, 3, 3, 3), "decoder.conv_out.weight": (3, 8, 3, 3)},
    )
    st(comfy / "models/embeddings/xl-emb.safetensors", {"clip_l": (2, 768), "clip_g": (2, 1280)})
    st(
        comfy / "models/controlnet/xl-depth.safetensors",
        {
            "controlnet_cond_embedding.conv_in.weight": (16, 3, 3, 3),
            "add_embedding.linear_1.weight": (8, 8),
        },
    )
    st(
        comfy / "models/ipadapter/ip-adapter_sd15.safetensors",
        {"image_proj.proj.weight": (8, 8), "ip_adapter.1.to_k_ip.weight": (8, 768)},
    )
    st(
        comfy / "models/clip_vision/clip-vit-h.safetensors",
        {"vision_model.embeddings.patch_embedding.weight": (1280, 3, 14, 14)},
    )
    st(
        comfy / "models/upscale_models/RealESRGAN_x4plus.safetensors",
        {"conv_first.weight": (8, 3, 3, 3), "body.0.rdb1.conv1.weight": (8, 8, 3, 3)},
    )
    st(
        comfy / "models/vae_approx/taesdxl_decoder.safetensors",
        {"decoder.layers.0.weight": (8, 4, 3, 3)},
    )
    st(tmp_path / "shared/more_loras/sd2-light.safetensors", lora(1024))
    (comfy / "extra_model_paths.yaml").write_text(
        "other_ui:\n    base_path: ../shared\n    loras: |\n        more_loras\n        missing\n"
    )
    return a1, comfy


EXPECTED = {
    "dream.safetensors": ("checkpoint", "SD1.x"),
    "dream-inpainting.safetensors": ("inpaint", "SD1.x inpainting"),
    "XL/sdxl_turbo.safetensors": ("checkpoint", "SDXL Turbo/LCM"),
    "vae-ft-mse.safetensors": ("vae", "SD1.x/2.x"),
    "ink.safetensors": ("lora", "SD1.x"),
    "xl-style.safetensors": ("lora", "SDXL"),
    "bad-hands.safetensors": ("embedding", "SD1.x"),
    "control_canny.safetensors": ("controlnet", "SD1.x"),
    "4x-UltraSharp.pth": ("upscaler", "?"),
    "model.pt": ("preview", "?"),
    "v2-1_768.safetensors": ("checkpoint", "SD2.x v-prediction"),
    "sdxl_vae.safetensors": ("vae", "SDXL"),
    "xl-emb.safetensors": ("embedding", "SDXL"),
    "xl-depth.safetensors": ("controlnet", "SDXL"),
    "ip-adapter_sd15.safetensors": ("ipadapter", "SD1.x"),
    "clip-vit-h.safetensors": ("image_encoder", "ViT-H"),
    "RealESRGAN_x4plus.safetensors": ("upscaler", "ESRGAN"),
    "taesdxl_decoder.safetensors": ("preview", "SDXL"),
    "sd2-light.safetensors": ("lora", "SD2.x"),
}


def test_every_kind_is_listed_under_the_right_kind_and_family(installs):
    entries = scan_models(list(installs), include_hub=False)
    found = {e.name: (e.kind, e.family_label) for e in entries}
    assert found == EXPECTED
    a1, comfy = installs
    roots = {e.name: e.root for e in entries}
    assert roots["ink.safetensors"] == str(a1)
    assert roots["sd2-light.safetensors"] == str(comfy)  # via extra_model_paths.yaml
    sizes = {e.name: e.size for e in entries}
    assert sizes["4x-UltraSharp.pth"] == len(b"pickle we never open")
    grouped = by_kind(entries)
    assert [e.name for e in grouped["lora"]] == [
        "ink.safetensors",
        "sd2-light.safetensors",
        "xl-style.safetensors",
    ]


def test_a_plain_folder_is_classified_by_keys_and_broken_files_are_skipped(installs, tmp_path):
    plain = tmp_path / "downloads"
    st(plain / "some-lora.safetensors", lora(768))
    st(plain / "a-checkpoint.safetensors", {UNET_IN: (8, 4, 3, 3), SD1_TE: (8,)})
    (plain / "half-written.safetensors").write_bytes(b"\xff" * 5)
    found = {e.name: e.kind for e in scan_models([plain], include_hub=False)}
    assert found == {"some-lora.safetensors": "lora", "a-checkpoint.safetensors": "checkpoint"}


def test_the_first_real_checkpoint_is_the_default(installs, tmp_path):
    a1, _ = installs
    entries = scan_models([a1], include_hub=False)
    assert default_model(entries) == str(a1 / "models/Stable-diffusion/dream.safetensors")
    assert default_model(scan_models([tmp_path / "empty"], include_hub=False)) == builtin_default()
    only = tmp_path / "only"
    st(only / "a-style.safetensors", lora(768))
    assert default_model(scan_models([only], include_hub=False)) == builtin_default()  # no LoRA
    st(only / "b-inpainting.safetensors", {UNET_IN: (8, 9, 3, 3), SD1_TE: (8,)})
    assert default_model(scan_models([only], include_hub=False)) == str(
        only / "b-inpainting.safetensors"
    )


def test_models_add_keeps_other_settings_and_remove_undoes_it(tmp_path, installs):
    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps({"upscaler_dirs": ["/x"], "theme": "dark"}))
    assert add_model_dir(installs[0], settings)
    assert not add_model_dir(installs[0], settings)
    data = json.loads(settings.read_text())
    assert data["model_dirs"] == [str(installs[0].resolve())] and data["theme"] == "dark"
    assert remove_model_dir(installs[0], settings)
    assert json.loads(settings.read_text())["model_dirs"] == []


def _studio(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "studio", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
    )


def test_cli_models_add_then_list_by_kind(installs, tmp_path):
    env = {"STUDIO_CONFIG_DIR": str(tmp_path / "cfg"), "HF_HUB_CACHE": str(tmp_path / "hub")}
    added = _studio("models", "add", str(installs[1]), env=env)
    assert added.returncode == 0, added.stderr
    assert "added:" in added.stdout
    saved = json.loads((tmp_path / "cfg" / "settings.json").read_text())
    assert saved["model_dirs"] == [str(installs[1].resolve())]
    out = added.stdout
    assert out.index("IP-Adapter:") < out.index("ip-adapter_sd15.safetensors")
    assert out.index("Image encoders:") < out.index("clip-vit-h.safetensors")
    assert "v2-1_768.safetensors" in out and "SD2.x v-prediction" in out
    assert f"Default model: {installs[1] / 'models/checkpoints/v2-1_768.safetensors'}" in out
    bad = _studio("models", "add", str(tmp_path / "nowhere"), env=env)
    assert (
        bad.returncode == 2 and bad.stderr.startswith("error:") and "is not a folder" in bad.stderr
    )
