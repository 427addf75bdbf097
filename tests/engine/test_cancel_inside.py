"""Cancel inside a step: the event is checked before every UNet/VAE layer, not between steps."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import torch

from studio.core.errors import Cancelled
from studio.core.params import GenerationParams
from studio.core.settings import Settings
from studio.engine.api import Engine
from studio.engine.cancel_hooks import cancel_inside

BASE = GenerationParams(prompt="harbour", model="tiny", steps=3, width=64, height=64, seed=11)


def _no_hooks_left(module: torch.nn.Module) -> bool:
    return all(not layer._forward_pre_hooks for layer in module.modules())


def _counting_hook(counter: dict[str, int], key: str):
    def hook(_module, _args):
        counter[key] = counter.get(key, 0) + 1

    return hook


def test_cancel_set_inside_the_unet_stops_before_the_step_finishes(engine):
    model = engine.load("tiny")
    unet = model.base.unet
    cancel = threading.Event()
    seen: dict[str, int] = {}
    handles = [
        # The user presses Esc while the 2nd down block is about to run, in the first step.
        unet.down_blocks[1].register_forward_pre_hook(lambda _m, _a: cancel.set()),
        unet.mid_block.register_forward_pre_hook(_counting_hook(seen, "mid")),
        unet.up_blocks[0].register_forward_pre_hook(_counting_hook(seen, "up")),
        model.base.vae.decoder.register_forward_pre_hook(_counting_hook(seen, "decode")),
    ]
    reports: list = []
    results: list = []
    try:
        with pytest.raises(Cancelled):
            engine.generate(BASE, on_step=reports.append, on_result=results.append, cancel=cancel)
    finally:
        for handle in handles:
            handle.remove()
    assert seen == {}  # neither the rest of the UNet call nor the decode ran
    assert reports == [] and results == []
    assert _no_hooks_left(unet) and _no_hooks_left(model.base.vae)
    # The model stays loaded and the next job gives what a fresh engine gives.
    assert engine.loaded is model
    after = engine.generate(BASE)[0].image
    fresh = Engine(Settings()).generate(BASE)[0].image
    assert np.array_equal(after, fresh)


def test_cancel_set_during_the_vae_decode_stops_the_decode(engine):
    model = engine.load("tiny")
    vae = model.base.vae
    cancel = threading.Event()
    seen: dict[str, int] = {}
    handles = [
        vae.decoder.up_blocks[0].register_forward_pre_hook(lambda _m, _a: cancel.set()),
        vae.decoder.conv_out.register_forward_pre_hook(_counting_hook(seen, "conv_out")),
    ]
    results: list = []
    try:
        with pytest.raises(Cancelled):
            engine.generate(BASE, on_result=results.append, cancel=cancel)
    finally:
        for handle in handles:
            handle.remove()
    assert seen == {} and results == []
    assert _no_hooks_left(vae)


def test_hooks_are_removed_when_the_block_raises_and_absent_without_an_event():
    layer = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.GroupNorm(1, 2))
    cancel = threading.Event()
    with pytest.raises(RuntimeError), cancel_inside([layer], cancel) as placed:
        assert placed == 2
        raise RuntimeError("the pipeline failed")
    assert _no_hooks_left(layer)
    with cancel_inside([layer], None) as placed:
        assert placed == 0 and _no_hooks_left(layer)
