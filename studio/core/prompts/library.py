"""Where LoRAs, textual-inversion embeddings and wildcard files live, and A1111's short hashes.

Each kind is found in its own setting's folders and in every model folder that is the root of
an A1111 or ComfyUI install (A1111: models/Lora, embeddings; ComfyUI: models/loras,
models/embeddings; both: wildcards folders of the dynamic-prompts extensions).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from studio.core.settings import Settings

LORA_SUFFIXES = (".safetensors", ".pt", ".bin")
EMBEDDING_SUFFIXES = (".safetensors", ".pt", ".bin")

_ROOT_SUBFOLDERS = {
    "lora": ("models/Lora", "models/LyCORIS", "models/loras"),
    "embedding": ("embeddings", "models/embeddings"),
    "wildcard": (
        "wildcards",
        "extensions/sd-dynamic-prompts/wildcards",
        "custom_nodes/comfyui-dynamicprompts/wildcards",
    ),
}


def _folders(kind: str, own: list[Path], settings: Settings) -> list[Path]:
    found = [p for p in own if p.is_dir()]
    for root in settings.model_dirs:
        found += [root / sub for sub in _ROOT_SUBFOLDERS[kind] if (root / sub).is_dir()]
    return list(dict.fromkeys(found))


def lora_folders(settings: Settings) -> list[Path]:
    return _folders("lora", settings.lora_dirs, settings)


def embedding_folders(settings: Settings) -> list[Path]:
    return _folders("embedding", settings.embedding_dirs, settings)


def wildcard_folders(settings: Settings) -> list[Path]:
    return _folders("wildcard", settings.wildcard_dirs, settings)


def find_named_files(folders: list[Path], suffixes: tuple[str, ...]) -> dict[str, Path]:
    """name (file stem, as A1111 names LoRAs and embeddings) -> file; the first folder wins."""
    found: dict[str, Path] = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.suffix.lower() in suffixes and path.is_file():
                found.setdefault(path.stem, path)
    return found


def short_hash(path: Path) -> str:
    """A1111's short LoRA hash: the first 12 hex digits of the sha256 of a safetensors file's
    tensor data (the "addnet" hash, header skipped), or of the whole file otherwise."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        if path.suffix.lower() == ".safetensors":
            header = int.from_bytes(handle.read(8), "little")
            handle.seek(header + 8)
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:12]


def format_hashes(entries: dict[str, str]) -> str:
    """`name: hash, name: hash` as A1111 writes `Lora hashes` (names lose `:` and `,`)."""
    clean = {n.replace(":", "").replace(",", ""): h for n, h in entries.items()}
    return ", ".join(f"{name}: {digest}" for name, digest in clean.items())


def file_hash(path: Path) -> str:
    """A1111's short hash of an embedding: the first 12 hex digits of the file's sha256."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:12]
