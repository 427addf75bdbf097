"""A separate VAE (A1111's SD VAE): loaded offline from an A1111-layout file, used for decoding,
named and hashed in the metadata, chosen per checkpoint in settings.json."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest
import torch
from safetensors.torch import save_file

from studio.core.params import GenerationParams
from studio.core.settings import Settings
from studio.engine.api import Engine
from tests.ldm_layout import vae_to_ldm

PARAMS = GenerationParams(prompt="a red kite", model="tiny", steps=2, width=64, height=64, seed=9)


@pytest.fixture(scope="module")
def other_vae(tmp_path_factory):
    """A different tiny VAE as an A1111 VAE file (plain encoder./decoder. keys) and as the
    vae/ folder of an otherwise identical diffusers copy of tiny."""
    from studio.engine.models import tiny

    base = tmp_path_factory.mktemp("vae")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(99)
        vae = tiny._vae()
    state = {
        k.removeprefix("first_stage_model."): v for k, v in vae_to_ldm(vae.state_dict()).items()
    }
    save_file({k: v.contiguous() for k, v in state.items()}, str(base / "sharp-vae.safetensors"))
    return base, vae


def test_a_separate_vae_decodes_and_is_named_in_the_metadata(
    other_vae, tiny_files, offline, engine
):
    base, vae = other_vae
    plain = engine.generate(PARAMS)[0].image
    with_vae = Engine(Settings(), vae=str(base / "sharp-vae.safetensors"))
    result = with_vae.generate(PARAMS)[0]
    assert not np.array_equal(result.image, plain)

    folder = base / "tiny-other-vae"
    from diffusers import StableDiffusionPipeline

    pipe = StableDiffusionPipeline.from_pretrained(str(tiny_files / "tiny-diffusers"))
    pipe.vae = vae
    pipe.save_pretrained(folder)
    reference = Engine(Settings()).generate(PARAMS.replace(model=str(folder)))[0].image
    assert np.array_equal(result.image, reference)

    digest = hashlib.sha256((base / "sharp-vae.safetensors").read_bytes()).hexdigest()[:10]
    assert result.params.extra["VAE"] == "sharp-vae.safetensors"
    assert result.params.extra["VAE hash"] == digest
    from studio.core.metadata import format_infotext

    assert f"VAE hash: {digest}" in format_infotext(result.params)


def test_settings_choose_a_vae_per_checkpoint_and_back(
    other_vae, tiny_files, offline, tmp_path, monkeypatch
):
    base, _ = other_vae
    config = tmp_path / "cfg"
    config.mkdir()
    monkeypatch.setenv("STUDIO_CONFIG_DIR", str(config))
    (config / "settings.json").write_text(
        json.dumps({"vae": {"tiny": str(base / "sharp-vae.safetensors")}})
    )
    engine = Engine(Settings())
    chosen = engine.generate(PARAMS)[0]
    assert chosen.params.extra["VAE"] == "sharp-vae.safetensors"
    (config / "settings.json").write_text(json.dumps({"vae": {}}))
    restored = engine.generate(PARAMS)[0]
    assert "VAE" not in restored.params.extra
    assert np.array_equal(restored.image, Engine(Settings()).generate(PARAMS)[0].image)
    assert not np.array_equal(restored.image, chosen.image)
