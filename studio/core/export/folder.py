"""An export folder: unique safe names, atomic image writes, `index.json`, `contact-sheet.png`,
and finding images already there with the same params (so a rerun skips them)."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterable
from datetime import date as Date
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from studio.core.errors import UserError
from studio.core.export.formats import (
    DEFAULT_QUALITY,
    EXTENSIONS,
    FORMATS,
    canonical_format,
    encode_image,
)
from studio.core.export.names import (
    DEFAULT_TEMPLATE,
    FALLBACK_STEM,
    NameTemplate,
    name_key,
    sanitize_stem,
    template_values,
    with_suffix,
)
from studio.core.export.sheet import SheetItem, contact_sheet, thumbnail, tile_size
from studio.core.family import link_parent_files
from studio.core.imagefiles import read_exif_user_comment, write_atomic
from studio.core.metadata import params_from_text_chunks
from studio.core.params import GenerationParams

INDEX_NAME = "index.json"
SHEET_NAME = "contact-sheet.png"
RESERVED_NAMES = {name_key(INDEX_NAME), name_key(SHEET_NAME)}
# Params that say where an image was rendered, not what it is: "auto" matches any value.
_PLACEMENT = ("device", "dtype")
SOURCE_PREFIX = "source_"  # extra keys that identify the input image/mask (path, sha256)
# extra keys of files drawn from the images (a sweep's grid): never taken for a planned image
DERIVED_KEYS = ("sweep_grid",)


class ExportError(UserError):
    """An export folder that cannot be used."""


def identity(params: GenerationParams) -> str:
    """What makes two params render the same image (device/dtype aside), as a hashable key."""
    data = params.to_dict()
    for key in (*_PLACEMENT, "count", "extra"):
        data.pop(key, None)
    data["sources"] = {k: v for k, v in params.extra.items() if k.startswith(SOURCE_PREFIX)}
    return json.dumps(data, sort_keys=True, ensure_ascii=True)


def same_image(wanted: GenerationParams, found: GenerationParams) -> bool:
    """Whether an image made with `found` is the one `wanted` asks for."""
    if identity(wanted) != identity(found):
        return False
    return all(getattr(wanted, k) in ("auto", getattr(found, k)) for k in _PLACEMENT)


def read_embedded_params(path: Path) -> GenerationParams | None:
    """Params embedded in an image file (PNG chunks or EXIF comment), or None."""
    try:
        with Image.open(path) as image:  # text chunks precede the pixels: no decode needed
            chunks = {k: v for k, v in image.info.items() if isinstance(v, str)}
            if path.suffix.lower() != ".png" and "parameters" not in chunks:
                comment = read_exif_user_comment(image)
                if comment:
                    chunks["parameters"] = comment
        return params_from_text_chunks(chunks)
    except (OSError, ValueError, SyntaxError, UserError):
        return None


class ExportFolder:
    """Writes images into one directory, never outside it and never over an existing file."""

    def __init__(
        self,
        directory: str | os.PathLike[str],
        template: NameTemplate | None = None,
        fmt: str = "png",
        quality: int = DEFAULT_QUALITY,
        date: str | None = None,
    ) -> None:
        self.directory = Path(directory)
        if self.directory.exists() and not self.directory.is_dir():
            raise ExportError(f"{str(self.directory)!r} is a file; give a folder to write into")
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ExportError(f"cannot create folder {str(self.directory)!r}: {exc}") from exc
        self.template = template or NameTemplate.parse(DEFAULT_TEMPLATE)
        self.format = canonical_format(fmt)
        self.extension = FORMATS[self.format]
        self.quality = quality
        self.date = date or Date.today().isoformat()
        self._claimed: set[str] = set(RESERVED_NAMES)
        self._index: dict[str, dict[str, Any]] = self._load_index()
        self._existing: dict[str, list[tuple[str, GenerationParams]]] | None = None
        self.session: list[tuple[str, GenerationParams]] = []  # this run's images, in order
        self._thumbs: dict[str, Image.Image] = {}

    # -- what is there already ------------------------------------------------------------
    def _load_index(self) -> dict[str, dict[str, Any]]:
        path = self.directory / INDEX_NAME
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict):
            return {}
        return {
            name: entry
            for name, entry in data.items()
            if isinstance(entry, dict) and (self.directory / name).is_file()
        }

    def _scan(self) -> dict[str, list[tuple[str, GenerationParams]]]:
        """identity -> [(file name, params)] of every image file in the folder."""
        found: dict[str, list[tuple[str, GenerationParams]]] = {}
        for path in sorted(self.directory.iterdir()):
            if path.name.startswith(".") or path.suffix.lower() not in EXTENSIONS:
                continue
            if name_key(path.name) in RESERVED_NAMES or not path.is_file():
                continue
            params = None
            if path.suffix.lower() == ".png":
                params = read_embedded_params(path)
            if params is None and path.name in self._index:
                params = GenerationParams.from_dict(self._index[path.name])
            if params is None and path.suffix.lower() != ".png":
                params = read_embedded_params(path)
            if params is not None and not _derived(params):
                found.setdefault(identity(params), []).append((path.name, params))
        return found

    def find_existing(self, params: GenerationParams) -> tuple[str, GenerationParams] | None:
        """An unclaimed file here holding the image params describe: (name, its params).
        The file is claimed, so no later lookup or new name takes it."""
        if self._existing is None:
            self._existing = self._scan()
        for name, found in self._existing.get(identity(params), []):
            if name_key(name) not in self._claimed and same_image(params, found):
                self._claimed.add(name_key(name))
                return name, found
        return None

    # -- names ----------------------------------------------------------------------------
    def name_for(
        self,
        params: GenerationParams,
        *,
        index: int,
        job: int = 1,
        template: NameTemplate | None = None,
    ) -> str:
        """The template's stem for one image (sanitised; no extension)."""
        values = template_values(params, index=index, job=job, date=self.date)
        return (template or self.template).render(values)

    def claim(self, stem: str) -> str:
        """A file name `stem.ext`, `stem-2.ext`, ... that is neither on disk nor taken."""
        stem = sanitize_stem(stem) if stem else FALLBACK_STEM
        number = 1
        while True:
            name = with_suffix(stem, number, self.extension)
            key = name_key(name)
            if key not in self._claimed and not os.path.lexists(self.directory / name):
                self._claimed.add(key)
                return name
            number += 1

    def path_of(self, name: str) -> Path:
        """The path of a claimed name, checked to be directly inside the folder."""
        path = self.directory / name
        if path.parent != self.directory or name in ("", ".", "..") or "/" in name or "\\" in name:
            raise ExportError(f"refusing to write {name!r} outside {str(self.directory)!r}")
        return path

    # -- writing --------------------------------------------------------------------------
    def write(self, name: str, pixels: np.ndarray, params: GenerationParams) -> Path:
        """Atomically write one image under a claimed name and record it for index and sheet."""
        path = self.path_of(name)
        if os.path.lexists(path):  # appeared since it was claimed: never overwrite
            name = self.claim(Path(name).stem)
            path = self.path_of(name)
        write_atomic(path, encode_image(pixels, params, self.format, self.quality))
        self.record(name, params, pixels)
        return path

    def add(
        self, pixels: np.ndarray, params: GenerationParams, *, index: int, job: int = 1
    ) -> Path:
        """Name (from the template), claim and write one image. The UI's export calls this."""
        return self.write(self.claim(self.name_for(params, index=index, job=job)), pixels, params)

    def record(self, name: str, params: GenerationParams, pixels: np.ndarray | None = None) -> None:
        """Count a file as part of this export (written now, or found from an earlier run)."""
        self._index[name] = params.to_dict()
        self.session.append((name, params))
        if pixels is not None:
            self._thumbs[name] = thumbnail(pixels, tile_size(len(self.session)))

    def write_index(self) -> Path:
        """index.json: every image file in the folder -> its full params."""
        index = link_parent_files(self._index)  # children name their parent's file
        text = json.dumps(index, indent=2, ensure_ascii=False, sort_keys=False)
        return write_atomic(self.directory / INDEX_NAME, (text + "\n").encode("utf-8"))

    def write_contact_sheet(
        self, names: Iterable[tuple[str, GenerationParams]] | None = None
    ) -> Path:
        """contact-sheet.png of this run's images (or the given (name, params) pairs)."""
        entries = list(self.session if names is None else names)
        size = tile_size(len(entries))
        items = []
        for name, params in entries:
            thumb = self._thumbs.get(name)
            if thumb is None:
                with Image.open(self.directory / name) as image:
                    image.draft("RGB", (size, size))  # cheap JPEG downscale
                    thumb = image.convert("RGB")
                    thumb.thumbnail((size, size), Image.Resampling.LANCZOS)
            items.append(SheetItem(thumbnail=thumb, seed=params.seed, prompt=params.prompt))
        # Small images are not blown up: the cells shrink to the largest of them instead.
        size = min(size, max((max(item.thumbnail.size) for item in items), default=size))
        buffer = io.BytesIO()  # a preview: fast compression matters more than bytes
        contact_sheet(items, tile=size).save(buffer, format="PNG", compress_level=1)
        return write_atomic(self.directory / SHEET_NAME, buffer.getvalue())

    def write_derived(self, stem: str, data: bytes, params: GenerationParams) -> Path:
        """Write `stem.png`, a file drawn from this folder's images (params.extra holds a
        DERIVED_KEYS key), replacing the one an earlier run wrote; never over an image (then
        `stem-2.png`, ...). Recorded in index.json."""
        stem = sanitize_stem(stem)
        number = 1
        while True:
            name = with_suffix(stem, number, ".png")
            earlier = self._index.get(name, {}).get("extra")
            ours = isinstance(earlier, dict) and any(key in earlier for key in DERIVED_KEYS)
            taken = name_key(name) in self._claimed
            if not taken and (ours or not os.path.lexists(self.directory / name)):
                break
            number += 1
        self._claimed.add(name_key(name))
        path = write_atomic(self.path_of(name), data)
        self._index[name] = params.to_dict()
        return path

    def finish(self) -> None:
        self.write_index()
        self.write_contact_sheet()


def _derived(params: GenerationParams) -> bool:
    return any(key in params.extra for key in DERIVED_KEYS)


__all__ = ["INDEX_NAME", "SHEET_NAME", "ExportError", "ExportFolder", "identity", "same_image"]
