"""Cancel inside a step: the cancel event is checked before every layer of the UNet and VAE.

Between-step checks (diffusers' step callback) leave the user waiting for a whole UNet call,
seconds at real size on a CPU. As ComfyUI does, we check at the top of each Conv/Linear/Norm
forward instead: raising Cancelled there abandons the call within a few milliseconds. The one
op longer than a layer, a big self-attention, is split into checked query chunks
(studio.engine.attention_chunks). Both exist only for the duration of one run and are removed
even when it raises.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

import torch

from studio.engine.attention_chunks import CancellableAttention
from studio.engine.types import check_cancel

# Leaf layers that carry the work; checking before each one bounds the wait by one layer.
CHECKED_LAYERS = (
    torch.nn.Conv2d,
    torch.nn.Linear,
    torch.nn.GroupNorm,
    torch.nn.LayerNorm,
)
# Pipeline components the hooks go on (the text encoders run once and are quick).
HOOKED_COMPONENTS = ("unet", "vae", "controlnet")


def _layers(module: torch.nn.Module) -> Iterator[torch.nn.Module]:
    for layer in module.modules():
        if isinstance(layer, CHECKED_LAYERS):
            yield layer


@contextlib.contextmanager
def cancel_inside(modules: list[torch.nn.Module], cancel: threading.Event | None) -> Iterator[int]:
    """While inside, each layer of `modules` raises Cancelled first if `cancel` is set.

    Yields the number of hooks placed (0 when there is no cancel event)."""
    if cancel is None:
        yield 0
        return

    def before(_module: torch.nn.Module, _args: Any) -> None:
        check_cancel(cancel)

    handles = [layer.register_forward_pre_hook(before) for m in modules for layer in _layers(m)]
    try:
        with CancellableAttention(cancel):
            yield len(handles)
    finally:
        for handle in handles:
            handle.remove()


def pipeline_modules(pipe: Any, extra: tuple[Any, ...] = ()) -> list[torch.nn.Module]:
    """The pipeline's denoising and decoding modules, plus any extra (e.g. a TAESD decoder)."""
    found = [getattr(pipe, name, None) for name in HOOKED_COMPONENTS]
    unique: dict[int, torch.nn.Module] = {}
    for module in (*found, *extra):
        if isinstance(module, torch.nn.Module):
            unique[id(module)] = module
    return list(unique.values())
