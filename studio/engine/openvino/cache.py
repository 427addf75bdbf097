"""Where exported models live: one folder per model identity under Studio's cache folder.

The key hashes what identifies the model's weights (a file's path, size and mtime; every file
of a folder; the built-in models' name and code version), so an edited or replaced model is
exported again. A folder appears only complete: exports write into a `.tmp-` sibling and
rename it at the end (export.py), and `.tmp-` folders left by a killed export are removed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

from studio.core.paths import cache_dir

# Bumped when the export's output changes in a way older folders cannot serve.
EXPORT_FORMAT = 1
TEMP_PREFIX = ".tmp-"
DONE_FILE = "studio-export.json"  # written last inside the temp folder, before the rename


def cache_root() -> Path:
    """STUDIO_OPENVINO_CACHE, else `openvino/` in Studio's cache folder."""
    override = os.environ.get("STUDIO_OPENVINO_CACHE")
    return Path(override) if override else cache_dir() / "openvino"


def _folder_identity(folder: Path) -> list[tuple[str, int, int]]:
    entries = []
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            stat = path.stat()
            entries.append((str(path.relative_to(folder)), stat.st_size, stat.st_mtime_ns))
    return entries


def model_identity(kind: str, name: str, location: str) -> dict:
    """What identifies a model's weights: plain data, hashed into the cache key."""
    identity: dict = {"format": EXPORT_FORMAT, "kind": kind, "name": name}
    if kind == "file":
        path = Path(location).resolve()
        stat = path.stat()
        identity.update(path=str(path), size=stat.st_size, mtime_ns=stat.st_mtime_ns)
    elif kind == "folder":
        path = Path(location).resolve()
        identity.update(path=str(path), files=_folder_identity(path))
    elif kind == "builtin":
        from studio import __version__

        identity["version"] = __version__  # tiny's weights are made from a fixed seed
    else:  # a hub id: its snapshot's revision names the weights
        identity["location"] = location
    return identity


def cache_key(identity: dict) -> str:
    digest = hashlib.sha256(json.dumps(identity, sort_keys=True).encode("utf-8")).hexdigest()
    safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in str(identity["name"]))
    return f"{safe[:40]}-{digest[:16]}"


def cached_export(key: str, root: Path | None = None) -> Path | None:
    """The finished export folder for key, or None."""
    folder = (root or cache_root()) / key
    return folder if (folder / DONE_FILE).is_file() else None


def remove_stale_temps(root: Path | None = None) -> None:
    """Delete the temp folders of exports that were killed (not ours: we hold none yet)."""
    root = root or cache_root()
    if not root.is_dir():
        return
    for entry in root.iterdir():
        if entry.name.startswith(TEMP_PREFIX) and not _owner_alive(entry):
            shutil.rmtree(entry, ignore_errors=True)


def temp_folder(key: str, root: Path | None = None) -> Path:
    root = root or cache_root()
    return root / f"{TEMP_PREFIX}{key}-{os.getpid()}"


def _owner_alive(entry: Path) -> bool:
    """Whether the process that named this temp folder (its last `-PID`) still runs."""
    pid_text = entry.name.rsplit("-", 1)[-1]
    if not pid_text.isdigit() or int(pid_text) == os.getpid():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
