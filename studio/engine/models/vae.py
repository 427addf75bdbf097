"""A separate VAE for a checkpoint (A1111's "SD VAE"): chosen with --vae or per checkpoint in
settings.json ({"vae": {"<checkpoint name>": "<vae file or name>", "*": "<for all>"}}), loaded
offline with the bundled config of the checkpoint's family, and named in the metadata."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from studio.core.errors import ModelError
from studio.core.failures import first_line
from studio.core.paths import config_dir
from studio.core.settings import SETTINGS_FILE
from studio.engine.memory_layout import prefer_channels_last

FAMILY_CONFIG = {"sd1": "sd15", "sd2": "sd2-epsilon", "sdxl": "sdxl-base"}


def configured_vae(checkpoint: str, settings_file: Path | None = None) -> str | None:
    """The VAE settings.json names for this checkpoint (by name, file name or stem), or '*'."""
    path = settings_file or config_dir() / SETTINGS_FILE
    try:
        choices = json.loads(path.read_text(encoding="utf-8")).get("vae") or {}
    except (OSError, json.JSONDecodeError, AttributeError):
        return None
    if not isinstance(choices, dict):
        return None
    name = Path(checkpoint).name
    for key in (checkpoint, name, name.rsplit(".", 1)[0], "*"):
        if choices.get(key):
            return str(choices[key])
    return None


def resolve_vae(name: str, model_dirs: Iterable[Path]) -> Path:
    """A VAE file or diffusers folder from a path or a name `studio models` lists."""
    path = Path(name).expanduser()
    if path.exists():
        return path.resolve()
    from studio.core.models.scan import scan_models

    for entry in scan_models(model_dirs, include_hub=False):
        if entry.kind == "vae" and name in (entry.name, entry.stem, entry.path.name):
            return entry.path
    raise ModelError(f"unknown VAE {name!r}; run `studio models` to list the VAEs Studio can see")


def load_vae(path: Path, family: str, dtype: Any) -> Any:
    from diffusers import AutoencoderKL

    from studio.engine.models import single_file

    try:
        if path.is_dir():
            return AutoencoderKL.from_pretrained(str(path), torch_dtype=dtype)
        config = single_file.CONFIG_ROOT / FAMILY_CONFIG.get(family, "sd15")
        return AutoencoderKL.from_single_file(
            str(path), config=str(config), subfolder="vae", local_files_only=True, torch_dtype=dtype
        )
    except Exception as exc:  # diffusers raises many kinds; one clear line
        first = first_line(exc, 160)
        raise ModelError(f"could not load VAE {path.name!r}: {first}") from exc


def apply_vae(model: Any, path: Path | None) -> None:
    """Swap model's VAE for the one at path (None: keep or restore the checkpoint's own)."""
    current = getattr(model, "vae_file", None)
    if current == path:
        return
    if not hasattr(model, "own_vae"):
        model.own_vae = model.base.vae
    vae = model.own_vae if path is None else load_vae(path, model.family, model.dtype)
    vae = prefer_channels_last(vae.to(model.device), model.device)
    model.base.vae = vae
    for pipe in model._pipes.values():
        pipe.vae = vae
    model.vae_file = path
