"""Variation seeds (A1111): the starting noise is slerp(strength, noise(seed), noise(vseed))."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from studio.core.errors import ParamsError
from studio.core.params import GenerationParams

BASE = GenerationParams(
    prompt="castle on a cliff", model="tiny", steps=3, width=64, height=64, seed=7
)


def reference_slerp(val: float, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """A1111's modules/rng.py slerp, written again in numpy (float64) over dim 1 of (C, H, W)."""
    low_norm = low / np.linalg.norm(low, axis=1, keepdims=True)
    high_norm = high / np.linalg.norm(high, axis=1, keepdims=True)
    dot = (low_norm * high_norm).sum(1)
    omega = np.arccos(dot)
    so = np.sin(omega)
    return (np.sin((1.0 - val) * omega) / so)[:, None, :] * low + (np.sin(val * omega) / so)[
        :, None, :
    ] * high


def plain_noise(seed: int) -> np.ndarray:
    generator = torch.Generator("cpu").manual_seed(seed)
    return torch.randn((1, 4, 8, 8), generator=generator).numpy()[0].astype(np.float64)


@pytest.mark.parametrize("scheduler", ["Euler a", "Euler"])
def test_strength_zero_is_the_plain_seed(engine, scheduler):
    params = BASE.replace(scheduler=scheduler)
    plain = engine.generate(params)[0].image
    mixed = engine.generate(params.replace(variation_seed=99, variation_strength=0.0))[0].image
    zero = engine.generate(params.replace(variation_seed=99, variation_strength=1e-9))[0]
    assert np.array_equal(plain, mixed)
    # a strength that is not 0 goes through slerp and still keeps the seed's noise (up to float
    # rounding of a 1e-9 mix, which may move a pixel by one level with some thread counts)
    assert zero.params.varies
    assert np.abs(plain.astype(int) - zero.image.astype(int)).max() <= 1


def test_strength_one_is_the_variation_seeds_image_and_half_is_neither(engine):
    params = BASE.replace(scheduler="Euler")  # ancestral samplers draw step noise from `seed`
    other = engine.generate(params.replace(seed=99))[0].image
    one = engine.generate(params.replace(variation_seed=99, variation_strength=1.0))[0].image
    half = engine.generate(params.replace(variation_seed=99, variation_strength=0.5))[0].image
    plain = engine.generate(params)[0].image
    assert np.array_equal(one, other)
    assert not np.array_equal(half, plain) and not np.array_equal(half, other)


def test_the_pipeline_starts_from_the_reference_slerp(engine, monkeypatch):
    pipe = engine.load("tiny").pipeline("txt2img")
    seen = []
    original = pipe.prepare_latents

    def spy(*args, **kwargs):
        seen.append(kwargs.get("latents", args[-1] if len(args) >= 8 else None))
        return original(*args, **kwargs)

    monkeypatch.setattr(pipe, "prepare_latents", spy)
    engine.generate(BASE.replace(variation_seed=12, variation_strength=0.3))
    assert len(seen) == 1 and seen[0] is not None
    got = seen[0].detach().float().numpy()[0]
    expected = reference_slerp(0.3, plain_noise(7), plain_noise(12))
    assert got.shape == (4, 8, 8)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
    assert not np.allclose(got, plain_noise(7), atol=1e-3)


def test_count_keeps_the_seed_and_counts_variation_seeds_up(engine):
    params = BASE.replace(count=3, variation_seed=40, variation_strength=0.2)
    results = engine.generate(params)
    assert [r.params.seed for r in results] == [7, 7, 7]
    assert [r.params.variation_seed for r in results] == [40, 41, 42]
    single = engine.generate(params.replace(count=1, variation_seed=41))[0].image
    assert np.array_equal(results[1].image, single)
    assert not np.array_equal(results[0].image, results[1].image)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"variation_strength": 1.5}, "variation strength"),
        ({"variation_seed": -1}, "variation seed"),
        ({"mode": "img2img", "strength": 0.5}, "text-to-image"),
    ],
)
def test_bad_variation_values_are_refused(change, message):
    params = BASE.replace(variation_seed=3, variation_strength=0.5).replace(**change)
    with pytest.raises(ParamsError, match=message):
        params.validated()
