"""A weights file's contents (LoRA, embedding, upscaler), read without running anything it holds."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def read_weights(path: Path) -> Any:
    """What a .safetensors file or a torch pickle holds, on the CPU; callers check its type.
    Raises what safetensors or torch raise (pickle.UnpicklingError for a refused global)."""
    import torch

    if path.suffix.lower() == ".safetensors":
        from safetensors.torch import load_file

        return load_file(str(path), device="cpu")
    # weights_only=True: torch's restricted unpickler allows tensors and plain containers only,
    # so a pickle that names os.system (or anything else) is refused before it can run.
    return torch.load(str(path), map_location="cpu", weights_only=True, mmap=False)
