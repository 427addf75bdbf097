"""Finding models: built-ins, configured folders (incl. A1111/ComfyUI installs), the HF cache."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from studio.core.errors import ModelError
from studio.core.notices import notice
from studio.engine.models.mini import MINI_LABEL, MINI_NAME, mini_available, mini_folder
from studio.engine.models.tiny import TINY_NAMES

CHECKPOINT_SUFFIXES = (".safetensors", ".ckpt")
# Sub-folders of an install root that hold diffusion checkpoints.
INSTALL_SUBDIRS = (
    "models/Stable-diffusion",  # AUTOMATIC1111 / Forge
    "models/checkpoints",  # ComfyUI
    "models/diffusers",  # ComfyUI
    "models/unet",
)
HUB_ID = re.compile(r"^[\w.\-]+/[\w.\-]+$")


@dataclass(frozen=True)
class ModelRef:
    """Where a model comes from. kind: builtin | file | folder | hub."""

    name: str
    kind: str
    location: str
    label: str = ""  # shown instead of the location by `studio models` when set

    def describe(self) -> str:
        return f"{self.name:40s} {self.kind:8s} {self.label or self.location}"


def expand_dirs(dirs: Iterable[Path], subdirs: Iterable[str]) -> list[Path]:
    """The folders themselves plus the known sub-folders when a folder is an install root."""
    found: list[Path] = []
    for folder in dirs:
        candidates = [folder] + [folder / sub for sub in subdirs]
        found.extend(c for c in candidates if c.is_dir() and c not in found)
    return found


def _is_diffusers_folder(path: Path) -> bool:
    return (path / "model_index.json").is_file()


def scan_folder(folder: Path, max_depth: int = 3) -> list[ModelRef]:
    """Checkpoints and diffusers folders up to max_depth below folder. Unreadable folders and
    broken links are skipped with a notice, never an error."""
    refs: list[ModelRef] = []

    def unreadable(exc: OSError) -> None:
        notice(f"model folder {exc.filename!r} is not readable ({exc.strerror}); skipped")

    for root, dirs, files in os.walk(folder, onerror=unreadable):
        here = Path(root)
        depth = len(here.relative_to(folder).parts)
        walk_into = []
        for name in sorted(dirs):
            path = here / name
            if _is_diffusers_folder(path):  # a model: its parts are not models of their own
                refs.append(ModelRef(name=path.relative_to(folder).as_posix(), kind="folder",
                                     location=str(path)))  # fmt: skip
            elif depth + 1 < max_depth:
                walk_into.append(name)
        dirs[:] = walk_into
        for name in sorted(files):
            path = here / name
            if path.suffix.lower() not in CHECKPOINT_SUFFIXES:
                continue
            if not path.is_file():
                notice(f"model {str(path)!r} is a broken link (its target is missing); skipped")
                continue
            refs.append(ModelRef(name=path.relative_to(folder).as_posix(), kind="file",
                                 location=str(path)))  # fmt: skip
    return sorted(refs, key=lambda ref: ref.name)


def cached_hub_models() -> list[ModelRef]:
    """Diffusers pipelines already in the local Hugging Face cache."""
    try:
        from huggingface_hub import scan_cache_dir

        info = scan_cache_dir()
    except Exception:  # no cache yet, or an unreadable one: nothing to list
        return []
    refs = []
    for repo in sorted(info.repos, key=lambda r: r.repo_id):
        if repo.repo_type != "model":
            continue
        if any(f.file_name == "model_index.json" for rev in repo.revisions for f in rev.files):
            refs.append(ModelRef(name=repo.repo_id, kind="hub", location=str(repo.repo_path)))
    return refs


def mini_ref() -> ModelRef:
    """The bundled demo model: a diffusers folder, loaded like any user model."""
    return ModelRef(name=MINI_NAME, kind="folder", location=str(mini_folder()), label=MINI_LABEL)


def local_checkpoints(model_dirs: Iterable[Path]) -> list[ModelRef]:
    """Checkpoint files and diffusers folders under the model folders and installs."""
    from studio.core.models.scan import scan_models

    return [
        ModelRef(
            name=entry.name,
            kind="folder" if entry.is_folder else "file",
            location=str(entry.path),
        )
        for entry in scan_models(model_dirs, include_hub=False)
        if entry.kind in ("checkpoint", "inpaint")
    ]


def list_models(model_dirs: Iterable[Path]) -> list[ModelRef]:
    refs = [mini_ref()] if mini_available() else []
    refs += [
        ModelRef(name=n, kind="builtin", location="(random weights, for tests)") for n in TINY_NAMES
    ]
    refs.extend(local_checkpoints(model_dirs))
    refs.extend(cached_hub_models())
    return refs


def default_model(model_dirs: Iterable[Path]) -> str:
    """The model to start on: the first real checkpoint, else `mini` (else `tiny`)."""
    from studio.core.models.defaults import default_model as choose
    from studio.core.models.scan import scan_models

    return choose(scan_models(model_dirs))


def resolve_model(name: str, model_dirs: Iterable[Path]) -> ModelRef:
    """Turn what the user typed (built-in, path, folder model name, hub id) into a ModelRef."""
    if name in TINY_NAMES:
        return ModelRef(name=name, kind="builtin", location="")
    if name == MINI_NAME and mini_available():
        return mini_ref()
    path = Path(name).expanduser()
    if path.exists():
        if path.is_file() and path.suffix.lower() in CHECKPOINT_SUFFIXES:
            return ModelRef(name=path.name, kind="file", location=str(path.resolve()))
        if path.is_dir() and _is_diffusers_folder(path):
            return ModelRef(name=path.name, kind="folder", location=str(path.resolve()))
        raise ModelError(
            f"{name!r} is neither a .safetensors/.ckpt checkpoint nor a diffusers folder "
            "(one with model_index.json)"
        )
    for ref in local_checkpoints(model_dirs):
        stem = ref.name.rsplit(".", 1)[0] if ref.kind == "file" else ref.name
        if name in (ref.name, stem, Path(ref.name).name, Path(stem).name):
            return ref
    hub_file = _downloaded_checkpoint(name)
    if hub_file is not None:
        return hub_file
    if HUB_ID.match(name):
        return ModelRef(name=name, kind="hub", location=name)
    raise ModelError(
        f"unknown model {name!r}; run `studio models` to list the models Studio can see, "
        "or give a .safetensors file, a diffusers folder or a Hugging Face id"
    )


def _downloaded_checkpoint(name: str) -> ModelRef | None:
    """A checkpoint file fetched with `studio download ID --file NAME`, by ID or ID/NAME."""
    from studio.core.models.scan import hub_entries

    for entry in hub_entries():
        if entry.is_folder or entry.kind not in ("checkpoint", "inpaint"):
            continue
        if name in (entry.name, entry.name.rsplit("/", 1)[0]):
            return ModelRef(name=entry.name, kind="file", location=str(entry.path))
    return None
