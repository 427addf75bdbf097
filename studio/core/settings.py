"""User settings the engine needs: where models and upscalers live. JSON in the config dir."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studio.core.notices import notice
from studio.core.paths import config_dir

SETTINGS_FILE = "settings.json"
# Which engine runs generation: auto (OpenVINO where measured faster, else PyTorch), torch,
# or openvino (the extra).
BACKENDS = ("auto", "torch", "openvino")


def _paths_from_env(name: str) -> list[Path]:
    value = os.environ.get(name, "")
    return [Path(p).expanduser() for p in value.split(os.pathsep) if p.strip()]


@dataclass
class Settings:
    """Folders to search. A folder may also be the root of an A1111 or ComfyUI install."""

    model_dirs: list[Path] = field(default_factory=list)
    upscaler_dirs: list[Path] = field(default_factory=list)
    lora_dirs: list[Path] = field(default_factory=list)
    embedding_dirs: list[Path] = field(default_factory=list)
    wildcard_dirs: list[Path] = field(default_factory=list)
    backend: str = "auto"

    # Problems found while loading (already reported as notices); not saved.
    notices: list[str] = field(default_factory=list, compare=False, repr=False)

    @classmethod
    def load(cls, path: Path | None = None) -> Settings:
        """Settings from the config file plus STUDIO_MODEL_DIRS / STUDIO_UPSCALER_DIRS.

        A corrupt file never stops Studio: what cannot be used falls back to the default and a
        notice says so (studio.core.notices)."""
        path = path or config_dir() / SETTINGS_FILE
        found: list[str] = []
        data = _read(path, found)
        settings = cls(
            model_dirs=_folders(data, "model_dirs", path, found)
            + _paths_from_env("STUDIO_MODEL_DIRS"),
            upscaler_dirs=_folders(data, "upscaler_dirs", path, found)
            + _paths_from_env("STUDIO_UPSCALER_DIRS"),
            **{
                key: [Path(p).expanduser() for p in data.get(key, [])]
                for key in ("lora_dirs", "embedding_dirs", "wildcard_dirs")
            },
        )
        settings.backend = _backend(data, path, found)
        settings.notices = found
        for message in found:
            notice(message)
        return settings

    def save(self, path: Path | None = None) -> None:
        from studio.core.imagefiles import write_atomic

        path = path or config_dir() / SETTINGS_FILE
        data = {
            "model_dirs": [str(p) for p in self.model_dirs],
            "upscaler_dirs": [str(p) for p in self.upscaler_dirs],
            "lora_dirs": [str(p) for p in self.lora_dirs],
            "embedding_dirs": [str(p) for p in self.embedding_dirs],
            "wildcard_dirs": [str(p) for p in self.wildcard_dirs],
            "backend": self.backend,
        }
        write_atomic(path, json.dumps(data, indent=2).encode("utf-8"))


def _read(path: Path, found: list[str]) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        found.append(
            f"using the default settings: {str(path)!r} is unreadable ({exc}); fix or delete it"
        )
        return {}
    if not isinstance(data, dict):
        found.append(
            f"using the default settings: {str(path)!r} does not hold an object of settings"
        )
        return {}
    return data


def _folders(data: dict[str, Any], key: str, path: Path, found: list[str]) -> list[Path]:
    value = data.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        found.append(
            f"{key} in {str(path)!r} must be a list of folders, not {json.dumps(value)[:40]}; "
            "ignoring it"
        )
        return []
    folders = []
    for item in value:
        if isinstance(item, str) and item.strip() and "\0" not in item:
            folders.append(Path(item).expanduser())
        else:
            found.append(
                f"{key} in {str(path)!r} holds {json.dumps(item)[:40]}, not a folder; skipped"
            )
    return folders


def _backend(data: dict[str, Any], path: Path, found: list[str]) -> str:
    value = data.get("backend", "auto")
    if value in BACKENDS:
        return str(value)
    found.append(
        f"backend in {str(path)!r} must be one of {', '.join(BACKENDS)}, not "
        f"{json.dumps(value)[:40]}; using auto"
    )
    return "auto"


def save_backend(backend: str, path: Path | None = None) -> None:
    """Store the backend choice in settings.json, keeping every other key as it is."""
    from studio.core.imagefiles import write_atomic

    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}")
    path = path or config_dir() / SETTINGS_FILE
    problems: list[str] = []
    data = _read(path, problems)
    if problems:  # never overwrite a file the user can still repair
        from studio.core.errors import UserError

        raise UserError(problems[0].replace("using the default settings: ", ""))
    data["backend"] = backend
    write_atomic(path, json.dumps(data, indent=2).encode("utf-8"))
