"""Look inside a single-file checkpoint before diffusers does: readable, safe, the right kind.

Nothing in the file runs: safetensors holds no code, and pickles (.ckpt) are read with torch's
weights-only unpickler, which refuses any global it does not know (os.system, eval, ...).
"""

from __future__ import annotations

import pickle
import re
from pathlib import Path

from studio.core.errors import ModelError
from studio.core.failures import first_line, is_out_of_memory

UNET_PREFIX = "model.diffusion_model."
_GLOBAL = re.compile(r"GLOBAL ([\w.]+)")


def _read_keys(path: Path) -> dict[str, tuple[int, ...]]:
    if path.suffix.lower() == ".safetensors":
        from safetensors import safe_open

        with safe_open(str(path), framework="pt") as handle:
            return {k: tuple(handle.get_slice(k).get_shape()) for k in handle.keys()}  # noqa: SIM118
    import torch

    zipped = torch.serialization._is_zipfile(open(path, "rb"))  # noqa: SIM115 - closed by gc
    state = torch.load(str(path), map_location="cpu", weights_only=True, mmap=zipped)
    if isinstance(state, dict) and isinstance(state.get("state_dict"), dict):
        state = state["state_dict"]
    if not isinstance(state, dict):
        return {}
    return {k: tuple(getattr(v, "shape", ())) for k, v in state.items() if isinstance(k, str)}


def _what_it_looks_like(keys: list[str]) -> str:
    if any("lora" in k.lower() for k in keys):
        return "a LoRA; load a base model and add the LoRA to it"
    if any(k.startswith(("conv_first.", "body.", "model.0.", "layers.")) for k in keys):
        return "an upscaler; use it with `studio upscale --upscaler FILE` or the Upscale dialog"
    if any(k.startswith(("encoder.", "decoder.", "first_stage_model.")) for k in keys):
        return "a VAE or another part of a model, not a whole Stable Diffusion checkpoint"
    return "not a Stable Diffusion 1.x/2.x/SDXL checkpoint"


def inspect_checkpoint(path: Path) -> dict[str, tuple[int, ...]]:
    """The checkpoint's tensor names and shapes; a one-line ModelError for anything unusable."""
    name = path.name
    try:
        keys = _read_keys(path)
    except pickle.UnpicklingError as exc:
        culprit = _GLOBAL.search(str(exc))
        if culprit:
            raise ModelError(
                f"could not load model {name!r}: it holds code, not only weights (it asks to run "
                f"{culprit.group(1)}); Studio refuses to load it. Use a .safetensors version "
                "from a source you trust"
            ) from exc
        raise ModelError(
            f"could not load model {name!r}: it is damaged or holds more than plain weights, so "
            "Studio will not "
            "unpickle it; download it again or use a .safetensors version"
        ) from exc
    except Exception as exc:
        if is_out_of_memory(exc):
            raise
        raise ModelError(
            f"could not load model {name!r}: it is damaged or not a model file "
            f"({first_line(exc, 120)}); "
            "download it again"
        ) from exc
    if not any(k.startswith(UNET_PREFIX) for k in keys):
        raise ModelError(f"could not load model {name!r}: it is {_what_it_looks_like(list(keys))}")
    return keys
