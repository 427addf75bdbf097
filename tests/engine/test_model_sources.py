"""Models from every kind of source: diffusers folder, A1111/ComfyUI folders, the HF cache."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from studio.core.errors import ModelError
from studio.core.params import GenerationParams
from studio.core.settings import Settings
from studio.engine.api import Engine
from studio.engine.models.catalog import list_models, resolve_model

PARAMS = GenerationParams(prompt="harbour at dawn", steps=2, width=64, height=64, seed=3)


@pytest.fixture(scope="module")
def tiny_folder(tmp_path_factory, engine) -> Path:
    """The tiny model saved as a standard diffusers folder."""
    folder = tmp_path_factory.mktemp("models") / "tiny-diffusers"
    engine.load("tiny").base.save_pretrained(folder)
    return folder


def test_diffusers_folder_loads_and_matches_the_builtin(tiny_folder, engine):
    builtin = engine.generate(PARAMS.replace(model="tiny"))[0].image
    from_folder = Engine(Settings()).generate(PARAMS.replace(model=str(tiny_folder)))[0].image
    assert np.array_equal(builtin, from_folder)


def test_install_roots_are_searched_and_names_resolve(tmp_path, tiny_folder):
    a1111 = tmp_path / "stable-diffusion-webui"
    (a1111 / "models" / "Stable-diffusion").mkdir(parents=True)
    (a1111 / "models" / "Stable-diffusion" / "dreamy_v2.safetensors").write_bytes(b"x")
    comfy = tmp_path / "ComfyUI"
    (comfy / "models" / "diffusers").mkdir(parents=True)
    os.symlink(tiny_folder, comfy / "models" / "diffusers" / "shared-tiny")
    names = {ref.name: ref.kind for ref in list_models([a1111, comfy])}
    assert names["dreamy_v2.safetensors"] == "file"
    assert names["shared-tiny"] == "folder"
    assert resolve_model("dreamy_v2", [a1111]).location.endswith("dreamy_v2.safetensors")
    assert resolve_model("shared-tiny", [comfy]).kind == "folder"
    with pytest.raises(ModelError, match="studio models"):
        resolve_model("dreamy_v3", [a1111])


def test_a_broken_checkpoint_is_a_clear_model_error(tmp_path):
    broken = tmp_path / "broken.safetensors"
    broken.write_bytes(b"\x00" * 64)
    with pytest.raises(ModelError, match=r"could not load model 'broken\.safetensors'"):
        Engine(Settings()).load(str(broken))


def _as_hub_cache(cache: Path, repo_id: str, folder: Path) -> None:
    import shutil

    repo = cache / f"models--{repo_id.replace('/', '--')}"
    revision = "0" * 40
    shutil.copytree(folder, repo / "snapshots" / revision)
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(revision)


def test_hub_id_loads_from_the_local_cache_without_network(tmp_path, tiny_folder):
    cache = tmp_path / "hf-cache"
    _as_hub_cache(cache, "someone/tiny-sd", tiny_folder)
    env = {**os.environ, "HF_HUB_CACHE": str(cache), "HF_HUB_OFFLINE": "1"}
    out = tmp_path / "hub.png"
    args = ["generate", "-p", "x", "--model", "someone/tiny-sd", "--steps", "2", "--size", "64x64"]
    done = subprocess.run(
        [sys.executable, "-m", "studio", *args, "-o", str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    assert Image.open(out).size == (64, 64)
    listed = subprocess.run(
        [sys.executable, "-m", "studio", "models"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert "someone/tiny-sd" in listed.stdout


def test_missing_hub_model_offline_says_what_to_do(tmp_path):
    env = {**os.environ, "HF_HUB_CACHE": str(tmp_path), "HF_HUB_OFFLINE": "1"}
    args = ["generate", "-p", "x", "--model", "nobody/absent", "-o", str(tmp_path / "x.png")]
    done = subprocess.run(
        [sys.executable, "-m", "studio", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("error: could not load model 'nobody/absent'")
    assert "huggingface-cli download" in done.stderr
    assert not (tmp_path / "x.png").exists()


def test_taesd_previews_when_its_weights_are_cached(tmp_path):
    from diffusers import AutoencoderTiny

    taesd = tmp_path / "taesd"
    AutoencoderTiny(
        encoder_block_out_channels=(8, 8, 8, 8),
        decoder_block_out_channels=(8, 8, 8, 8),
        num_encoder_blocks=(1, 1, 1, 1),
        num_decoder_blocks=(1, 1, 1, 1),
    ).save_pretrained(taesd)
    cache = tmp_path / "hf-cache"
    _as_hub_cache(cache, "madebyollin/taesd", taesd)
    code = (
        "from studio.engine.api import Engine; from studio.core.settings import Settings;"
        "from studio.core.params import GenerationParams as P; r=[];"
        "Engine(Settings(), preview_method='taesd').generate("
        "P(model='tiny', steps=2, width=64, height=64), on_step=r.append);"
        "print(r[0].preview.shape)"
    )
    env = {**os.environ, "HF_HUB_CACHE": str(cache), "HF_HUB_OFFLINE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=180
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "(64, 64, 3)"  # full size, where the linear preview is 8x8
