"""Single-file checkpoints (original LDM key layout) load offline with the bundled configs.

The tiny model's shapes differ from any real SD release, and attention head counts cannot be
read from weights, so its config cannot be derived from the file: the test points the loader
at a config root holding the tiny configs under the real names (sd15, ...). What is tested is
the real path: key/shape detection picks the config name, from_single_file converts the LDM
layout with local configs only, and the pixels match the diffusers-folder copy.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import save_file

from studio.core.errors import ModelError
from studio.core.models.header import read_header
from studio.core.params import GenerationParams
from studio.core.settings import Settings
from studio.engine.api import Engine
from studio.engine.models import single_file

PARAMS = GenerationParams(prompt="a lantern in fog", steps=2, width=64, height=64, seed=11)


@pytest.mark.parametrize("name", ["tiny-ldm.safetensors", "tiny-ldm.ckpt"])
def test_single_file_loads_offline_with_the_folder_copys_pixels(tiny_files, offline, name):
    from_folder = (
        Engine(Settings())
        .generate(PARAMS.replace(model=str(tiny_files / "tiny-diffusers")))[0]
        .image
    )
    engine = Engine(Settings())
    from_file = engine.generate(PARAMS.replace(model=str(tiny_files / name)))[0].image
    assert engine.loaded.family == "sd1"
    assert from_file.std() > 0
    assert np.array_equal(from_file, from_folder)


def _fake_checkpoint(path: Path, keys: dict[str, tuple[int, ...]]) -> Path:
    save_file({k: torch.zeros(shape) for k, shape in keys.items()}, str(path))
    return path


UNET_IN = "model.diffusion_model.input_blocks.0.0.weight"
CLIP_L = "conditioner.embedders.0.transformer.text_model.final_layer_norm.weight"
CLIP_G = "conditioner.embedders.1.model.ln_final.weight"


@pytest.mark.parametrize(
    ("name", "keys", "config", "family"),
    [
        (
            "xl.safetensors",
            {UNET_IN: (8, 4, 3, 3), CLIP_L: (8,), CLIP_G: (8,)},
            "sdxl-base",
            "SDXL",
        ),
        (
            "xl-inpaint.safetensors",
            {UNET_IN: (8, 9, 3, 3), CLIP_L: (8,), CLIP_G: (8,)},
            "sdxl-inpaint",
            "SDXL",
        ),
        (
            "refiner.safetensors",
            {UNET_IN: (8, 4, 3, 3), "conditioner.embedders.0.model.ln_final.weight": (8,)},
            "sdxl-refiner",
            "SDXL",
        ),
        (
            "v2-1_768.safetensors",
            {UNET_IN: (8, 4, 3, 3), "cond_stage_model.model.ln_final.weight": (8,)},
            "sd2-v",
            "SD2.x",
        ),
        (
            "v2-1_512-base.safetensors",
            {UNET_IN: (8, 4, 3, 3), "cond_stage_model.model.ln_final.weight": (8,)},
            "sd2-epsilon",
            "SD2.x",
        ),
        (
            "sd2-inpainting.safetensors",
            {UNET_IN: (8, 9, 3, 3), "cond_stage_model.model.ln_final.weight": (8,)},
            "sd2-inpaint",
            "SD2.x",
        ),
        (
            "v1-5-inpainting.safetensors",
            {UNET_IN: (8, 9, 3, 3), "cond_stage_model.transformer.text_model.x": (8,)},
            "sd15-inpaint",
            "SD1.x",
        ),
    ],
)
def test_the_config_is_chosen_from_keys_and_shapes(tmp_path, name, keys, config, family):
    found = single_file.detect_config(_fake_checkpoint(tmp_path / name, keys))
    assert (found.config, found.family) == (config, family)
    assert found.kind == ("inpaint" if "inpaint" in config else "checkpoint")


def test_an_a1111_yaml_beside_an_sd2_file_decides_v_or_epsilon(tmp_path):
    keys = {UNET_IN: (8, 4, 3, 3), "cond_stage_model.model.ln_final.weight": (8,)}
    path = _fake_checkpoint(tmp_path / "mystery.safetensors", keys)
    assert single_file.detect_config(path).config == "sd2-v"  # SD2's usual 768-v
    path.with_suffix(".yaml").write_text("model:\n  params:\n    linear_start: 0.00085\n")
    assert single_file.detect_config(path).config == "sd2-epsilon"
    path.with_suffix(".yaml").write_text('model:\n  params:\n    parameterization: "v"\n')
    assert single_file.detect_config(path).config == "sd2-v"


def test_a_lora_given_as_a_checkpoint_is_a_clear_error(tmp_path):
    lora = {"lora_unet_mid_block_attentions_0_proj_in.lora_down.weight": (4, 8)}
    path = _fake_checkpoint(tmp_path / "style.safetensors", lora)
    with pytest.raises(ModelError, match="it is a LoRA; load a base model and add the LoRA to it"):
        Engine(Settings()).load(str(path))


@pytest.mark.parametrize("name", sorted(p.name for p in single_file.CONFIG_ROOT.iterdir()))
def test_every_shipped_config_is_complete_and_consistent(name):
    folder = single_file.CONFIG_ROOT / name
    cls = single_file.pipeline_class(folder)
    unet = json.loads((folder / "unet" / "config.json").read_text())
    assert unet["in_channels"] == (9 if "inpaint" in name else 4)
    assert ("XL" in cls.__name__) == name.startswith("sdxl")
    cross = {"sd15": 768, "sd2": 1024, "sdxl": 2048}[name.split("-")[0]]
    assert unet["cross_attention_dim"] == (1280 if name == "sdxl-refiner" else cross)
    tokenizers = single_file._tokenizers(folder)
    for tokenizer in tokenizers.values():
        if tokenizer is not None:
            assert tokenizer("a cat").input_ids[0] == 49406
    assert (folder / "vae" / "config.json").is_file()
    assert (folder / "scheduler" / "scheduler_config.json").is_file()


def test_the_real_sd15_config_refuses_the_tiny_file_clearly(tiny_files):
    with pytest.raises(ModelError, match=r"could not load model .tiny-ldm\.safetensors."):
        Engine(Settings()).load(str(tiny_files / "tiny-ldm.safetensors"))
    assert read_header(tiny_files / "tiny-ldm.safetensors").shape(UNET_IN) == (32, 4, 3, 3)


# The keys (with SDXL base 1.0's real names and shapes) that the detector looks at: the UNet's
# first convolution, the two text encoders of the conditioner, and the UNet's size embedding.
SDXL_UNET = {
    UNET_IN: (320, 4, 3, 3),
    "model.diffusion_model.label_emb.0.0.bias": (1280,),
}
SDXL_ENCODERS = {
    "conditioner.embedders.0.transformer.text_model.final_layer_norm.weight": (768,),
    "conditioner.embedders.1.model.ln_final.weight": (1280,),
    "conditioner.embedders.1.model.text_projection": (1280, 1280),
}


@pytest.mark.parametrize("layout", ["whole checkpoint", "unet only"])
def test_an_sdxl_layout_single_file_is_listed_and_loaded_as_sdxl(tmp_path, monkeypatch, layout):
    import diffusers

    from studio.core.models.scan import scan_models

    keys = {**SDXL_UNET, **(SDXL_ENCODERS if layout == "whole checkpoint" else {})}
    folder = tmp_path / "models"
    folder.mkdir()
    # the name says nothing about the family: only the keys and shapes can tell
    path = _fake_checkpoint(folder / "dreamy-merge-v3.safetensors", keys)
    (entry,) = scan_models([folder], include_hub=False)
    assert (entry.name, entry.kind, entry.family_label) == (path.name, "checkpoint", "SDXL")

    calls = []

    def from_single_file(cls, location, **kwargs):
        calls.append((cls, location, kwargs))
        raise RuntimeError(f"stopped after choosing {Path(kwargs['config']).name}")

    monkeypatch.setattr(
        diffusers.StableDiffusionXLPipeline, "from_single_file", classmethod(from_single_file)
    )
    with pytest.raises(ModelError, match="stopped after choosing sdxl-base"):
        Engine(Settings()).load(str(path))
    ((cls, location, kwargs),) = calls
    assert cls is diffusers.StableDiffusionXLPipeline and location == str(path)
    assert Path(kwargs["config"]) == single_file.CONFIG_ROOT / "sdxl-base"
    assert kwargs["local_files_only"] is True  # offline: the shipped config, no hub
    assert kwargs["tokenizer_2"].pad_token == "!"  # OpenCLIP-G's padding, built offline
