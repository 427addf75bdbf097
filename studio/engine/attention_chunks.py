"""Cancel inside one attention call: long self-attention runs in query chunks, checked between.

At real size the first transformer block's self-attention (4096 tokens at 512², 16384 at 1024²)
is one `scaled_dot_product_attention` op taking a large part of a step on a CPU; a per-layer hook
cannot stop inside it. While a run is cancellable, a torch function mode (thread-local, so only
the worker's calls are affected) splits such calls along the query axis. Each query row of
attention depends only on itself and all keys, so the chunks give the same result.
"""

from __future__ import annotations

import threading
from typing import Any

import torch
import torch.nn.functional as F
from torch.overrides import TorchFunctionMode

from studio.engine.types import check_cancel

# Calls with more queries than this are split; 1024 keeps SD's 64x64 and larger layers chunked
# while leaving small models' attention (and every cross-attention's short key side) alone.
CHUNK_ABOVE = 1024
CHUNK_QUERIES = 512
# The documented signature (a builtin: inspect cannot read it).
_SDPA_PARAMS = ("query", "key", "value", "attn_mask", "dropout_p", "is_causal", "scale")


def _bound(args: tuple, kwargs: dict) -> dict[str, Any]:
    named = dict(zip(_SDPA_PARAMS, args, strict=False))
    named.update(kwargs)
    return named


class CancellableAttention(TorchFunctionMode):
    """Splits long `scaled_dot_product_attention` calls into query chunks, checking `cancel`."""

    def __init__(
        self,
        cancel: threading.Event,
        above: int | None = None,
        chunk: int | None = None,
    ) -> None:
        super().__init__()
        self.cancel = cancel
        self.above = CHUNK_ABOVE if above is None else above
        self.chunk = CHUNK_QUERIES if chunk is None else chunk
        self.chunked_calls = 0

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func is not F.scaled_dot_product_attention:
            return func(*args, **kwargs)
        named = _bound(args, kwargs)
        query = named["query"]
        # Causal masks depend on the query's absolute position, which a chunk would lose.
        if query.shape[-2] <= self.above or named.get("is_causal", False):
            return func(**named)
        self.chunked_calls += 1
        mask = named.get("attn_mask")
        parts = []
        for start in range(0, query.shape[-2], self.chunk):
            check_cancel(self.cancel)
            stop = start + self.chunk
            part = dict(named, query=query[..., start:stop, :])
            if mask is not None and mask.dim() >= 2 and mask.shape[-2] == query.shape[-2]:
                part["attn_mask"] = mask[..., start:stop, :]
            parts.append(func(**part))
        return torch.cat(parts, dim=-2)
