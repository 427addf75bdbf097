"""Where the built-in demo model `mini` lives, as plain data (the UI may not import the engine).

`mini` is a diffusers folder under resources/models/mini produced by training/ (see README);
until it is trained and exported there, nothing offers it and `tiny` stays the fallback.
"""

from __future__ import annotations

from pathlib import Path

from studio.core.paths import resources_dir

MINI_NAME = "mini"


def mini_folder() -> Path:
    return resources_dir() / "models" / MINI_NAME


def mini_available() -> bool:
    return (mini_folder() / "model_index.json").is_file()
