"""History that outlasts the session: every result kept on disk with its params and family
links, browsable by day, searchable by prompt, starred results kept forever.

Layout (as A1111 keeps outputs/): `DIR/2026-12-02/0001-<id>.png` (PNG with the infotext and
the studio JSON) and `DIR/history.json` (file -> {time, params, starred}), rewritten
atomically on each change. Over the size cap the oldest unstarred images go first.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from studio.core.export.formats import encode_image
from studio.core.family import id_of, with_id
from studio.core.imagefiles import write_atomic
from studio.core.params import GenerationParams

INDEX = "history.json"
DEFAULT_CAP_BYTES = 2 * 1024**3


def default_history_dir() -> Path:
    """The user data folder's `history` (STUDIO_HISTORY_DIR overrides it)."""
    override = os.environ.get("STUDIO_HISTORY_DIR")
    if override:
        return Path(override)
    from platformdirs import user_data_dir

    return Path(user_data_dir("studio", appauthor=False)) / "history"


@dataclass(frozen=True)
class HistoryEntry:
    file: str  # relative to the history folder, e.g. "2026-12-02/0001-ab12cd34ef56.png"
    time: float  # seconds since the epoch
    params: GenerationParams
    starred: bool = False

    @property
    def day(self) -> str:
        return datetime.fromtimestamp(self.time).strftime("%Y-%m-%d")


class History:
    """One history folder. Not thread-safe: the GUI thread owns it."""

    def __init__(self, directory: str | os.PathLike[str], cap_bytes: int = DEFAULT_CAP_BYTES):
        self.directory = Path(directory)
        self.cap_bytes = cap_bytes
        self._entries: dict[str, HistoryEntry] = {}
        self._load()

    # -- storage --------------------------------------------------------------------------
    def _load(self) -> None:
        try:
            data = json.loads((self.directory / INDEX).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        if not isinstance(data, dict):
            return
        for name, raw in data.items():
            if not isinstance(raw, dict) or not (self.directory / name).is_file():
                continue  # deleted by hand: forget it
            try:
                params = GenerationParams.from_dict(raw.get("params") or {})
            except (TypeError, ValueError):
                continue
            self._entries[name] = HistoryEntry(
                name, float(raw.get("time", 0.0)), params, bool(raw.get("starred", False))
            )

    def _save(self) -> None:
        data = {
            e.file: {"time": e.time, "starred": e.starred, "params": e.params.to_dict()}
            for e in self._entries.values()
        }
        text = json.dumps(data, indent=1, ensure_ascii=False)
        self.directory.mkdir(parents=True, exist_ok=True)
        write_atomic(self.directory / INDEX, (text + "\n").encode("utf-8"))

    # -- adding ---------------------------------------------------------------------------
    def add(
        self, pixels: np.ndarray, params: GenerationParams, when: float | None = None
    ) -> HistoryEntry:
        """Keep one result (its params get the image's id); prunes over the cap."""
        when = time.time() if when is None else when
        params = with_id(params, pixels)
        day = datetime.fromtimestamp(when).strftime("%Y-%m-%d")
        folder = self.directory / day
        folder.mkdir(parents=True, exist_ok=True)
        number = len([n for n in self._entries if n.startswith(day + "/")]) + 1
        name = f"{day}/{number:04d}-{id_of(params)}.png"
        while (self.directory / name).exists():
            number += 1
            name = f"{day}/{number:04d}-{id_of(params)}.png"
        write_atomic(self.directory / name, encode_image(pixels, params, "png", 95))
        entry = HistoryEntry(name, when, params)
        self._entries[name] = entry
        self.prune(save=False)
        self._save()
        return entry

    # -- reading --------------------------------------------------------------------------
    def entries(self) -> list[HistoryEntry]:
        """Newest first."""
        return sorted(self._entries.values(), key=lambda e: e.time, reverse=True)

    def by_day(
        self, entries: Iterable[HistoryEntry] | None = None
    ) -> dict[str, list[HistoryEntry]]:
        days: dict[str, list[HistoryEntry]] = {}
        for entry in self.entries() if entries is None else entries:
            days.setdefault(entry.day, []).append(entry)
        return days

    def search(self, text: str, starred_only: bool = False) -> list[HistoryEntry]:
        """Entries whose prompt (or negative prompt) holds every word of text."""
        words = text.lower().split()
        found = []
        for entry in self.entries():
            haystack = f"{entry.params.prompt}\n{entry.params.negative}".lower()
            if all(word in haystack for word in words) and (entry.starred or not starred_only):
                found.append(entry)
        return found

    def path(self, entry: HistoryEntry) -> Path:
        return self.directory / entry.file

    def read(self, entry: HistoryEntry) -> np.ndarray:
        from studio.core.imagefiles import read_image

        return read_image(self.path(entry))[0]

    def get(self, file: str) -> HistoryEntry | None:
        return self._entries.get(file)

    def children_of(self, entry: HistoryEntry) -> list[HistoryEntry]:
        parent = id_of(entry.params)
        return [e for e in self.entries() if parent and e.params.extra.get("parent") == parent]

    # -- changing -------------------------------------------------------------------------
    def set_starred(self, entry: HistoryEntry, starred: bool) -> HistoryEntry:
        updated = HistoryEntry(entry.file, entry.time, entry.params, bool(starred))
        self._entries[entry.file] = updated
        self._save()
        return updated

    def size_bytes(self) -> int:
        return sum(_size(self.directory / name) for name in self._entries)

    def prune(self, save: bool = True) -> list[str]:
        """Delete the oldest unstarred images until the folder fits the cap; starred ones
        are never touched. Returns the deleted files."""
        total = self.size_bytes()
        removed: list[str] = []
        for entry in sorted(self._entries.values(), key=lambda e: e.time):
            if total <= self.cap_bytes:
                break
            if entry.starred:
                continue
            total -= _size(self.directory / entry.file)
            (self.directory / entry.file).unlink(missing_ok=True)
            del self._entries[entry.file]
            removed.append(entry.file)
        if removed and save:
            self._save()
        return removed


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def describe(entry: HistoryEntry) -> dict[str, Any]:
    """A plain summary (for tools and tests): file, day, prompt, seed, starred, parent."""
    return {
        "file": entry.file,
        "day": entry.day,
        "prompt": entry.params.prompt,
        "seed": entry.params.seed,
        "starred": entry.starred,
        "parent": entry.params.extra.get("parent"),
    }
