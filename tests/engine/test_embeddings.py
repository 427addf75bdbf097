"""Textual-inversion embeddings made in the test: activated by name, loaded safely."""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch
from safetensors.torch import save_file

from studio.core.errors import ModelError
from studio.core.metadata import format_infotext
from studio.core.params import GenerationParams
from studio.core.settings import Settings
from studio.engine.api import Engine
from studio.engine.prompt_encoding import encode_prompts
from studio.engine.prompt_extras import PromptExtras

BASE = GenerationParams(prompt="", model="tiny", steps=3, width=64, height=64, seed=5)


class _Payload:
    """Pickles into a call of os.system: what a malicious embedding file does on full unpickle."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


@pytest.fixture(scope="module")
def ti_engine(tmp_path_factory):
    folder = tmp_path_factory.mktemp("embeddings")
    generator = torch.Generator().manual_seed(4)
    # A1111's .pt layout (string_to_param) with 2 vectors, and a .safetensors (emb_params).
    torch.save(
        {"string_to_param": {"*": torch.randn(2, 32, generator=generator) * 3}, "name": "x"},
        folder / "glowstyle.pt",
    )
    save_file(
        {"emb_params": torch.randn(1, 32, generator=generator) * 3}, folder / "badhands.safetensors"
    )
    marker = folder.parent / "pwned"
    torch.save({"string_to_param": {"*": _Payload(str(marker))}}, folder / "evil.pt")
    return Engine(Settings(embedding_dirs=[folder])), marker


def _run(engine, prompt: str, negative: str = "") -> np.ndarray:
    return engine.generate(BASE.replace(prompt=prompt, negative=negative))[0].image


def test_embedding_activates_by_its_name_in_either_prompt(ti_engine):
    engine, _ = ti_engine
    plain = _run(engine, "a castle")
    styled = _run(engine, "a castle, glowstyle")
    assert not np.array_equal(styled, plain)
    assert not np.array_equal(_run(engine, "a castle, glowstile"), styled)
    negative = _run(engine, "a castle", "badhands")
    assert not np.array_equal(negative, _run(engine, "a castle", "badhand"))


def test_embedding_vectors_replace_the_name_tokens(ti_engine):
    engine, _ = ti_engine
    extras = PromptExtras(engine.settings)
    params = extras.prepare(engine.load("tiny"), BASE.replace(prompt="glowstyle castle"))
    finder = extras.embeddings(None)
    pipe = engine.loaded.pipeline("txt2img")
    seen = []
    # token + position embeddings, after the studio's hook on the token embedding has run
    embeddings = pipe.text_encoder.embeddings
    handle = embeddings.register_forward_hook(lambda _m, _i, out: seen.append(out.clone()))
    try:
        with torch.inference_mode():
            encode_prompts(pipe, "glowstyle castle", "", find_embedding=finder)
    finally:
        handle.remove()
    vectors = finder.by_name["glowstyle"].vectors[0]
    positions = embeddings.position_embedding.weight[1:3]
    assert torch.equal(seen[0][0, 1:3], vectors + positions)  # after BOS: both vectors
    assert params.extra["TI hashes"].startswith("glowstyle: ")
    assert "TI hashes: " in format_infotext(params)


def test_malicious_pickle_embedding_is_refused(ti_engine):
    engine, marker = ti_engine
    with pytest.raises(ModelError, match="cannot be loaded safely"):
        _run(engine, "a castle, evil")
    assert not marker.exists()
