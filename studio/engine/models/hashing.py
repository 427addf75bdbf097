"""A1111's `Model hash` (and the VAE's) written into each result's params, and finding a
checkpoint by the hash an image carries when its name is not found here."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from studio.core.errors import ModelError
from studio.core.models.hashes import hash_matches, model_hash
from studio.core.params import GenerationParams

HASH_KEYS = ("Model hash", "VAE", "VAE hash")


def with_model_hashes(params: GenerationParams, model: Any) -> GenerationParams:
    """params with extra['Model hash'] (a file checkpoint) and the VAE's name and hash, and
    without stale ones carried over from --params-from."""
    extra = {k: v for k, v in params.extra.items() if k not in HASH_KEYS}
    if model.ref.kind == "file":
        extra["Model hash"] = model_hash(Path(model.ref.location))
    vae = getattr(model, "vae_file", None)
    if vae is not None:
        extra["VAE"] = Path(vae).name
        if Path(vae).is_file():
            extra["VAE hash"] = model_hash(Path(vae))
    return params.replace(extra=extra)


def resolve_or_find_by_hash(name: str, model_dirs: Iterable[Path], wanted_hash: str) -> str:
    """name when Studio knows it; else the local checkpoint whose A1111 hash is wanted_hash."""
    from studio.engine.models.catalog import local_checkpoints, resolve_model

    dirs = list(model_dirs)
    try:
        resolve_model(name, dirs)
        return name
    except ModelError:
        if not wanted_hash:
            raise
    for ref in local_checkpoints(dirs):
        if ref.kind == "file" and hash_matches(Path(ref.location), wanted_hash):
            return ref.name
    raise ModelError(
        f"unknown model {name!r}, and no checkpoint here has its hash {wanted_hash}; "
        "pass --model NAME (see `studio models`)"
    )
