"""What the user reads when the engine fails, and the load order on out-of-memory."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from studio.core.errors import ModelError
from studio.core.failures import describe_failure, is_out_of_memory
from studio.engine.output_check import NonFiniteOutputError, require_finite

OOM = [
    (MemoryError(), "the computer ran out of memory"),
    (torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 20 MiB"), "the GPU"),
    (RuntimeError("CUDA error: out of memory"), "the GPU ran out of memory"),
    (RuntimeError("MPS backend out of memory (MPS allocated: 9 GB)"), "the GPU (MPS)"),
    (RuntimeError("[enforce fail] DefaultCPUAllocator: not enough memory"), "the computer"),
]


@pytest.mark.parametrize(
    ("exc", "where"), OOM, ids=[type(e).__name__ + str(i) for i, (e, _) in enumerate(OOM)]
)
def test_out_of_memory_says_where_and_what_to_try(exc, where):
    assert is_out_of_memory(exc)
    message = describe_failure(exc, "generation failed")
    assert message.startswith(f"generation failed: {where}")
    assert "smaller size" in message and "lower precision" in message and "\n" not in message


def test_other_failures_keep_their_first_line_and_user_errors_pass_through():
    assert not is_out_of_memory(RuntimeError("shape mismatch"))
    assert (
        describe_failure(RuntimeError("shape mismatch\nmore"), "x failed")
        == "x failed: shape mismatch"
    )
    assert describe_failure(ModelError("no such model"), "x failed") == "no such model"
    assert describe_failure(ValueError(), "x failed") == "x failed: ValueError"


def test_nan_pixels_are_refused_with_advice():
    good = np.random.default_rng(0).random((8, 8, 3))
    assert require_finite(good) is good
    bad = good.copy()
    bad[:4] = np.nan
    with pytest.raises(NonFiniteOutputError) as caught:
        require_finite(bad)
    message = describe_failure(caught.value, "generation failed")
    assert "NaN" in message and "50%" in message and "float32" in message
    inf = good.copy()
    inf[0, 0, 0] = np.inf
    with pytest.raises(NonFiniteOutputError):
        require_finite(inf)


def test_out_of_memory_while_switching_models_frees_the_old_one_and_retries(engine, monkeypatch):
    from studio.engine.models import loader

    engine.load("tiny")
    old = engine.loaded
    real = loader.load_model
    calls = []

    def load_model(ref, device, dtype):
        calls.append(engine.loaded)
        if len(calls) == 1:
            raise MemoryError()
        return real(ref, device, dtype)

    monkeypatch.setattr(loader, "load_model", load_model)
    new = engine.load("tiny-inpaint")
    assert calls == [old, None]  # first try with the old model held, the retry without it
    assert engine.loaded is new and new.ref.name == "tiny-inpaint"
    engine.load("tiny")  # leave the shared engine as the other tests expect it
