"""Model hashes as AUTOMATIC1111 computes them, cached by (path, size, mtime).

- `Model hash` (A1111 `sd_models`, new style): the first 10 hex digits of the file's sha256.
- Old `Model hash` (8 hex): sha256 of the 64 KiB at offset 1 MiB; still found in old images.
- LoRA short hash (A1111 `extra_networks` / sd-webui-additional-networks): sha256 of the tensor
  data of a .safetensors file (everything after the header), first 12 hex digits.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
from pathlib import Path

from studio.core.models.header import header_length
from studio.core.paths import cache_dir

CACHE_FILE = "hashes.json"
BLOCK = 1024 * 1024
_lock = threading.Lock()


def _sha256_from(path: Path, offset: int = 0) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        handle.seek(offset)
        for chunk in iter(lambda: handle.read(BLOCK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def old_model_hash(path: Path) -> str:
    """A1111's legacy 8-digit hash (no cache needed: it reads 64 KiB)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        handle.seek(0x100000)
        digest.update(handle.read(0x10000))
    return digest.hexdigest()[:8]


class HashCache:
    """path -> {size, mtime, sha256, addnet} in a JSON file; an entry is used only while the
    file's size and mtime are unchanged."""

    def __init__(self, file: Path | None = None) -> None:
        self.file = file or cache_dir() / CACHE_FILE
        self._data: dict[str, dict] | None = None

    def _load(self) -> dict[str, dict]:
        if self._data is None:
            try:
                self._data = json.loads(self.file.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError):
                self._data = {}
        return self._data

    def _save(self) -> None:
        from studio.core.imagefiles import write_atomic

        with contextlib.suppress(OSError):  # an unwritable cache only costs a re-hash later
            write_atomic(self.file, json.dumps(self._load(), indent=1).encode("utf-8"))

    def cached(self, path: Path, field: str) -> str | None:
        stat = path.stat()
        entry = self._load().get(str(path.resolve()))
        if entry and entry.get("size") == stat.st_size and entry.get("mtime") == stat.st_mtime:
            return entry.get(field)
        return None

    def get(self, path: Path, field: str) -> str:
        """The full hex digest `field` (sha256 | addnet) of path, computed at most once."""
        path = Path(path)
        with _lock:
            found = self.cached(path, field)
            if found:
                return found
        stat = path.stat()
        value = _sha256_from(path, header_length(path) if field == "addnet" else 0)
        with _lock:
            data = self._load()
            key = str(path.resolve())
            entry = data.get(key, {})
            if entry.get("size") != stat.st_size or entry.get("mtime") != stat.st_mtime:
                entry = {"size": stat.st_size, "mtime": stat.st_mtime}
            entry[field] = value
            data[key] = entry
            self._save()
        return value


_default: HashCache | None = None


def default_cache() -> HashCache:
    global _default
    if _default is None or _default.file != cache_dir() / CACHE_FILE:
        _default = HashCache()
    return _default


def sha256(path: Path, cache: HashCache | None = None) -> str:
    return (cache or default_cache()).get(Path(path), "sha256")


def model_hash(path: Path, cache: HashCache | None = None) -> str:
    """A1111's `Model hash`: the first 10 hex digits of the file's sha256."""
    return sha256(path, cache)[:10]


def lora_hash(path: Path, cache: HashCache | None = None) -> str:
    """A1111's short LoRA hash: 12 hex digits of the tensor-data sha256 (.safetensors), else of
    the whole file."""
    path = Path(path)
    field = "addnet" if path.suffix.lower() == ".safetensors" else "sha256"
    return (cache or default_cache()).get(path, field)[:12]


def cached_short_hash(path: Path, kind: str, cache: HashCache | None = None) -> str | None:
    """The short hash if it is already known (no file read), for listing many files fast."""
    cache = cache or default_cache()
    field = "addnet" if kind == "lora" and path.suffix.lower() == ".safetensors" else "sha256"
    found = cache.cached(path, field)
    if not found:
        return None
    return found[:12] if kind == "lora" else found[:10]


def short_hash(path: Path, kind: str, cache: HashCache | None = None) -> str:
    return lora_hash(path, cache) if kind == "lora" else model_hash(path, cache)


def hash_matches(path: Path, wanted: str, cache: HashCache | None = None) -> bool:
    """Whether an infotext hash (new 10-digit, or legacy 8-digit) names this file."""
    wanted = wanted.strip().lower()
    if not wanted:
        return False
    if len(wanted) == 8 and old_model_hash(path) == wanted:
        return True
    return sha256(path, cache).startswith(wanted)
