"""A long self-attention is computed in query chunks while a run is cancellable: same result,
and a cancel set between chunks stops the call."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from studio.core.errors import Cancelled
from studio.core.params import GenerationParams
from studio.core.settings import Settings
from studio.engine import attention_chunks
from studio.engine.api import Engine
from studio.engine.attention_chunks import CancellableAttention


def _qkv(queries: int, keys: int, seed: int = 0) -> tuple[torch.Tensor, ...]:
    gen = torch.Generator().manual_seed(seed)
    q = torch.randn(2, 4, queries, 16, generator=gen)
    k = torch.randn(2, 4, keys, 16, generator=gen)
    v = torch.randn(2, 4, keys, 16, generator=gen)
    return q, k, v


def test_chunked_attention_equals_one_call():
    q, k, v = _qkv(1300, 1300)
    whole = F.scaled_dot_product_attention(q, k, v)
    with CancellableAttention(threading.Event(), above=256, chunk=200) as mode:
        chunked = F.scaled_dot_product_attention(q, k, v)
    assert mode.chunked_calls == 1
    torch.testing.assert_close(chunked, whole, rtol=0, atol=1e-6)


def test_a_per_query_mask_is_split_with_the_queries():
    q, k, v = _qkv(600, 50, seed=1)
    mask = torch.randn(2, 1, 600, 50) > 0
    mask[..., 0] = True  # every query sees at least one key
    whole = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    with CancellableAttention(threading.Event(), above=100, chunk=128):
        chunked = F.scaled_dot_product_attention(q, k, attn_mask=mask, value=v)
    torch.testing.assert_close(chunked, whole, rtol=0, atol=1e-6)


def test_short_and_causal_attention_are_left_alone():
    q, k, v = _qkv(300, 300)
    with CancellableAttention(threading.Event(), above=256, chunk=64) as mode:
        F.scaled_dot_product_attention(q[..., :200, :], k, v)
        F.scaled_dot_product_attention(q, k, v, is_causal=True)
    assert mode.chunked_calls == 0


def test_cancel_is_checked_before_every_chunk():
    q, k, v = _qkv(1024, 64)

    class PressedDuringTheThirdChunk(threading.Event):
        checks = 0

        def is_set(self) -> bool:
            self.checks += 1
            return self.checks > 2

    cancel = PressedDuringTheThirdChunk()
    with CancellableAttention(cancel, above=256, chunk=256), pytest.raises(Cancelled):
        F.scaled_dot_product_attention(q, k, v)
    assert cancel.checks == 3  # two chunks ran, the third never started


def test_the_mode_is_per_thread():
    q, k, v = _qkv(600, 600)
    seen = []
    with CancellableAttention(threading.Event(), above=100, chunk=100) as mode:
        worker = threading.Thread(
            target=lambda: seen.append(F.scaled_dot_product_attention(q, k, v))
        )
        worker.start()
        worker.join()
    assert mode.chunked_calls == 0 and len(seen) == 1


def test_a_cancellable_run_gives_the_same_pixels_with_its_attention_chunked(monkeypatch):
    params = GenerationParams(
        prompt="harbour", model="tiny", steps=2, width=128, height=128, seed=5
    )
    plain = Engine(Settings()).generate(params)[0].image
    chunked_calls = []
    original = CancellableAttention.__torch_function__

    def counting(self, func, types, args=(), kwargs=None):
        out = original(self, func, types, args, kwargs)
        chunked_calls.append(self.chunked_calls)
        return out

    # tiny's largest self-attention (the VAE's mid block at 128 px) has 256 queries.
    monkeypatch.setattr(attention_chunks, "CHUNK_ABOVE", 64)
    monkeypatch.setattr(attention_chunks, "CHUNK_QUERIES", 48)
    monkeypatch.setattr(CancellableAttention, "__torch_function__", counting)
    cancellable = Engine(Settings()).generate(params, cancel=threading.Event())[0].image
    assert max(chunked_calls) > 0
    assert np.array_equal(cancellable, plain)
