"""Where AUTOMATIC1111/Forge and ComfyUI installs keep each kind of model.

A folder the user adds is either an install root (then each known sub-folder is searched for
its kind) or a plain folder of models (then every file is classified by its keys).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# sub-folder of an install root -> kind of the models in it
A1111_FOLDERS = {
    "models/Stable-diffusion": "checkpoint",
    "models/VAE": "vae",
    "models/Lora": "lora",
    "models/LyCORIS": "lora",
    "embeddings": "embedding",
    "models/ControlNet": "controlnet",
    "models/ESRGAN": "upscaler",
    "models/RealESRGAN": "upscaler",
    "models/SwinIR": "upscaler",
    "models/DAT": "upscaler",
    "models/HAT": "upscaler",
    "models/VAE-approx": "preview",
    "models/clip_vision": "image_encoder",  # Forge
}
# ComfyUI folder names (also the keys of extra_model_paths.yaml) -> kind
COMFY_KINDS = {
    "checkpoints": "checkpoint",
    "diffusers": "checkpoint",
    "vae": "vae",
    "loras": "lora",
    "embeddings": "embedding",
    "controlnet": "controlnet",
    "t2i_adapter": "controlnet",
    "ipadapter": "ipadapter",
    "clip_vision": "image_encoder",
    "upscale_models": "upscaler",
    "vae_approx": "preview",
}
COMFY_FOLDERS = {f"models/{name}": kind for name, kind in COMFY_KINDS.items()}
EXTRA_PATHS_FILE = "extra_model_paths.yaml"


@dataclass(frozen=True)
class ModelFolder:
    """One folder to search; kind is '' for a plain folder (classify each file by its keys)."""

    path: Path
    kind: str = ""
    root: Path | None = None  # the install or folder the user added


def is_install_root(folder: Path) -> bool:
    return (
        any((folder / sub).is_dir() for sub in (*A1111_FOLDERS, *COMFY_FOLDERS))
        or (folder / EXTRA_PATHS_FILE).is_file()
    )


def _split_paths(value: object) -> list[str]:
    if isinstance(value, str):
        return [line.strip() for line in value.splitlines() if line.strip()]
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return []


def extra_model_paths(yaml_file: Path) -> list[ModelFolder]:
    """The folders ComfyUI's extra_model_paths.yaml points at (base_path relative to the file)."""
    import yaml

    try:
        data = yaml.safe_load(yaml_file.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return []  # a broken yaml is ComfyUI's problem to report; we just see nothing there
    folders: list[ModelFolder] = []
    for section in data.values() if isinstance(data, dict) else []:
        if not isinstance(section, dict):
            continue
        base = Path(str(section.get("base_path", ""))).expanduser()
        if not base.is_absolute():
            base = yaml_file.parent / base
        for key, value in section.items():
            kind = COMFY_KINDS.get(str(key))
            if kind is None:
                continue
            for sub in _split_paths(value):
                path = Path(sub).expanduser()
                folders.append(ModelFolder(path if path.is_absolute() else base / path, kind))
    return folders


def model_folders(roots: list[Path], plain_kind: str = "") -> list[ModelFolder]:
    """Every folder to search under the user's roots, each with the kind it holds (plain_kind
    for a root that is not an install)."""
    found: list[ModelFolder] = []
    seen: set[Path] = set()

    def add(folder: ModelFolder, root: Path) -> None:
        if folder.path.is_dir() and folder.path.resolve() not in seen:
            seen.add(folder.path.resolve())
            found.append(ModelFolder(folder.path, folder.kind, root))

    for root in roots:
        if root.is_file() and root.suffix.lower() in (".yaml", ".yml"):
            for folder in extra_model_paths(root):
                add(folder, root)
            continue
        if not is_install_root(root):
            add(ModelFolder(root, plain_kind), root)
            continue
        for sub, kind in {**A1111_FOLDERS, **COMFY_FOLDERS}.items():
            add(ModelFolder(root / sub, kind), root)
        if (root / EXTRA_PATHS_FILE).is_file():
            for folder in extra_model_paths(root / EXTRA_PATHS_FILE):
                add(folder, root)
    return found
