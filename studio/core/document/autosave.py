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

from studio.core.document.document import Document
from studio.core.document.layer import Layer
from studio.core.document.ora import Variation, read_ora, save_ora
from studio.core.imagefiles import write_atomic
from studio.core.params import GenerationParams
from studio.core.paths import data_dir

AUTOSAVE_FOLDER = "autosave"


def snapshot(doc: Document, cache: dict[int, tuple[int, Layer]] | None = None) -> Document:
    """A copy the autosave thread may read while the artist keeps painting (GUI thread).

    With `cache` (layer id -> (version, copy)), a layer whose pixels did not change since the
    last snapshot reuses its copy, so a periodic autosave of a big stack copies only what the
    artist touched.
    """
    layers = []
    for layer in doc.layers:
        known = cache.get(layer.id) if cache is not None else None
        if known is not None and known[0] == layer.version:
            copy = Layer(known[1].pixels, **layer.props())  # fresh props, shared frozen pixels
        else:
            copy = layer.copy()
            copy.pixels.flags.writeable = False
        layers.append(copy)
    if cache is not None:
        cache.clear()
        pairs = zip(doc.layers, layers, strict=True)
        cache.update({layer.id: (layer.version, copy) for layer, copy in pairs})
    return Document(
        layers=layers,
        mask=doc.mask.copy(),
        has_image=doc.has_image,
        params=doc.params,
        path=doc.path,
        active=doc.active,
    )


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
