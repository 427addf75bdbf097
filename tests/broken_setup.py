"""A corrupt settings file and a broken model folder, as users end up with them."""

from __future__ import annotations

import json
from pathlib import Path

SETTINGS_CASES = {
    "bad JSON": "{model_dirs: [oops",
    "wrong types": json.dumps({"model_dirs": 5, "upscaler_dirs": ["/ok", 7]}),
    "not an object": json.dumps(["/models"]),
    "not UTF-8": b"\xff\xfe\x00garbage",
}


def write_settings(config_dir: Path, case: str) -> Path:
    config_dir.mkdir(parents=True, exist_ok=True)
    path = config_dir / "settings.json"
    content = SETTINGS_CASES[case]
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


def broken_model_folder(folder: Path) -> Path:
    """A dangling checkpoint link, a diffusers folder with a broken model_index.json, a real
    (tiny, empty-but-listed) checkpoint name beside them."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "gone.safetensors").symlink_to(folder / "nowhere" / "gone.safetensors")
    (folder / "dangling-dir").symlink_to(folder / "nowhere")
    broken = folder / "half-downloaded"
    broken.mkdir()
    (broken / "model_index.json").write_text("{not json")
    (folder / "locked").mkdir()
    (folder / "locked" / "inside.safetensors").write_bytes(b"")
    return folder
