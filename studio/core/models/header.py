"""Reading a .safetensors header (tensor names, shapes, metadata) without loading any weights."""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass, field
from pathlib import Path

from studio.core.errors import ModelError

# A header past this size is not a model file we understand (real ones are a few MB at most).
MAX_HEADER_BYTES = 100 * 1024 * 1024


@dataclass(frozen=True)
class TensorIndex:
    """The tensors of a checkpoint by name -> shape, plus the file's free-form metadata."""

    shapes: dict[str, tuple[int, ...]]
    metadata: dict[str, str] = field(default_factory=dict)

    def shape(self, key: str) -> tuple[int, ...] | None:
        return self.shapes.get(key)

    def has_prefix(self, prefix: str) -> bool:
        return any(k.startswith(prefix) for k in self.shapes)

    def first(self, suffix: str, prefix: str = "") -> tuple[int, ...] | None:
        """The shape of the first tensor (in name order) under prefix that ends with suffix."""
        for key in sorted(self.shapes):
            if key.startswith(prefix) and key.endswith(suffix):
                return self.shapes[key]
        return None


def header_length(path: Path) -> int:
    """Bytes before the tensor data: the 8-byte length plus the JSON header."""
    with open(path, "rb") as handle:
        raw = handle.read(8)
    if len(raw) < 8:
        raise ModelError(f"{path.name!r} is too short to be a .safetensors file")
    (size,) = struct.unpack("<Q", raw)
    return 8 + size


def read_header(path: Path) -> TensorIndex:
    """The tensor index of a .safetensors file; a ModelError names a broken file."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(8)
            if len(raw) < 8:
                raise ModelError(f"{path.name!r} is too short to be a .safetensors file")
            (size,) = struct.unpack("<Q", raw)
            if size > MAX_HEADER_BYTES:
                raise ModelError(f"{path.name!r} has an implausible safetensors header")
            data = json.loads(handle.read(size).decode("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"{path.name!r} is not a readable .safetensors file ({exc})") from exc
    if not isinstance(data, dict):
        raise ModelError(f"{path.name!r} is not a readable .safetensors file")
    metadata = data.pop("__metadata__", None) or {}
    shapes = {
        name: tuple(int(d) for d in entry.get("shape", ()))
        for name, entry in data.items()
        if isinstance(entry, dict)
    }
    return TensorIndex(shapes=shapes, metadata={str(k): str(v) for k, v in metadata.items()})
