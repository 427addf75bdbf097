"""LoRAs on the loaded model through diffusers' PEFT integration, switched between jobs.

Adapters live on the components every mode's pipeline shares (from_pipe), so loading,
re-weighting or removing them never reloads the base model. With no LoRA requested, every
adapter is unloaded (PEFT restores the original layers, so the base weights are untouched).
Files load safely: safetensors, or torch.load(weights_only=True). kohya/A1111 and diffusers
key layouts are both converted by diffusers' `load_lora_weights`.
"""

from __future__ import annotations

import pickle
import re
import weakref
from pathlib import Path
from typing import Any

import torch

from studio.core.errors import ModelError
from studio.core.failures import first_line
from studio.core.prompts.library import short_hash
from studio.core.prompts.syntax import LoraTag
from studio.engine.weights_file import read_weights

# unet module -> {adapter name: (file, mtime)} of the adapters loaded on that model
_LOADED: weakref.WeakKeyDictionary[Any, dict[str, tuple[Path, float]]] = weakref.WeakKeyDictionary()


def read_state_dict(path: Path) -> dict[str, torch.Tensor]:
    """A LoRA or embedding file's tensors, never unpickling anything but tensors."""
    try:
        data = read_weights(path)
    except (pickle.UnpicklingError, RuntimeError, OSError, ValueError, EOFError) as exc:
        first = first_line(exc, 160)
        raise ModelError(
            f"{path.name!r} cannot be loaded safely ({first}); use a .safetensors file"
        ) from exc
    if not isinstance(data, dict):
        raise ModelError(f"{path.name!r} holds no tensors; is it a LoRA or embedding file?")
    return data


def adapter_name(name: str) -> str:
    return "lora_" + re.sub(r"\W", "_", name)


def _weights(pipe: Any, tag: LoraTag) -> float | dict[str, float]:
    if tag.unet_weight is None:
        return tag.weight
    weights = {"unet": tag.unet_weight}
    for component in ("text_encoder", "text_encoder_2"):
        if getattr(pipe, component, None) is not None:
            weights[component] = tag.weight
    return weights


def apply_loras(pipe: Any, tags: list[LoraTag], files: dict[str, Path]) -> dict[str, str]:
    """Make exactly `tags` active on pipe; returns {name: A1111 short hash} for the metadata."""
    missing = [tag.name for tag in tags if tag.name not in files]
    if missing:
        raise ModelError(
            f"LoRA {missing[0]!r} not found; put it in models/Lora of a model folder or add "
            "its folder to `lora_dirs` in the settings"
        )
    loaded = _LOADED.setdefault(pipe.unet, {})
    wanted = {adapter_name(tag.name): files[tag.name] for tag in tags}
    stale = [
        name
        for name, (path, mtime) in loaded.items()
        if name not in wanted or wanted[name] != path or path.stat().st_mtime != mtime
    ]
    if not wanted:
        if loaded:
            pipe.unload_lora_weights()
            loaded.clear()
        return {}
    if stale:
        pipe.delete_adapters(stale)
        for name in stale:
            loaded.pop(name)
    for name, path in wanted.items():
        if name not in loaded:
            try:
                pipe.load_lora_weights(read_state_dict(path), adapter_name=name)
            except (ValueError, KeyError, RuntimeError) as exc:
                raise ModelError(
                    f"{path.name!r} is not a LoRA this model can use ({str(exc)[:160]})"
                ) from exc
            loaded[name] = (path, path.stat().st_mtime)
    pipe.set_adapters(list(wanted), adapter_weights=[_weights(pipe, tag) for tag in tags])
    return {tag.name: short_hash(files[tag.name]) for tag in tags}
