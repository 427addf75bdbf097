"""Which model the app starts on: the first real checkpoint found, else the built-in default."""

from __future__ import annotations

from collections.abc import Iterable

from studio.core.demo_model import MINI_NAME, mini_available
from studio.core.models.scan import ModelEntry

# The built-in model of last resort (random weights: noise, fast), when `mini` is not installed.
BUILTIN_DEFAULT = "tiny"


def builtin_default() -> str:
    """The trained demo model `mini` when its weights are installed, else `tiny`."""
    return MINI_NAME if mini_available() else BUILTIN_DEFAULT


def default_model(entries: Iterable[ModelEntry]) -> str:
    """The first real text-to-image checkpoint (files and folders before the hub cache; an
    inpainting one when that is all there is); the built-in default when there is none."""
    entries = list(entries)
    candidates = [e for e in entries if e.kind == "checkpoint" and "refiner" not in e.tags]
    candidates = candidates or [e for e in entries if e.kind == "inpaint"]
    local = [e for e in candidates if e.root != "Hugging Face cache"]
    chosen = (local or candidates or [None])[0]
    if chosen is None:
        return builtin_default()
    hub_pipeline = chosen.root == "Hugging Face cache" and chosen.is_folder
    return chosen.name if hub_pipeline else str(chosen.path)


def has_real_checkpoint(entries: Iterable[ModelEntry]) -> bool:
    return any(e.kind in ("checkpoint", "inpaint") for e in entries)
