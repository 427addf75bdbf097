"""Families of results: every result gets a stable id (from its pixels), and a child made by
Vary records its parent's id. Both live in params.extra, so they travel with the image's
metadata, the history and index.json, where `parent_file` names the parent's file."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import numpy as np

from studio.core.params import GenerationParams

ID_KEY = "id"
PARENT_KEY = "parent"


def image_id(pixels: np.ndarray) -> str:
    """A short stable id of an image's pixels."""
    digest = hashlib.sha1(np.ascontiguousarray(pixels).tobytes())
    digest.update(str(pixels.shape).encode())
    return digest.hexdigest()[:12]


def with_id(params: GenerationParams, pixels: np.ndarray) -> GenerationParams:
    """params carrying the image's id (kept when it already has one)."""
    if params.extra.get(ID_KEY):
        return params
    return params.replace(extra={**params.extra, ID_KEY: image_id(pixels)})


def id_of(params: GenerationParams) -> str | None:
    value = params.extra.get(ID_KEY)
    return str(value) if value else None


def parent_of(params: GenerationParams) -> str | None:
    value = params.extra.get(PARENT_KEY)
    return str(value) if value else None


def as_child_of(params: GenerationParams, parent: GenerationParams) -> GenerationParams:
    """params for a child of `parent`: linked to it, without the parent's own id."""
    extra = {k: v for k, v in params.extra.items() if k != ID_KEY}
    parent_id = id_of(parent)
    if parent_id:
        extra[PARENT_KEY] = parent_id
    return params.replace(extra=extra)


def link_parent_files(index: Mapping[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """An index (file -> params dict) where each child also names its parent's file when the
    parent is in the same index: entry['parent_file']."""
    by_id = {
        entry.get("extra", {}).get(ID_KEY): name
        for name, entry in index.items()
        if isinstance(entry, dict) and entry.get("extra", {}).get(ID_KEY)
    }
    linked: dict[str, dict[str, Any]] = {}
    for name, entry in index.items():
        parent = entry.get("extra", {}).get(PARENT_KEY) if isinstance(entry, dict) else None
        if parent and parent in by_id:
            entry = {**entry, "parent_file": by_id[parent]}
        linked[name] = entry
    return linked
