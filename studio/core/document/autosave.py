"""Autosave slots: one `.ora` per running app in the user data folder, plus a small JSON note.

A slot is named after the process id, so several windows never share one, and a slot whose
process is gone is what a crash (or a kill) left behind: the next launch offers it. Both files
are written atomically (temp + rename), the note last, so an interrupted autosave leaves the
previous one whole and loadable.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from studio.core.document.document import Document
from studio.core.document.layer import Layer
from studio.core.document.ora import Variation, read_ora, save_ora
from studio.core.imagefiles import write_atomic
from studio.core.params import GenerationParams
from studio.core.paths import data_dir

AUTOSAVE_FOLDER = "autosave"


SLICE_BYTES = 8 << 20  # copied per GUI-thread slice: a few milliseconds


def _key(layer: Layer) -> tuple[int, int, tuple[int, ...]]:
    return (layer.version, id(layer.pixels), layer.pixels.shape)


class IncrementalSnapshot:
    """The autosave's copy of a document, built a slice at a time on the GUI thread.

    Copying a 10-layer 4096² stack at once would freeze the window for a second or more, so
    each `step()` copies at most `slice_bytes` and returns; the caller schedules the next one
    from its event loop. A layer edited between slices (its version or pixel array changed) is
    copied again, so the finished copy is the document as it was at the last step, never a
    mix. With `cache` (layer id -> (key, frozen copy)), layers unchanged since the last
    snapshot reuse their copy.
    """

    def __init__(
        self,
        doc: Document,
        cache: dict[int, tuple[tuple, np.ndarray]] | None = None,
        slice_bytes: int = SLICE_BYTES,
    ) -> None:
        self.doc = doc
        self.cache = cache if cache is not None else {}
        self.slice_bytes = slice_bytes
        self._partial: dict[int, tuple[tuple, np.ndarray, int]] = {}  # id -> (key, copy, rows)

    def _ready(self, layer: Layer) -> np.ndarray | None:
        known = self.cache.get(layer.id)
        if known is not None and known[0] == _key(layer):
            return known[1]
        partial = self._partial.get(layer.id)
        if partial is not None and partial[0] == _key(layer) and partial[2] >= layer.height:
            return partial[1]
        return None

    def _copy_some(self, layer: Layer, budget: int) -> int:
        key = _key(layer)
        partial = self._partial.get(layer.id)
        if partial is None or partial[0] != key:
            partial = (key, np.empty_like(layer.pixels), 0)
        _, target, done = partial
        row_bytes = max(layer.pixels[0].nbytes, 1)
        rows = min(max(1, budget // row_bytes), layer.height - done)
        target[done : done + rows] = layer.pixels[done : done + rows]
        self._partial[layer.id] = (key, target, done + rows)
        return rows * row_bytes

    def step(self) -> Document | None:
        """Copy one slice; the finished copy once every layer is copied, else None."""
        budget = self.slice_bytes
        for layer in self.doc.layers:
            while self._ready(layer) is None and budget > 0:
                budget -= self._copy_some(layer, budget)
            if budget <= 0 and self._ready(layer) is None:
                return None
        layers = []
        for layer in self.doc.layers:
            pixels = self._ready(layer)
            assert pixels is not None
            pixels.flags.writeable = False
            layers.append(Layer(pixels, **layer.props()))  # type: ignore[arg-type]
        self.cache.clear()
        self.cache.update(
            {
                layer.id: (_key(layer), copy.pixels)
                for layer, copy in zip(self.doc.layers, layers, strict=True)
            }
        )
        self._partial.clear()
        doc = self.doc
        return Document(
            layers=layers, mask=doc.mask.copy(), has_image=doc.has_image, params=doc.params,
            path=doc.path, active=doc.active,
        )  # fmt: skip


def snapshot(doc: Document, cache: dict | None = None) -> Document:
    """The whole copy at once (tests, benches; the app uses IncrementalSnapshot)."""
    builder = IncrementalSnapshot(doc, cache, slice_bytes=1 << 62)
    copy = builder.step()
    assert copy is not None
    return copy


@dataclass(frozen=True)
class Slot:
    pid: int
    folder: Path

    @property
    def ora(self) -> Path:
        return self.folder / f"autosave-{self.pid}.ora"

    @property
    def note(self) -> Path:
        return self.folder / f"autosave-{self.pid}.json"

    @classmethod
    def mine(cls, folder: Path | None = None) -> Slot:
        return cls(os.getpid(), folder or data_dir() / AUTOSAVE_FOLDER)

    def write(
        self,
        doc: Document,
        panel: GenerationParams | None = None,
        variations: list[Variation] | tuple[Variation, ...] = (),
    ) -> datetime:
        save_ora(self.ora, doc, panel, variations, compress_level=1)
        saved_at = datetime.now(timezone.utc)
        note = {
            "saved_at": saved_at.isoformat(),
            "name": doc.path.name if doc.path else "untitled",
            "path": str(doc.path) if doc.path else None,
        }
        write_atomic(self.note, json.dumps(note).encode("utf-8"))
        return saved_at

    def info(self) -> dict | None:
        try:
            note = json.loads(self.note.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return note if isinstance(note, dict) and self.ora.is_file() else None

    def saved_at(self) -> datetime:
        info = self.info() or {}
        try:
            return datetime.fromisoformat(str(info["saved_at"]))
        except (KeyError, ValueError):
            return datetime.fromtimestamp(self.ora.stat().st_mtime, timezone.utc)

    def load(self) -> Document:
        restored = read_ora(self.ora)
        info = self.info() or {}
        restored.document.path = Path(info["path"]) if info.get("path") else None
        return restored.document

    def remove(self) -> None:
        for path in (self.ora, self.note):
            path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        import psutil

        return bool(psutil.pid_exists(pid))
    except ImportError:
        pass
    if os.name == "nt":
        return False  # os.kill(pid, 0) would end the process there; offering a copy is harmless
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # exists, owned by someone else
    return True


def orphans(folder: Path | None = None) -> list[Slot]:
    """Autosaves left by processes that are no longer running, newest first."""
    folder = folder or data_dir() / AUTOSAVE_FOLDER
    if not folder.is_dir():
        return []
    found = []
    for path in folder.glob("autosave-*.ora"):
        try:
            pid = int(path.stem.split("-", 1)[1])
        except ValueError:
            continue
        slot = Slot(pid, folder)
        if not _alive(pid) and slot.info() is not None:
            found.append(slot)
    return sorted(found, key=lambda s: s.saved_at(), reverse=True)
