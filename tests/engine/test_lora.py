"""LoRAs made in the test for `tiny`, in kohya/A1111 and diffusers key layouts."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from safetensors.torch import save_file

from studio.core.metadata import format_infotext, params_from_infotext
from studio.core.params import GenerationParams
from studio.core.prompts.library import short_hash
from studio.core.settings import Settings
from studio.engine.api import Engine

BASE = GenerationParams(prompt="a castle", model="tiny", steps=3, width=64, height=64, seed=3)


def _tiny_modules():
    from studio.engine.models.tiny import build_tiny_components

    parts = build_tiny_components()
    return parts["unet"], parts["text_encoder"]


def write_kohya_lora(path, seed: int) -> None:
    """kohya/A1111 naming: lora_unet_<module_path>.lora_down/.lora_up/.alpha (+ lora_te_)."""
    unet, text_encoder = _tiny_modules()
    generator = torch.Generator().manual_seed(seed)
    state = {}
    for prefix, module, wanted in (
        ("lora_unet_", unet, ("to_q", "to_k", "to_v", "to_out.0")),
        ("lora_te_text_model_", text_encoder, ("q_proj", "k_proj", "v_proj", "out_proj")),
    ):
        for name, layer in module.named_modules():
            if isinstance(layer, torch.nn.Linear) and name.endswith(wanted):
                key = prefix + name.replace("text_model.", "").replace(".", "_")
                rank = 4
                state[f"{key}.lora_down.weight"] = torch.randn(
                    rank, layer.in_features, generator=generator
                )
                state[f"{key}.lora_up.weight"] = torch.randn(
                    layer.out_features, rank, generator=generator
                )
                state[f"{key}.alpha"] = torch.tensor(float(rank))
    save_file(state, str(path))


def write_diffusers_lora(path, seed: int) -> None:
    """diffusers naming (peft): unet.<module>.lora_A/lora_B.weight, written by save_lora_weights."""
    from diffusers import StableDiffusionPipeline
    from peft import LoraConfig
    from peft.utils import get_peft_model_state_dict

    unet, _ = _tiny_modules()
    torch.manual_seed(seed)
    config = LoraConfig(
        r=4, lora_alpha=4, init_lora_weights=False, target_modules=["to_q", "to_k", "to_v"]
    )
    unet.add_adapter(config)
    StableDiffusionPipeline.save_lora_weights(
        path.parent, unet_lora_layers=get_peft_model_state_dict(unet), weight_name=path.name
    )


@pytest.fixture(scope="module")
def lora_engine(tmp_path_factory):
    folder = tmp_path_factory.mktemp("loras")
    write_kohya_lora(folder / "inkwash.safetensors", seed=1)
    write_diffusers_lora(folder / "ember.safetensors", seed=2)
    return Engine(Settings(lora_dirs=[folder])), folder


def _run(engine, prompt: str) -> np.ndarray:
    return engine.generate(BASE.replace(prompt=prompt))[0].image


def _state(engine) -> dict[str, torch.Tensor]:
    pipe = engine.loaded.base
    return {
        **{f"u.{k}": v.clone() for k, v in pipe.unet.state_dict().items()},
        **{f"t.{k}": v.clone() for k, v in pipe.text_encoder.state_dict().items()},
    }


def test_loras_change_the_image_combine_and_unload_bit_exactly(lora_engine):
    engine, _ = lora_engine
    plain = _run(engine, "a castle")
    base = engine.loaded.base
    before = _state(engine)
    ink = _run(engine, "a castle <lora:inkwash:1>")
    ember = _run(engine, "a castle <lora:ember:1>")
    both = _run(engine, "a castle <lora:inkwash:1> <lora:ember:1>")
    assert not np.array_equal(ink, plain) and not np.array_equal(ember, plain)
    assert not np.array_equal(both, ink) and not np.array_equal(both, ember)
    assert np.array_equal(_run(engine, "a castle <lora:inkwash:0>"), plain)
    assert np.array_equal(_run(engine, "a castle <lora:ember:0>"), plain)
    assert np.array_equal(_run(engine, "a castle <lora:inkwash:1>"), ink)  # re-weighted back
    after_unload = _run(engine, "a castle")
    assert engine.loaded.base is base  # the base model was never reloaded
    assert np.array_equal(after_unload, plain)
    after = _state(engine)
    assert before.keys() == after.keys()
    assert all(torch.equal(before[k], after[k]) for k in before)


def test_lora_hashes_recorded_and_metadata_round_trip(lora_engine):
    engine, folder = lora_engine
    result = engine.generate(BASE.replace(prompt="a castle <lora:inkwash:0.7>"))[0]
    digest = short_hash(folder / "inkwash.safetensors")
    assert len(digest) == 12
    assert result.params.extra["Lora hashes"] == f"inkwash: {digest}"
    text = format_infotext(result.params)
    assert f'Lora hashes: "inkwash: {digest}"' in text
    assert text.splitlines()[0] == "a castle <lora:inkwash:0.7>"  # the tag stays in the prompt
    again = engine.generate(params_from_infotext(text))[0].image
    assert np.array_equal(again, result.image)
    assert not np.array_equal(again, _run(engine, "a castle"))


def test_missing_or_unsafe_lora_is_a_clear_error(lora_engine, tmp_path):
    from studio.core.errors import ModelError
    from studio.engine.lora import read_state_dict
    from tests.engine.test_embeddings import _Payload

    engine, _ = lora_engine
    with pytest.raises(ModelError, match="LoRA 'nowhere' not found"):
        engine.generate(BASE.replace(prompt="a castle <lora:nowhere:1>"))
    marker = tmp_path / "pwned"
    torch.save({"lora_unet_x.lora_down.weight": _Payload(str(marker))}, tmp_path / "evil.pt")
    with pytest.raises(ModelError, match="cannot be loaded safely"):
        read_state_dict(tmp_path / "evil.pt")
    assert not marker.exists()
