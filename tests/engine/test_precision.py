"""Precision: `auto` picks bfloat16 on CPUs with native bf16, and a half-precision VAE decode
that overflows is redone in float32 instead of returning a black image."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from studio.core.params import GenerationParams
from studio.core.settings import Settings
from studio.engine import device
from studio.engine.api import Engine

BASE = GenerationParams(prompt="lighthouse", model="tiny", steps=2, width=64, height=64, seed=5)


@pytest.mark.parametrize(
    ("feature", "expected"),
    [("avx512_bf16", "bfloat16"), ("amx_bf16", "bfloat16"), (None, "float32")],
)
def test_auto_follows_the_cpu_capability(monkeypatch, feature, expected):
    monkeypatch.delenv("STUDIO_CPU_BF16", raising=False)
    monkeypatch.setattr(device, "cpu_bf16_feature", lambda: feature)
    choice = device.choose_dtype("auto", torch.device("cpu"))
    assert choice.dtype == expected
    assert choice.torch_dtype == device.DTYPES[expected]
    if feature:
        assert feature in choice.reason
    else:
        assert "no native bfloat16" in choice.reason


def test_explicit_choices_win_and_gpus_get_float16(monkeypatch):
    monkeypatch.setattr(device, "cpu_bf16_feature", lambda: "avx512_bf16")
    assert device.choose_dtype("float32", torch.device("cpu")).dtype == "float32"
    assert device.choose_dtype("float32", torch.device("cpu")).reason == "chosen explicitly"
    monkeypatch.setattr(device, "cpu_bf16_feature", lambda: None)
    assert device.choose_dtype("bfloat16", torch.device("cpu")).dtype == "bfloat16"
    assert device.choose_dtype("auto", torch.device("cuda")).dtype == "float16"
    assert device.choose_dtype("auto", torch.device("mps")).dtype == "float16"


def test_cpu_flags_are_read_from_cpuinfo(tmp_path, monkeypatch):
    info = tmp_path / "cpuinfo"
    info.write_text("processor\t: 0\nflags\t\t: fpu sse2 avx512f avx512_bf16 amx_tile\n")
    assert {"avx512_bf16", "amx_tile"} <= device._cpuinfo_flags(info)
    assert device._cpuinfo_flags(tmp_path / "absent") == set()
    monkeypatch.setenv("STUDIO_CPU_BF16", "1")
    assert device.cpu_bf16_feature() is not None
    monkeypatch.setenv("STUDIO_CPU_BF16", "0")
    assert device.cpu_bf16_feature() is None


def test_the_engine_loads_in_the_auto_choice_and_says_why(monkeypatch):
    monkeypatch.setattr(device, "cpu_bf16_feature", lambda: "avx512_bf16")
    model = Engine(Settings()).load("tiny", device="cpu", dtype="auto")
    assert model.dtype == torch.bfloat16
    assert next(model.base.unet.parameters()).dtype == torch.bfloat16
    assert "avx512_bf16" in model.dtype_reason


def _overflow_unless_float32(_module, _args, output):
    """What an fp16 VAE does on some latents: inf/NaN in half precision, fine in float32."""
    if output.dtype != torch.float32:
        return output * float("inf")
    return output


def test_an_overflowing_half_precision_decode_is_redone_in_float32():
    engine = Engine(Settings())
    params = BASE.replace(dtype="bfloat16")
    plain = engine.generate(params)[0].image
    vae = engine.loaded.base.vae
    handle = vae.decoder.conv_out.register_forward_hook(_overflow_unless_float32)
    try:
        rescued = engine.generate(params)[0].image
    finally:
        handle.remove()
    assert rescued.max() > 0 and rescued.std() > 5  # not the black image
    assert np.abs(rescued.astype(int) - plain).mean() < 3  # the same picture, decoded in fp32
    assert vae.dtype == torch.bfloat16  # the VAE went back to the model's precision
    assert np.array_equal(engine.generate(params)[0].image, plain)
