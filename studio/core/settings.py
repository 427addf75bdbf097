"""User settings the engine needs: where models and upscalers live. JSON in the config dir."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from studio.core.errors import UserError
from studio.core.paths import config_dir

SETTINGS_FILE = "settings.json"


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

    @classmethod
    def load(cls, path: Path | None = None) -> Settings:
        """Settings from the config file plus STUDIO_MODEL_DIRS / STUDIO_UPSCALER_DIRS."""
        path = path or config_dir() / SETTINGS_FILE
        data: dict = {}
        if path.is_file():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError) as exc:
                raise UserError(
                    f"settings file {str(path)!r} is unreadable ({exc}); fix or delete it"
                ) from exc
        return cls(
            model_dirs=[Path(p).expanduser() for p in data.get("model_dirs", [])]
            + _paths_from_env("STUDIO_MODEL_DIRS"),
            upscaler_dirs=[Path(p).expanduser() for p in data.get("upscaler_dirs", [])]
            + _paths_from_env("STUDIO_UPSCALER_DIRS"),
            **{
                key: [Path(p).expanduser() for p in data.get(key, [])]
                for key in ("lora_dirs", "embedding_dirs", "wildcard_dirs")
            },
        )

    def save(self, path: Path | None = None) -> None:
        from studio.core.imagefiles import write_atomic

        path = path or config_dir() / SETTINGS_FILE
        data = {
            "model_dirs": [str(p) for p in self.model_dirs],
            "upscaler_dirs": [str(p) for p in self.upscaler_dirs],
            "lora_dirs": [str(p) for p in self.lora_dirs],
            "embedding_dirs": [str(p) for p in self.embedding_dirs],
            "wildcard_dirs": [str(p) for p in self.wildcard_dirs],
        }
        write_atomic(path, json.dumps(data, indent=2).encode("utf-8"))
