"""Adding and removing model folders in settings.json (other keys in the file are kept)."""

from __future__ import annotations

import json
from pathlib import Path

from studio.core.errors import UserError
from studio.core.paths import config_dir
from studio.core.settings import SETTINGS_FILE


def _read(path: Path) -> dict:
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise UserError(
            f"settings file {str(path)!r} is unreadable ({exc}); fix or delete it"
        ) from exc
    return data if isinstance(data, dict) else {}


def _write(path: Path, data: dict) -> None:
    from studio.core.imagefiles import write_atomic

    write_atomic(path, json.dumps(data, indent=2).encode("utf-8"))


def add_model_dir(folder: Path, settings_file: Path | None = None) -> bool:
    """Remember folder (a model folder, an A1111/Forge/ComfyUI root or an
    extra_model_paths.yaml); False when it was already there."""
    folder = Path(folder).expanduser().resolve()
    if not (folder.is_dir() or (folder.is_file() and folder.suffix.lower() in (".yaml", ".yml"))):
        raise UserError(
            f"{str(folder)!r} is not a folder; give a folder of models or an A1111/ComfyUI install"
        )
    path = settings_file or config_dir() / SETTINGS_FILE
    data = _read(path)
    dirs = [str(p) for p in data.get("model_dirs", [])]
    if any(Path(p).expanduser().resolve() == folder for p in dirs):
        return False
    data["model_dirs"] = [*dirs, str(folder)]
    _write(path, data)
    return True


def remove_model_dir(folder: Path, settings_file: Path | None = None) -> bool:
    path = settings_file or config_dir() / SETTINGS_FILE
    data = _read(path)
    target = Path(folder).expanduser().resolve()
    dirs = [str(p) for p in data.get("model_dirs", [])]
    kept = [p for p in dirs if Path(p).expanduser().resolve() != target]
    if len(kept) == len(dirs):
        return False
    data["model_dirs"] = kept
    _write(path, data)
    return True
