"""The "Fast" decode (TAESD from the local HF cache) and throttled TAESD previews."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from studio.core.errors import ModelError
from studio.core.params import GenerationParams
from studio.core.settings import Settings
from studio.engine import previews, tiny_vae
from studio.engine.api import Engine

BASE = GenerationParams(prompt="dunes", model="tiny", steps=2, width=64, height=64, seed=4)


def put_taesd_in_cache(cache: Path, repo_id: str = "madebyollin/taesd") -> None:
    """A random-weight AutoencoderTiny laid out as a Hugging Face cache entry."""
    from diffusers import AutoencoderTiny

    folder = cache.parent / "taesd-src"
    AutoencoderTiny(
        encoder_block_out_channels=(8, 8, 8, 8),
        decoder_block_out_channels=(8, 8, 8, 8),
        num_encoder_blocks=(1, 1, 1, 1),
        num_decoder_blocks=(1, 1, 1, 1),
    ).save_pretrained(folder)
    repo = cache / f"models--{repo_id.replace('/', '--')}"
    revision = "0" * 40
    shutil.copytree(folder, repo / "snapshots" / revision)
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(revision)


@pytest.fixture
def hf_cache(tmp_path, monkeypatch) -> Path:
    import huggingface_hub.constants

    cache = tmp_path / "hf-cache"
    cache.mkdir()
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(cache))
    tiny_vae.clear_cache()
    yield cache
    tiny_vae.clear_cache()


def _count_calls(module, counter: list[int]):
    return module.register_forward_pre_hook(lambda _m, _a: counter.append(1))


def test_fast_decode_uses_taesd_instead_of_the_vae(hf_cache, engine):
    put_taesd_in_cache(hf_cache)
    model = engine.load("tiny")
    full = engine.generate(BASE)[0].image
    vae_calls: list[int] = []
    handle = _count_calls(model.base.vae.decoder, vae_calls)
    try:
        fast = engine.generate(BASE.replace(decode="fast"))[0].image
    finally:
        handle.remove()
    assert vae_calls == []  # the full VAE decoder never ran
    assert fast.shape == full.shape == (64, 64, 3)
    assert not np.array_equal(fast, full)
    assert np.array_equal(fast, engine.generate(BASE.replace(decode="fast"))[0].image)
    # One TAESD object serves every fast decode (and the previews).
    decoder = tiny_vae.load_tiny_vae("sd1", model.device, model.dtype)
    assert tiny_vae.load_tiny_vae("sd1", model.device, model.dtype) is decoder
    taesd_calls: list[int] = []
    handle = _count_calls(decoder.decoder, taesd_calls)
    try:
        engine.generate(BASE.replace(decode="fast"))
    finally:
        handle.remove()
    assert taesd_calls == [1]


def test_fast_decode_without_taesd_says_how_to_get_it(hf_cache, engine):
    results: list = []
    with pytest.raises(ModelError, match=r"huggingface-cli download madebyollin/taesd"):
        engine.generate(BASE.replace(decode="fast"), on_result=results.append)
    assert results == []


def test_taesd_previews_are_full_size_and_throttled(hf_cache, monkeypatch):
    put_taesd_in_cache(hf_cache)
    # A budget that always affords TAESD: tiny's steps are too short for 5 % to cover one.
    monkeypatch.setattr(previews, "TAESD_PREVIEW_BUDGET", 1e9)
    reports: list = []
    Engine(Settings(), preview_method="taesd").generate(
        BASE.replace(steps=3), on_step=reports.append
    )
    assert reports[0].preview.shape == (64, 64, 3)  # TAESD: full size
    assert all(r.preview is not None for r in reports)


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def run_throttled(clock, throttled, used, steps, slack=0.0):
    """`steps` steps of 10 s, a preview after each; the spent time stays within the budget
    (plus `slack`) all along."""
    throttled.reset()
    for _ in range(steps):
        clock.now += 10.0
        throttled(None)
        assert throttled.spent <= throttled.budget * (clock.now - throttled._started) + slack
    return used


def test_the_throttle_keeps_costly_previews_within_five_percent(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(previews.time, "perf_counter", clock)
    used: list[str] = []

    def costly(_latents):
        clock.now += 1.0  # a TAESD preview takes 1 s ...
        used.append("taesd")

    def cheap(_latents):
        used.append("linear")

    throttled = previews.ThrottledPreviewer(costly, cheap, budget=0.05)
    # ... and a step 10 s. With no estimate, the first one may overshoot by its own cost;
    # after it, a preview waits until 5 % of the time covers it.
    run_throttled(clock, throttled, used, steps=8, slack=1.0)
    assert used == ["taesd", "linear", "linear", "taesd", "linear", "taesd", "linear", "taesd"]
    used.clear()
    run_throttled(clock, throttled, used, steps=1)
    assert used == ["linear"]  # each image starts with a fresh budget, the cost now known


def test_the_throttle_never_starts_a_preview_it_cannot_afford(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(previews.time, "perf_counter", clock)
    used: list[str] = []

    class Costly:
        def estimate_seconds(self, _latents):
            clock.now += 0.125  # measured on a 1/16 crop
            return 2.0

        def __call__(self, _latents):
            clock.now += 2.0
            used.append("taesd")

    throttled = previews.ThrottledPreviewer(Costly(), lambda _l: used.append("linear"))
    run_throttled(clock, throttled, used, steps=2)
    assert used == ["linear", "linear"]  # two 10 s steps: 5 % is 1 s, a preview costs 2 s
    used.clear()
    run_throttled(clock, throttled, used, steps=6)
    assert used == ["linear", "linear", "linear", "taesd", "linear", "linear"]
