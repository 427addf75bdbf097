"""Loading upscaler models safely (no code from a model file ever runs) and picking a device."""

from __future__ import annotations

import functools
import os
import pickle
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from studio.core.errors import ModelError, ParamsError
from studio.core.failures import first_line
from studio.engine.weights_file import read_weights

if TYPE_CHECKING:
    import torch
    from spandrel import ImageModelDescriptor

_GLOBAL = re.compile(r"GLOBAL ([\w.]+)|Global '([\w.]+)'|global '?([\w.]+)")
LOADABLE_SUFFIXES = (".pth", ".pt", ".ckpt", ".safetensors")


def resolve_device(device: str = "auto") -> torch.device:
    """`auto` picks CUDA, then MPS, then the CPU; an unavailable device is a ParamsError."""
    from studio.engine.device import pick_device

    name = (device or "auto").lower()
    if name not in ("auto", "cpu", "cuda", "mps"):
        raise ParamsError(f"unknown device {device!r}; choose auto, cpu, cuda or mps")
    return pick_device(name)


def _refused_global(message: str) -> str | None:
    match = _GLOBAL.search(message)
    return next((g for g in match.groups() if g), None) if match else None


def read_upscaler_state_dict(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a model file's state dict, turning every failure into a one-line ModelError."""
    file = Path(path)
    name = file.name
    if not file.is_file():
        raise ModelError(f"upscaler file {str(file)!r} does not exist; check the path")
    if file.suffix.lower() not in LOADABLE_SUFFIXES:
        raise ModelError(
            f"{name!r} is not an upscaler model file; use a .pth, .pt or .safetensors file"
        )
    try:
        state = read_weights(file)
    except pickle.UnpicklingError as exc:
        culprit = _refused_global(str(exc))
        what = f" (it asks to run {culprit})" if culprit else ""
        raise ModelError(
            f"upscaler {name!r} holds code, not only weights{what}; Studio refuses to load it. "
            "Use a .safetensors version or a file from a source you trust"
        ) from exc
    except MemoryError as exc:
        raise ModelError(f"not enough memory to load upscaler {name!r}; close other jobs") from exc
    except Exception as exc:  # torch/safetensors raise many types for damaged files
        detail = first_line(exc, 160)
        raise ModelError(
            f"upscaler {name!r} is damaged or not a model file ({detail}); download it again"
        ) from exc
    if not isinstance(state, dict):
        raise ModelError(f"upscaler {name!r} holds no weights dictionary; it is not an upscaler")
    return state


def load_upscaler_file(path: str | os.PathLike[str]) -> ImageModelDescriptor:
    """Detect the architecture (ESRGAN, Real-ESRGAN, SwinIR, HAT, DAT, ...) and build it on CPU."""
    from spandrel import (
        MAIN_REGISTRY,
        ImageModelDescriptor,
        UnsupportedModelError,
        canonicalize_state_dict,
    )

    name = Path(path).name
    state = canonicalize_state_dict(read_upscaler_state_dict(path))
    try:
        descriptor = MAIN_REGISTRY.load(state)
    except UnsupportedModelError as exc:
        raise ModelError(
            f"{name!r} is not an upscaler architecture Studio knows (ESRGAN, Real-ESRGAN, SwinIR, "
            "HAT, DAT and the others spandrel supports); pick another file"
        ) from exc
    except Exception as exc:
        raise ModelError(
            f"upscaler {name!r} could not be built ({type(exc).__name__}: {exc}); "
            "the file may be damaged or of an unsupported variant"
        ) from exc
    if not isinstance(descriptor, ImageModelDescriptor) or descriptor.purpose == "FaceSR":
        raise ModelError(
            f"{name!r} is a {descriptor.architecture.name} {descriptor.purpose} model, "
            "not an image upscaler; pick an upscaler file"
        )
    if descriptor.input_channels not in (1, 3, 4) or (
        descriptor.output_channels != descriptor.input_channels
    ):
        raise ModelError(
            f"upscaler {name!r} maps {descriptor.input_channels} to "
            f"{descriptor.output_channels} channels; Studio runs 1, 3 or 4-channel upscalers"
        )
    return descriptor.eval()


@functools.lru_cache(maxsize=2)
def _cached(key: str, mtime_ns: int, size: int, device: str) -> ImageModelDescriptor:
    import torch

    descriptor = load_upscaler_file(key)
    target = torch.device(device)
    descriptor.to(target)
    if target.type == "cuda" and descriptor.supports_half:
        descriptor.half()
    return descriptor


def load_upscaler(path: str | os.PathLike[str], device: str = "auto") -> ImageModelDescriptor:
    """The model in `path` on `device` (float32 on CPU/MPS, float16 on CUDA when it supports it).

    The last two models stay cached, keyed by file, modification time, size and device.
    """
    file = Path(path).expanduser()
    target = resolve_device(device)
    if not file.is_file():
        read_upscaler_state_dict(file)  # raises the one-line "does not exist" error
    # Not resolved: a Hugging Face cache file is a link to a blob without a suffix, and the
    # suffix says how to read it. stat() follows the link, so a new download is a new key.
    stat = file.stat()
    return _cached(str(file.absolute()), stat.st_mtime_ns, stat.st_size, str(target))


def clear_cache() -> None:
    """Drop cached upscaler models (frees their memory)."""
    _cached.cache_clear()
