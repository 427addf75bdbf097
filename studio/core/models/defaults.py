"""Which model the app starts on: the first real checkpoint found, else the built-in default."""

from __future__ import annotations

from collections.abc import Iterable

from studio.core.models.scan import ModelEntry

# The built-in model used when no real checkpoint is installed (random weights: noise, fast).
BUILTIN_DEFAULT = "tiny"


def default_model(entries: Iterable[ModelEntry]) -> str:
    """The first real text-to-image checkpoint (files and folders before the hub cache; an
    inpainting one when that is all there is); BUILTIN_DEFAULT when there is none."""
    entries = list(entries)
    candidates = [e for e in entries if e.kind == "checkpoint" and "refiner" not in e.tags]
    candidates = candidates or [e for e in entries if e.kind == "inpaint"]
    local = [e for e in candidates if e.root != "Hugging Face cache"]
    chosen = (local or candidates or [None])[0]
    if chosen is None:
        return BUILTIN_DEFAULT
    hub_pipeline = chosen.root == "Hugging Face cache" and chosen.is_folder
    return chosen.name if hub_pipeline else str(chosen.path)


def has_real_checkpoint(entries: Iterable[ModelEntry]) -> bool:
    return any(e.kind in ("checkpoint", "inpaint") for e in entries)
