"""Finding upscaler model files in folders, including A1111 / ComfyUI install roots, and in the
Hugging Face cache (what the model manager downloaded, e.g. a Real-ESRGAN repo)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from studio.core.errors import ModelError

MODEL_SUFFIXES = (".pth", ".pt", ".safetensors")
LANCZOS = "lanczos"
LANCZOS_SCALE = 4  # the scale Lanczos uses when none is asked for

# Sub-folders of an install root (or its `models/` folder) that hold upscalers.
# A1111 / Forge: models/ESRGAN, models/RealESRGAN, models/DAT, models/SwinIR, models/HAT;
# ComfyUI: models/upscale_models (ComfyUI portable nests it under ComfyUI/).
KNOWN_SUBFOLDERS = ("ESRGAN", "RealESRGAN", "DAT", "SwinIR", "HAT", "upscale_models")
_ROOT_PREFIXES = ("", "models", os.path.join("ComfyUI", "models"))
_MAX_DEPTH = 3  # how deep to look inside an upscaler folder (ComfyUI allows sub-folders)

_SCALE_PATTERNS = (
    re.compile(r"(?:^|[^a-z0-9])([1-8])x(?=[^a-z0-9]|$)"),  # 4x_foo, foo-2x
    re.compile(r"(?:^|[^a-z0-9])x([1-8])(?=[^0-9]|$)"),  # RealESRGAN_x4plus, DAT_x2
    re.compile(r"^([1-8])x(?=[a-z])"),  # 4xNomos8kSC, 4xLSDIR
    re.compile(r"sr_?x([1-8])(?=[^0-9]|$)"),  # ESRGAN_SRx4_DF2KOST
)


@dataclass(frozen=True)
class UpscalerEntry:
    """One upscaler the user can pick: `path` is None for the built-in Lanczos."""

    name: str
    path: Path | None
    scale: int | None  # from the file name when it says (4x_..., ..._x2); None if unknown
    repo_id: str = ""  # the hub repo, for a file from the Hugging Face cache

    def names(self) -> tuple[str, ...]:
        """Every name that picks this entry (lower case): its name, file name, `repo/stem`."""
        found = [self.name.lower()]
        if self.path is not None:
            found.append(self.path.name.lower())
            if self.repo_id:
                found += [
                    f"{self.repo_id}/{self.path.stem}".lower(),
                    f"{self.repo_id}/{self.path.name}".lower(),
                ]
        return tuple(found)

    @property
    def is_lanczos(self) -> bool:
        return self.path is None


LANCZOS_ENTRY = UpscalerEntry(LANCZOS, None, LANCZOS_SCALE)


def guess_scale(name: str) -> int | None:
    """The scale a file name announces (`4x-UltraSharp` -> 4, `RealESRGAN_x2plus` -> 2)."""
    stem = name.lower()
    for pattern in _SCALE_PATTERNS:
        found = {int(m) for m in pattern.findall(stem)}
        if len(found) > 1:
            return None  # the name is ambiguous
        if found:
            return found.pop()
    return None


def upscaler_folders(folder: Path) -> list[Path]:
    """Folders to scan for a configured folder: itself, or an install root's upscaler folders."""
    known = [
        folder / prefix / sub
        for prefix in _ROOT_PREFIXES
        for sub in KNOWN_SUBFOLDERS
        if (folder / prefix / sub).is_dir()
    ]
    return known or [folder]


def _model_files(folder: Path, depth: int = 0) -> Iterable[Path]:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name.lower())
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = Path(entry.path)
        try:
            if entry.is_dir() and depth < _MAX_DEPTH:
                yield from _model_files(path, depth + 1)
            elif entry.is_file() and path.suffix.lower() in MODEL_SUFFIXES:
                yield path
        except OSError:
            continue


def hub_upscalers() -> list[UpscalerEntry]:
    """Upscaler files in the Hugging Face cache, as the model manager's scan lists them; each
    named `repo/stem` (find_upscalers shortens it to the stem when that is unambiguous)."""
    from studio.core.models.scan import hub_entries

    return [
        UpscalerEntry(
            entry.stem, entry.path, guess_scale(entry.path.stem), entry.name.rsplit("/", 1)[0]
        )
        for entry in hub_entries()
        if entry.kind == "upscaler" and not entry.is_folder
    ]


def find_upscalers(
    dirs: Iterable[str | os.PathLike[str]], include_hub: bool = True
) -> list[UpscalerEntry]:
    """Upscaler files (.pth, .pt, .safetensors) in `dirs`, then in the Hugging Face cache, in
    order, without duplicates.

    Each entry of `dirs` may be an upscaler folder or the root (or `models/` folder) of an
    A1111 / Forge / ComfyUI install; folders that do not exist are skipped. A cached file is
    named by its stem, or `repo/stem` where a folder already has that name. Lanczos is not
    included: see `list_upscalers`.
    """
    seen: set[Path] = set()
    entries: list[UpscalerEntry] = []
    for configured in dirs:
        folder = Path(configured).expanduser()
        if not folder.is_dir():
            continue
        roots = upscaler_folders(folder)
        # An install root's own top-level files count too (not recursively: it holds venvs).
        files = list(_model_files(folder, depth=_MAX_DEPTH)) if roots != [folder] else []
        for root in roots:
            files.extend(_model_files(root))
        for path in files:
            key = path.resolve()
            if key in seen:
                continue
            seen.add(key)
            entries.append(UpscalerEntry(path.stem, path, guess_scale(path.stem)))
    if include_hub:
        names = {entry.name.lower() for entry in entries}
        for entry in hub_upscalers():
            assert entry.path is not None
            if entry.path.resolve() in seen:
                continue
            seen.add(entry.path.resolve())
            short = entry.path.stem
            name = entry.name if short.lower() in names else short
            names.add(name.lower())
            entries.append(UpscalerEntry(name, entry.path, entry.scale, entry.repo_id))
    return entries


def list_upscalers(dirs: Iterable[str | os.PathLike[str]]) -> list[UpscalerEntry]:
    """Lanczos first, then every upscaler file found in `dirs` (for menus and `studio models`)."""
    return [LANCZOS_ENTRY, *find_upscalers(dirs)]


def resolve_upscaler(
    spec: str | os.PathLike[str], dirs: Iterable[str | os.PathLike[str]] = ()
) -> UpscalerEntry:
    """Turn `lanczos`, a file path, or the name of a file found in `dirs` into an entry."""
    text = os.fspath(spec).strip()
    if text.lower() == LANCZOS:
        return LANCZOS_ENTRY
    path = Path(text).expanduser()
    if path.is_file():
        return UpscalerEntry(path.stem, path, guess_scale(path.stem))
    found = find_upscalers(dirs)
    wanted = text.lower()
    for entry in found:
        if wanted in entry.names():
            return entry
    if path.suffix.lower() in (*MODEL_SUFFIXES, ".ckpt") or os.sep in text or "/" in text:
        raise ModelError(f"upscaler file {text!r} does not exist; check the path")
    names = ", ".join(e.name for e in found[:12]) or "none found in the upscaler folders"
    raise ModelError(
        f"unknown upscaler {text!r}; use 'lanczos', a .pth/.pt/.safetensors file path, "
        f"or one of: {names}"
    )
