"""Textual-inversion embeddings, activated (as in A1111) by their file name used as a word.

The name's tokens are replaced in the chunk by placeholder tokens whose token embeddings are
swapped for the file's vectors during the encode (studio.engine.prompt_encoding applies the
fixes); the tokenizer and the text encoder's weights are never modified.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from studio.core.errors import ModelError
from studio.engine.lora import read_state_dict


@dataclass
class Embedding:
    name: str
    path: Path
    vectors: list[torch.Tensor] = field(default_factory=list)  # one (n, width) per encoder kind

    @property
    def count(self) -> int:
        return int(self.vectors[0].shape[0])

    def vectors_for(self, width: int) -> torch.Tensor:
        for tensor in self.vectors:
            if tensor.shape[-1] == width:
                return tensor
        raise ModelError(
            f"embedding {self.name!r} is for another model family "
            f"(vectors of width {self.vectors[0].shape[-1]}, the model uses {width})"
        )


def load_embedding(name: str, path: Path) -> Embedding:
    """A1111 .pt (string_to_param), A1111/SDXL .safetensors (emb_params, clip_l/clip_g) or a
    diffusers learned_embeds file (one key)."""
    data: Any = read_state_dict(path)
    if isinstance(data.get("string_to_param"), dict):
        data = data["string_to_param"]
    if "clip_l" in data or "clip_g" in data:
        tensors = [data[k] for k in ("clip_l", "clip_g") if k in data]
    elif "emb_params" in data:
        tensors = [data["emb_params"]]
    else:
        tensors = [v for v in data.values() if isinstance(v, torch.Tensor)][:1]
    if not tensors:
        raise ModelError(f"{path.name!r} holds no embedding vectors")
    vectors = [t.detach().float().reshape(-1, t.shape[-1]) for t in tensors]
    return Embedding(name, path, vectors)


class EmbeddingFinder:
    """Finds embedding names among a chunk's tokens (longest name first, as A1111)."""

    def __init__(self, embeddings: Sequence[Embedding], tokenize: Any) -> None:
        self.by_first: dict[int, list[tuple[list[int], Embedding]]] = {}
        for embedding in embeddings:
            ids = tokenize([embedding.name])[0]
            if ids:
                self.by_first.setdefault(ids[0], []).append((ids, embedding))
        for options in self.by_first.values():
            options.sort(key=lambda item: -len(item[0]))
        self.by_name = {embedding.name: embedding for embedding in embeddings}
        self._tokenize = tokenize

    def used_in(self, texts: list[str]) -> list[Embedding]:
        """The embeddings that are words of texts (for the `TI hashes` record)."""
        used: dict[str, Embedding] = {}
        for ids in self._tokenize(texts):
            for position in range(len(ids)):
                found = self(ids, position)
                if found is not None:
                    used[found[0].name] = found[0]
        return list(used.values())

    def __call__(self, tokens: Sequence[int], position: int) -> tuple[Any, int, int] | None:
        for ids, embedding in self.by_first.get(tokens[position], ()):
            if list(tokens[position : position + len(ids)]) == ids:
                return embedding, embedding.count, len(ids)
        return None
