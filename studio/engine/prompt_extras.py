"""Per-job prompt features around the runner: LoRAs, embeddings, wildcard plans, metadata.

Engine.generate asks this for the images of a job (one params per image, wildcards resolved)
and, before each image, for that image's LoRAs to be active; the hashes A1111 records go into
the image's params (`Lora hashes`, `TI hashes`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from studio.core.params import GenerationParams
from studio.core.prompts.library import (
    EMBEDDING_SUFFIXES,
    LORA_SUFFIXES,
    embedding_folders,
    file_hash,
    find_named_files,
    format_hashes,
    lora_folders,
    wildcard_folders,
)
from studio.core.prompts.syntax import extract_loras
from studio.core.prompts.token_count import tokenize
from studio.core.prompts.wildcards import has_wildcards, plan_images
from studio.core.settings import Settings
from studio.engine.embeddings import Embedding, EmbeddingFinder, load_embedding
from studio.engine.lora import apply_loras


class PromptExtras:
    """Finds the files a job's prompts name (once per job) and applies them to the model."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._loras: dict[str, Path] | None = None
        self._embedding_files: dict[str, Path] | None = None
        self._embeddings: dict[str, Embedding] = {}
        self._finder: EmbeddingFinder | None = None

    def images(self, params: GenerationParams) -> list[GenerationParams]:
        """One params per image: count=1, its own seed, wildcards resolved (or every
        combination when params.extra["combinations"])."""
        wild = has_wildcards(params.prompt) or has_wildcards(params.negative)
        return plan_images(params, wildcard_folders(self.settings) if wild else [])

    def lora_files(self) -> dict[str, Path]:
        if self._loras is None:
            self._loras = find_named_files(lora_folders(self.settings), LORA_SUFFIXES)
        return self._loras

    def prepare(self, model: Any, params: GenerationParams) -> GenerationParams:
        """Activate the LoRAs params.prompt names and find the embeddings either prompt names;
        params with A1111's hashes recorded (`Lora hashes`, `TI hashes`)."""
        _, tags = extract_loras(params.prompt)
        hashes = apply_loras(model.base, tags, self.lora_files() if tags else {})
        extra = {k: v for k, v in params.extra.items() if k not in ("Lora hashes", "TI hashes")}
        if hashes:
            extra["Lora hashes"] = format_hashes(hashes)
        self._finder = self._embedding_finder(f"{params.prompt}\n{params.negative}")
        if self._finder is not None:
            used = self._finder.used_in([params.prompt, params.negative])
            if used:
                extra["TI hashes"] = format_hashes({e.name: file_hash(e.path) for e in used})
        return params.replace(extra=extra)

    def names_embeddings(self, params: GenerationParams) -> bool:
        """Whether either prompt names a textual-inversion embedding found here."""
        return self._embedding_finder(f"{params.prompt}\n{params.negative}") is not None

    def _embedding_finder(self, text: str) -> EmbeddingFinder | None:
        if self._embedding_files is None:
            folders = embedding_folders(self.settings)
            self._embedding_files = find_named_files(folders, EMBEDDING_SUFFIXES)
        lowered = text.lower()
        named = [n for n in self._embedding_files if n.lower() in lowered]
        if not named:
            return None
        for name in named:
            if name not in self._embeddings:
                self._embeddings[name] = load_embedding(name, self._embedding_files[name])
        return EmbeddingFinder([self._embeddings[n] for n in named], tokenize)

    def embeddings(self, model: Any) -> EmbeddingFinder | None:
        """The textual-inversion lookup for the image prepare() was last called for."""
        return self._finder
