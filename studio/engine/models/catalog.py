"""Finding models: built-ins, configured folders (incl. A1111/ComfyUI installs), the HF cache."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from studio.core.errors import ModelError
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


def scan_folder(folder: Path) -> list[ModelRef]:
    refs: list[ModelRef] = []
    for path in sorted(folder.rglob("*")):
        depth = len(path.relative_to(folder).parts)
        if depth > 3:
            continue
        name = path.relative_to(folder).as_posix()
        if path.is_file() and path.suffix.lower() in CHECKPOINT_SUFFIXES:
            refs.append(ModelRef(name=name, kind="file", location=str(path)))
        elif path.is_dir() and _is_diffusers_folder(path):
            refs.append(ModelRef(name=name, kind="folder", location=str(path)))
    return refs


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


def installed_models(model_dirs: Iterable[Path]) -> list[ModelRef]:
    """The user's own models: configured folders and the Hugging Face cache."""
    refs: list[ModelRef] = []
    for folder in expand_dirs(model_dirs, INSTALL_SUBDIRS):
        refs.extend(scan_folder(folder))
    refs.extend(cached_hub_models())
    return refs


def list_models(model_dirs: Iterable[Path]) -> list[ModelRef]:
    refs = [mini_ref()] if mini_available() else []
    refs += [
        ModelRef(name=n, kind="builtin", location="(random weights, for tests)") for n in TINY_NAMES
    ]
    return refs + installed_models(model_dirs)


def default_model(model_dirs: Iterable[Path]) -> str | None:
    """The model used when none is chosen: `mini` when no other model is installed, else None."""
    if installed_models(model_dirs):
        return None
    return MINI_NAME if mini_available() else None


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
    dirs = list(model_dirs)
    for folder in expand_dirs(dirs, INSTALL_SUBDIRS):
        for ref in scan_folder(folder):
            stem = ref.name.rsplit(".", 1)[0] if ref.kind == "file" else ref.name
            if name in (ref.name, stem, Path(ref.name).name, Path(stem).name):
                return ref
    if HUB_ID.match(name):
        return ModelRef(name=name, kind="hub", location=name)
    raise ModelError(
        f"unknown model {name!r}; run `studio models` to list the models Studio can see, "
        "or give a .safetensors file, a diffusers folder or a Hugging Face id"
    )
