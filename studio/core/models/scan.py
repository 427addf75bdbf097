"""One scanner for every model the studio can see, grouped by kind (see classify.KINDS)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from studio.core.errors import ModelError
from studio.core.models.classify import (
    KINDS,
    SD1,
    SD2,
    SD_ANY,
    SDXL,
    Classified,
    classify_by_folder,
    classify_keys,
)
from studio.core.models.hashes import cached_short_hash
from studio.core.models.header import read_header
from studio.core.models.layouts import ModelFolder, model_folders
from studio.core.notices import notice

MODEL_SUFFIXES = (".safetensors", ".ckpt", ".pt", ".pth", ".bin", ".sft")
MAX_DEPTH = 3


@dataclass(frozen=True)
class ModelEntry:
    name: str  # the path relative to its folder, as A1111 shows it
    kind: str
    family: str
    tags: tuple[str, ...]
    path: Path
    size: int
    root: str  # the folder or install the user added ("Hugging Face cache" for the hub)
    short_hash: str | None = None  # filled when already cached; see hashes.short_hash
    is_folder: bool = False  # a diffusers folder (model_index.json)

    @property
    def family_label(self) -> str:
        return " ".join([self.family, *self.tags]).strip() or "?"

    @property
    def stem(self) -> str:
        return self.name if self.is_folder else self.name.rsplit(".", 1)[0]


def classify_file(path: Path, kind_hint: str = "") -> Classified | None:
    """Kind and family of one file; None when it is not a model we know (and no hint says so)."""
    found = None
    if path.suffix.lower() in (".safetensors", ".sft"):
        try:
            found = classify_keys(read_header(path), path.name)
        except ModelError:
            if kind_hint != "checkpoint":
                return None  # broken: not listed (a checkpoint is, so loading it says why)
    if found:
        return found  # the keys win over the folder (a LoRA in the checkpoints folder is a LoRA)
    if kind_hint:
        return classify_by_folder(kind_hint, path.name)
    if path.suffix.lower() == ".ckpt":
        return classify_by_folder("checkpoint", path.name)
    return None


def _diffusers_family(folder: Path) -> Classified:
    """Kind and family of a diffusers folder from its unet config (or TAESD's config)."""
    try:
        unet = json.loads((folder / "unet" / "config.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return Classified("checkpoint", "")
    cross = unet.get("cross_attention_dim")
    family = SDXL if unet.get("addition_embed_type") == "text_time" else {1024: SD2}.get(cross, SD1)
    if unet.get("in_channels") == 9:
        return Classified("inpaint", family, ("inpainting",))
    tags = ("Turbo/LCM",) if any(w in folder.name.lower() for w in ("turbo", "lcm")) else ()
    return Classified("checkpoint", family, tags)


def _walk(folder: ModelFolder) -> Iterable[ModelEntry]:
    base = folder.path
    stack = [(base, 0)]
    while stack:
        current, depth = stack.pop()
        try:
            with os.scandir(current) as found_here:
                children = sorted(Path(item.path) for item in found_here)
        except OSError as exc:
            notice(f"model folder {str(current)!r} is not readable ({exc.strerror}); skipped")
            continue
        for path in children:
            if path.suffix.lower() in MODEL_SUFFIXES and not path.exists():
                notice(f"model {str(path)!r} is a broken link (its target is missing); skipped")
            elif path.is_dir():
                if (path / "model_index.json").is_file():
                    found = _diffusers_family(path)
                    size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
                    yield _entry(path, base, found, size, folder, is_folder=True)
                elif depth + 1 < MAX_DEPTH and not path.name.startswith("."):
                    stack.append((path, depth + 1))
            elif path.suffix.lower() in MODEL_SUFFIXES:
                found = classify_file(path, folder.kind)
                if found:
                    yield _entry(path, base, found, path.stat().st_size, folder)


def _entry(
    path: Path, base: Path, found: Classified, size: int, folder: ModelFolder, is_folder=False
) -> ModelEntry:
    return ModelEntry(
        name=path.relative_to(base).as_posix(),
        kind=found.kind,
        family=found.family,
        tags=found.tags,
        path=path,
        size=size,
        root=str(folder.root or base),
        short_hash=None if is_folder else cached_short_hash(path, found.kind),
        is_folder=is_folder,
    )


def hub_entries() -> list[ModelEntry]:
    """Diffusers pipelines and TAESD decoders already in the local Hugging Face cache."""
    try:
        from huggingface_hub import constants, scan_cache_dir

        info = scan_cache_dir(os.environ.get("HF_HUB_CACHE") or constants.HF_HUB_CACHE)
    except Exception:  # no cache yet, or an unreadable one: nothing to list
        return []
    entries = []
    for repo in sorted(info.repos, key=lambda r: r.repo_id):
        if repo.repo_type != "model" or not repo.revisions:
            continue
        snapshot = max(repo.revisions, key=lambda r: r.last_modified).snapshot_path
        if (snapshot / "model_index.json").is_file():
            found = _diffusers_family(snapshot)
        elif "taesd" in repo.repo_id.lower():
            found = Classified("preview", SDXL if "xl" in repo.repo_id.lower() else SD_ANY)
        else:
            entries.extend(_hub_files(repo.repo_id, snapshot))
            continue
        entries.append(
            ModelEntry(
                name=repo.repo_id,
                kind=found.kind,
                family=found.family,
                tags=found.tags,
                path=snapshot,
                size=repo.size_on_disk,
                root="Hugging Face cache",
                is_folder=True,
            )
        )
    return entries


def _hub_files(repo_id: str, snapshot: Path) -> list[ModelEntry]:
    """Single files downloaded from a repo (a checkpoint, an upscaler .pth, ...)."""
    found = []
    for path in sorted(snapshot.iterdir()):
        if path.suffix.lower() not in MODEL_SUFFIXES or not path.is_file():
            continue
        kind = classify_file(path, "upscaler" if path.suffix.lower() == ".pth" else "")
        if kind is None:
            continue
        found.append(
            ModelEntry(
                name=f"{repo_id}/{path.name}",
                kind=kind.kind,
                family=kind.family,
                tags=kind.tags,
                path=path,
                size=path.stat().st_size,
                root="Hugging Face cache",
                short_hash=cached_short_hash(path, kind.kind),
            )
        )
    return found


def scan_models(
    roots: Iterable[Path], include_hub: bool = True, upscaler_roots: Iterable[Path] = ()
) -> list[ModelEntry]:
    """Every model under roots (folders or A1111/Forge/ComfyUI installs), under upscaler_roots
    and in the HF cache, ordered by kind then name."""
    entries: list[ModelEntry] = []
    seen: set[Path] = set()
    folders = model_folders([Path(r).expanduser() for r in roots])
    folders += model_folders([Path(r).expanduser() for r in upscaler_roots], "upscaler")
    for folder in folders:
        for entry in _walk(folder):
            if entry.path.resolve() not in seen:
                seen.add(entry.path.resolve())
                entries.append(entry)
    if include_hub:
        entries.extend(hub_entries())
    return sorted(entries, key=lambda e: (KINDS.index(e.kind), e.name.lower()))


def by_kind(entries: Iterable[ModelEntry]) -> dict[str, list[ModelEntry]]:
    grouped: dict[str, list[ModelEntry]] = {kind: [] for kind in KINDS}
    for entry in entries:
        grouped[entry.kind].append(entry)
    return grouped


__all__ = ["SD1", "SD2", "SDXL", "ModelEntry", "by_kind", "classify_file", "scan_models"]
