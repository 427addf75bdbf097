"""Variation seed in the infotext: written as A1111 writes it, read back (also from A1111)."""

from __future__ import annotations

from studio.core.metadata import (
    format_infotext,
    params_from_infotext,
    params_from_text_chunks,
    params_to_json,
)
from studio.core.params import GenerationParams

A1111 = (
    "a red fox in the snow\n"
    "Negative prompt: blurry\n"
    "Steps: 20, Sampler: Euler, CFG scale: 7, Seed: 1234, Variation seed: 5678, "
    "Variation seed strength: 0.35, Size: 512x512, Model hash: 45dee52b, Model: v1-5"
)


def test_infotext_round_trip_with_variation_seed():
    params = GenerationParams(
        prompt="castle", seed=12, variation_seed=345, variation_strength=0.25
    ).validated()
    text = format_infotext(params)
    assert "Seed: 12, Variation seed: 345, Variation seed strength: 0.25, Size:" in text
    back = params_from_infotext(text)
    assert (back.seed, back.variation_seed, back.variation_strength) == (12, 345, 0.25)
    exact = params_from_text_chunks({"studio": params_to_json(params)})
    assert exact == params


def test_no_variation_keys_without_strength():
    params = GenerationParams(prompt="castle", variation_seed=345, variation_strength=0.0)
    assert "Variation" not in format_infotext(params)
    assert "variation_seed" not in params.to_dict()


def test_a1111_variation_seed_is_read():
    params = params_from_infotext(A1111)
    assert params.seed == 1234
    assert params.variation_seed == 5678
    assert params.variation_strength == 0.35
    assert params.varies
    assert params.validated().mode == "txt2img"
